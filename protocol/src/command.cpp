// Command lines (RFC 1939 §3, RFC 2449 §3): tokenising, numbers, formatting, unique-ids.
#include "pop3/protocol/command.hpp"

#include <limits>

#include "pop3/protocol/limits.hpp"
#include "ascii.hpp"

namespace pop3::protocol {

namespace {

bool is_separator(char c, bool strict) noexcept { return c == ' ' || (!strict && c == '\t'); }

// The first octet that no command may contain, judged before any structure.
command_error scan_octets(std::string_view line, bool strict) noexcept {
  for (char c : line) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return command_error::non_ascii;
    if (c == '\t') {
      if (strict) return command_error::bad_separator;
      continue;
    }
    if (u < 0x20 || u == 0x7f) return command_error::control_character;
  }
  return command_error::none;
}

// Splits on separators; strict mode rejects empty tokens (doubled, leading or trailing SP).
std::optional<std::vector<std::string>> split_args(std::string_view text, bool strict) {
  // Only called after a separator, so nothing after it is a trailing SP.
  if (strict && text.empty()) return std::nullopt;
  std::vector<std::string> args;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size() && !is_separator(text[end], strict)) ++end;
    if (end == i) {
      if (strict) return std::nullopt;
      ++i;
      continue;
    }
    args.emplace_back(text.substr(i, end - i));
    // A separator at the very end is a trailing SP: an empty last token.
    if (strict && end + 1 == text.size()) return std::nullopt;
    i = end + 1;
  }
  return args;
}

command_parse_result failure(command_error error) {
  command_parse_result result;
  result.error = error;
  return result;
}

}  // namespace

std::string_view command_parse_result::describe() const noexcept {
  switch (error) {
    case command_error::none: return "ok";
    case command_error::empty: return "empty command line";
    case command_error::bad_keyword: return "keyword must be 3 or 4 printable characters";
    case command_error::bad_separator: return "arguments must be separated by exactly one space";
    case command_error::control_character: return "control character in command line";
    case command_error::non_ascii: return "non-ASCII octet in command line";
  }
  return "unknown error";
}

command_parse_result parse_command(std::string_view line, bool strict) {
  if (line.empty()) return failure(command_error::empty);
  if (const auto bad = scan_octets(line, strict); bad != command_error::none) return failure(bad);

  std::size_t start = 0;
  if (!strict) {
    while (start < line.size() && is_separator(line[start], false)) ++start;
    if (start == line.size()) return failure(command_error::empty);
  } else if (line.front() == ' ') {
    return failure(command_error::bad_separator);
  }
  std::size_t key_end = start;
  while (key_end < line.size() && !is_separator(line[key_end], strict)) ++key_end;
  const auto keyword = line.substr(start, key_end - start);
  if (keyword.size() < 3 || keyword.size() > 4) return failure(command_error::bad_keyword);

  command cmd;
  cmd.keyword = detail::to_upper(keyword);
  if (key_end < line.size()) {
    cmd.argument_text = std::string(line.substr(key_end + 1));
    // RFC 1939 §7 lets PASS's single argument contain spaces, so its text is not judged by the
    // separator rule; args still lists its SP-separated pieces.
    const bool spaces_are_data = cmd.keyword == "PASS";
    auto args = split_args(cmd.argument_text, strict && !spaces_are_data);
    if (!args) return failure(command_error::bad_separator);
    cmd.args = std::move(*args);
  }
  command_parse_result result;
  result.value = std::move(cmd);
  return result;
}

std::optional<std::uint64_t> parse_number(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  for (char c : text) {
    if (!detail::is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::string format_command(std::string_view keyword, std::span<const std::string> args) {
  std::string out(keyword);
  for (const auto& arg : args) {
    out += ' ';
    out += arg;
  }
  out += "\r\n";
  return out;
}

bool is_valid_unique_id(std::string_view uid) noexcept {
  if (uid.empty() || uid.size() > max_unique_id_chars) return false;
  for (char c : uid) {
    if (!detail::is_vchar(c)) return false;
  }
  return true;
}

}  // namespace pop3::protocol
