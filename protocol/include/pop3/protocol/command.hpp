#pragma once
// Command lines: tokenising (RFC 1939 §3, RFC 2449 §3 grammar), numeric arguments, formatting.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::protocol {

struct command {
  std::string keyword;              ///< upper-cased keyword
  std::vector<std::string> args;    ///< SP-separated arguments
  std::string argument_text;        ///< everything after "KEYWORD " verbatim (PASS keeps spaces)
  bool operator==(const command&) const = default;
};

enum class command_error {
  none,
  empty,              ///< empty line
  bad_keyword,        ///< not 3-4 printable, non-space characters
  bad_separator,      ///< tab, leading/trailing or doubled SP (strict mode only)
  control_character,  ///< NUL or other control octet inside the line
  non_ascii,          ///< octet >= 0x80
};

struct command_parse_result {
  std::optional<command> value;
  command_error error = command_error::none;
  [[nodiscard]] std::string_view describe() const noexcept;
};

/// Tokenises one command line (without CRLF). strict = RFC grammar (single SP separators);
/// lenient also accepts tabs and runs of spaces between arguments, and leading/trailing ones.
/// PASS is the exception RFC 1939 §7 makes: its argument may contain spaces, so strict mode
/// does not apply the separator rule to it (use argument_text as the password).
/// argument_text is everything after the keyword and its first separator octet.
[[nodiscard]] command_parse_result parse_command(std::string_view line, bool strict = true);

/// Parses a message number or count: 1*DIGIT, leading zeros allowed, no sign, no overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_number(std::string_view text) noexcept;

/// "KEYWORD arg1 arg2\r\n"
[[nodiscard]] std::string format_command(std::string_view keyword, std::span<const std::string> args = {});

/// True if uid is a valid RFC 1939 unique-id: 1..70 characters in 0x21..0x7E.
[[nodiscard]] bool is_valid_unique_id(std::string_view uid) noexcept;

}  // namespace pop3::protocol
