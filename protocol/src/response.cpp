// Status lines (RFC 1939 §3), extended response codes (RFC 2449 §3, §8) and SASL
// continuations (RFC 5034 §4).
#include "pop3/protocol/response.hpp"

#include "ascii.hpp"

namespace pop3::protocol {

namespace {

// RFC 2449 rchar: printable ASCII except "/" and "]". (The ABNF range ends at %x7F, but its
// comment says "printable", and DEL is not; we follow the comment.)
bool is_rchar(char c) noexcept { return detail::is_vchar(c) && c != '/' && c != ']'; }

std::vector<std::string> split_levels(std::string_view text) {
  std::vector<std::string> levels;
  for (;;) {
    const auto slash = text.find('/');
    levels.emplace_back(text.substr(0, slash));
    if (slash == std::string_view::npos) return levels;
    text.remove_prefix(slash + 1);
  }
}

// resp-code = "[" resp-level *("/" resp-level) "]"; returns the code and what follows "]".
std::optional<std::pair<response_code, std::string_view>> parse_code(std::string_view text) {
  if (text.empty() || text.front() != '[') return std::nullopt;
  const auto close = text.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  response_code code{split_levels(text.substr(1, close - 1))};
  for (const auto& level : code.levels) {
    if (level.empty()) return std::nullopt;
    for (char c : level) {
      if (!is_rchar(c)) return std::nullopt;
    }
  }
  return std::pair{std::move(code), text.substr(close + 1)};
}

}  // namespace

std::string response_code::to_string() const {
  std::string out;
  for (const auto& level : levels) {
    if (!out.empty()) out += '/';
    out += level;
  }
  return out;
}

bool response_code::matches(std::string_view pattern) const {
  if (pattern.empty()) return false;
  const auto wanted = split_levels(pattern);
  if (wanted.size() > levels.size()) return false;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (!detail::iequals(wanted[i], levels[i])) return false;
  }
  return true;
}

status_parse_result parse_status_line(std::string_view line) {
  status_parse_result result;
  bool ok = false;
  std::string_view rest;
  if (line.starts_with("+OK")) {
    ok = true;
    rest = line.substr(3);
  } else if (line.starts_with("-ERR")) {
    rest = line.substr(4);
  } else {
    const bool wrong_case = detail::iequals(line.substr(0, 3), "+OK") || detail::iequals(line.substr(0, 4), "-ERR");
    result.error = wrong_case ? "status indicator must be upper case \"+OK\" or \"-ERR\""
                              : "line does not start with \"+OK\" or \"-ERR\"";
    return result;
  }
  if (!rest.empty() && rest.front() != ' ') {
    result.error = "status indicator must be followed by a space or the end of the line";
    return result;
  }
  if (!rest.empty()) rest.remove_prefix(1);

  status_line status;
  status.ok = ok;
  if (auto code = parse_code(rest)) {
    status.code = std::move(code->first);
    rest = code->second;
    // The grammar allows text right after "]"; the usual form has one SP first.
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  status.text = std::string(rest);
  result.value = std::move(status);
  return result;
}

bool parse_continuation(std::string_view line, std::string* payload) {
  // continue-req = "+" SP [base64] CRLF: the SP is mandatory even for an empty challenge.
  if (!line.starts_with("+ ")) return false;
  if (payload != nullptr) *payload = std::string(line.substr(2));
  return true;
}

std::string format_status(bool ok, std::string_view code, std::string_view text) {
  std::string out = ok ? "+OK" : "-ERR";
  if (!code.empty()) {
    out += " [";
    out += code;
    out += ']';
  }
  if (!text.empty()) {
    out += ' ';
    out += text;
  }
  out += "\r\n";
  return out;
}

}  // namespace pop3::protocol
