// Small text helpers shared by the scenario parser, the matcher and the executor.
#include "text.hpp"

#include <cctype>
#include <limits>

namespace pop3::harness::detail {

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (is_blank(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::size_t skip_quoted(std::string_view text, std::size_t start) noexcept {
  const char quote = text[start];
  for (std::size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::size_t skip_regex(std::string_view text, std::size_t start) noexcept {
  for (std::size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '/') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::size_t skip_braces(std::string_view text, std::size_t start) noexcept {
  int depth = 0;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      i = skip_quoted(text, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string_view strip_comment(std::string_view line) noexcept {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const bool after_blank = i == 0 || is_blank(line[i - 1]);
    if (c == '"' && after_blank) {
      // A quoted string (raw: "...") hides "#"; an unclosed one runs to the end of the line.
      const std::size_t end = skip_quoted(line, i);
      if (end == std::string_view::npos) return line;
      i = end - 1;
    } else if (c == '$' && i + 1 < line.size() && line[i + 1] == '{') {
      const std::size_t end = skip_braces(line, i + 1);
      if (end == std::string_view::npos) return line;
      i = end - 1;
    } else if (c == '~' && after_blank && i + 1 < line.size() && line[i + 1] == '/') {
      const std::size_t end = skip_regex(line, i + 1);
      if (end == std::string_view::npos) return line;
      i = end - 1;
    } else if (c == '#' && after_blank && (i + 1 == line.size() || is_blank(line[i + 1]))) {
      return line.substr(0, i);
    }
  }
  return line;
}

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> unescape(std::string_view body, std::size_t& error_offset, std::string& error) {
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out.push_back(body[i]);
      continue;
    }
    if (i + 1 == body.size()) {
      error_offset = i;
      error = "a backslash ends the string";
      return std::nullopt;
    }
    const char e = body[++i];
    switch (e) {
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '0':
        out.push_back('\0');
        break;
      case '\\':
      case '"':
      case '\'':
        out.push_back(e);
        break;
      case 'x': {
        const int hi = i + 1 < body.size() ? hex_value(body[i + 1]) : -1;
        const int lo = i + 2 < body.size() ? hex_value(body[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          error_offset = i - 1;
          error = "\\x needs two hex digits";
          return std::nullopt;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        error_offset = i - 1;
        error = std::string("unknown escape \\") + e;
        return std::nullopt;
    }
  }
  return out;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  std::int64_t n = 0;
  for (std::size_t i = 0; i < digits; ++i) n = n * 10 + (text[i] - '0');
  const std::string_view unit = text.substr(digits);
  std::int64_t ms = 0;
  if (unit == "ms") {
    ms = n;
  } else if (unit == "s") {
    ms = n * 1000;
  } else if (unit == "m") {
    ms = n * 60'000;
  } else if (unit == "h") {
    ms = n * 3'600'000;
  } else {
    return std::nullopt;
  }
  if (ms > 24 * 3'600'000LL) return std::nullopt;
  return std::chrono::milliseconds(ms);
}

std::string format_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::optional<std::int64_t> parse_decimal(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int d = c - '0';
    if (n > (std::numeric_limits<std::int64_t>::max() - d) / 10) return std::nullopt;
    n = n * 10 + d;
  }
  return n;
}

std::string printable(std::string_view bytes, std::size_t limit) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  const std::size_t shown = bytes.size() > limit ? limit : bytes.size();
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          out += "\\x";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  if (shown < bytes.size()) out += "... (" + std::to_string(bytes.size()) + " octets)";
  return out;
}

}  // namespace pop3::harness::detail
