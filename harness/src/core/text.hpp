#pragma once
// Small text helpers shared by the scenario parser, the matcher and the executor (internal).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pop3::harness::detail {

[[nodiscard]] constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
[[nodiscard]] std::string_view trim(std::string_view text) noexcept;
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;
[[nodiscard]] std::string to_upper(std::string_view text);

/// The line without its comment: a "#" preceded by a blank (or at the start) and followed by a
/// blank (or the end), outside "..." strings, ${...} and ~/.../ regexes.
[[nodiscard]] std::string_view strip_comment(std::string_view line) noexcept;

/// Index just past the end of the quoted string starting at text[start] (quote character
/// text[start], backslash escapes), or npos if it is not closed.
[[nodiscard]] std::size_t skip_quoted(std::string_view text, std::size_t start) noexcept;
/// Index just past the "/" closing the regex whose opening "/" is text[start], or npos.
[[nodiscard]] std::size_t skip_regex(std::string_view text, std::size_t start) noexcept;
/// Index just past the "}" matching the "{" at text[start] (quotes respected), or npos.
[[nodiscard]] std::size_t skip_braces(std::string_view text, std::size_t start) noexcept;

/// Decodes the escapes of a quoted string's body: \r \n \t \0 \\ \" \' \xNN. On error returns
/// nullopt and sets error_offset (into body) and error.
[[nodiscard]] std::optional<std::string> unescape(std::string_view body, std::size_t& error_offset,
                                                  std::string& error);

/// "500ms", "2s", "11m", "1h" -> milliseconds (at most 24 hours); nullopt otherwise.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;
/// "2s", "500ms", "11m" (the shortest exact form).
[[nodiscard]] std::string format_duration(std::chrono::milliseconds d);

/// 1*DIGIT that fits in int64 (leading zeros allowed, no sign).
[[nodiscard]] std::optional<std::int64_t> parse_decimal(std::string_view text) noexcept;

/// Printable form of octets for transcripts and messages: control octets, "\\" and octets
/// >= 0x7F as escapes (\r \n \t \0 \xNN), then cut to `limit` octets with "... (N octets)".
[[nodiscard]] std::string printable(std::string_view bytes, std::size_t limit = 1000);

}  // namespace pop3::harness::detail
