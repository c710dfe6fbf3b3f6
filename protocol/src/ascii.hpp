#pragma once
// ASCII helpers private to the protocol library. POP3 keywords, tags and codes are ASCII and
// case-insensitive; std::toupper would depend on the C locale, so these do not use it.
#include <algorithm>
#include <string>
#include <string_view>

namespace pop3::protocol::detail {

constexpr char to_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

inline std::string to_upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return to_upper(c); });
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_upper(x) == to_upper(y); });
}

/// RFC 5234 VCHAR: visible (printing) ASCII, 0x21..0x7E.
constexpr bool is_vchar(char c) noexcept { return c >= '\x21' && c <= '\x7e'; }

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace pop3::protocol::detail
