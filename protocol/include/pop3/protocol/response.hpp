#pragma once
// Parsing and formatting of response status lines: "+OK [CODE/SUB] text", "-ERR ...",
// and SASL continuations "+ base64".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::protocol {

/// RFC 2449 §3/§8 extended response code, e.g. [SYS/TEMP] -> {"SYS","TEMP"}.
struct response_code {
  std::vector<std::string> levels;  ///< as sent (case preserved)
  /// "SYS/TEMP"
  [[nodiscard]] std::string to_string() const;
  /// Case-insensitive hierarchical match: "SYS" matches [SYS/TEMP]; "SYS/TEMP" matches [SYS/TEMP/DISK].
  [[nodiscard]] bool matches(std::string_view pattern) const;
  bool operator==(const response_code&) const = default;  ///< exact, case-sensitive
};

struct status_line {
  bool ok = false;                        ///< +OK vs -ERR
  std::optional<response_code> code;      ///< present when text starts with a well-formed "[...]"
  std::string text;                       ///< free text after the code (without the separating space)
  bool operator==(const status_line&) const = default;
};

struct status_parse_result {
  std::optional<status_line> value;
  std::string error;                      ///< why it is not a status line (empty on success)
};

/// Parses the first line of a response (without CRLF). Strict: "+OK"/"-ERR" must be upper case and
/// followed by SP or end of line. A "[" that does not form a valid code leaves code empty and
/// keeps the bracket in text (callers decide whether that breaks RESP-CODES).
[[nodiscard]] status_parse_result parse_status_line(std::string_view line);

/// True for a SASL continuation line ("+" SP [base64]); `payload` receives what follows "+ ".
/// Only the "+ " form is checked: decode the payload with base64_decode to judge it.
[[nodiscard]] bool parse_continuation(std::string_view line, std::string* payload = nullptr);

/// "+OK [CODE] text\r\n" / "-ERR text\r\n"; code is given without brackets ("SYS/TEMP");
/// code and text may be empty.
[[nodiscard]] std::string format_status(bool ok, std::string_view code, std::string_view text);

}  // namespace pop3::protocol
