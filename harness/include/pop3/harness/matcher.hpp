#pragma once
// Line patterns (what follows "S:"), multi-line block checks, and the pure functions that match
// server lines against them. No I/O and no state: captures come in through a lookup and the new
// ones go out in the result, to be committed by the caller only when the whole match succeeds.
#include <chrono>
#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/expression.hpp"

namespace pop3::harness {

/// One token of a line pattern.
struct pattern_token {
  enum class kind {
    literal,        ///< exact and case-sensitive ("+OK", "1"); "$$" stands for "$"
    any,            ///< "*": exactly one non-empty token
    rest,           ///< "...": whatever remains of the line, possibly nothing (last token only)
    capture,        ///< "$name": binds the token on first use, compares with it afterwards
    expression,     ///< "${expr}": the token equals the value (numerically when both are numbers)
    regex,          ///< "~/re/" or "~/re/i": the regex matches the whole token
    response_code,  ///< "[CODE/SUB]" right after "+OK"/"-ERR": hierarchical, case-insensitive
  };
  kind k = kind::literal;
  std::string text;  ///< literal text, capture name, code without brackets, or the regex as written
  int column = 0;    ///< 1-based column in the scenario line
  std::shared_ptr<const expression> expr;
  std::shared_ptr<const std::regex> re;
};

/// A pattern for one line: tokens separated by single spaces, or one regex searched in the line.
struct line_pattern {
  std::string source;                 ///< as written
  std::vector<pattern_token> tokens;  ///< empty when line_regex is set
  std::shared_ptr<const std::regex> line_regex;
};

/// One acceptable outcome of reading a response.
struct outcome {
  /// closed: any close or reset (<closed>); close_notify: a TLS connection the server ended
  /// with a TLS close_notify alert before closing TCP (<close-notify>); silence: <silence D>.
  enum class kind { line, closed, silence, close_notify };
  kind k = kind::line;
  line_pattern pattern;                  ///< kind::line
  std::chrono::milliseconds silence{0};  ///< kind::silence: nothing may arrive for this long
  /// `<inconclusive: REASON>` after the alternative: the answer is allowed, but it leaves the
  /// scenario's rules unchecked (e.g. a server that takes no lock cannot show how it answers a
  /// login to a locked maildrop), so the scenario ends as a skip saying REASON.
  std::string inconclusive;
};

/// Where a line sits: the first line of a response (free text may follow the pattern) or a data
/// line of a multi-line block (the pattern covers the whole line unless it ends in "...").
enum class line_role { status, data };

/// The result of matching: on success the captures bound (to commit); otherwise why not.
struct match_result {
  bool matched = false;
  std::string why;  ///< e.g. "token 2: expected 2, got 3"
  std::vector<std::pair<std::string, std::string>> captures;
};

/// An error in a pattern, at a 1-based column of the scenario line.
struct pattern_error {
  int column = 0;
  std::string message, hint;
};

struct outcomes_parse_result {
  std::vector<outcome> alternatives;  ///< separated by "|" in the source
  std::vector<pattern_error> errors;
};

struct counts_parse_result {
  std::vector<std::shared_ptr<const expression>> counts;  ///< separated by "|" in the source
  std::vector<pattern_error> errors;
};

/// Parses the text after "lines:" or "octets:": one expression, or alternatives "A | B".
[[nodiscard]] counts_parse_result parse_counts(std::string_view text, int column);

/// Parses the text after "S:" (alternatives, outcome markers, tokens). `column` is the 1-based
/// column of text[0] in the scenario line. Never throws.
[[nodiscard]] outcomes_parse_result parse_outcomes(std::string_view text, int column);

/// Matches one line (without CRLF). Captures already bound are compared; others are bound.
[[nodiscard]] match_result match_line(const line_pattern& pattern, std::string_view line, line_role role,
                                      const value_lookup& lookup);

/// True if the response-code token `actual` ("[SYS/TEMP]") matches `pattern_code` ("sys"):
/// levels compared case-insensitively, extra levels in `actual` allowed (RFC 2449 §8).
[[nodiscard]] bool response_code_matches(std::string_view pattern_code, std::string_view actual) noexcept;

/// The pattern with bound captures and expressions replaced by their values, for messages.
[[nodiscard]] std::string render_pattern(const line_pattern& pattern, const value_lookup& lookup);
/// Alternatives rendered and joined with " | ".
[[nodiscard]] std::string render_outcomes(const std::vector<outcome>& alternatives,
                                          const value_lookup& lookup);

/// Lines longer than this are never handed to std::regex (whose matcher recurses per octet).
inline constexpr std::size_t max_regex_subject_octets = 8192;

// ---- multi-line blocks -------------------------------------------------------------------

/// One data-line pattern of a literal block.
struct block_line {
  line_pattern pattern;
  source_location where;
};

/// An assertion about the whole block.
struct block_check {
  enum class kind {
    lines,   ///< lines: EXPR [| EXPR...]    number of data lines (any of the alternatives)
    each,    ///< each: PATTERN   every data line matches
    has,     ///< has: PATTERN    at least one data line matches
    lacks,   ///< lacks: PATTERN  no data line matches
    body,    ///< body: PATH | message N   unstuffed content equals the fixture (CRLF-normalised)
    octets,  ///< octets: EXPR [| EXPR...]   unstuffed octet count (what LIST reports) equals one
    same,    ///< same: PATH | message N   the fixture's message, with header fields the store added
  };
  kind k = kind::lines;
  source_location where;
  std::vector<std::shared_ptr<const expression>> counts;  ///< lines, octets: the alternatives
  line_pattern pattern;                    ///< each, has, lacks
  std::string body;                        ///< body, same: the expected content
  std::string label;                       ///< body, same: "fixtures/x.eml" or "message 2"
};

/// What the scenario says about a multi-line response's data. Empty lines = no literal block.
struct response_block {
  std::vector<block_line> lines;
  std::vector<block_check> checks;
  source_location end;  ///< the "S: ." line
};

/// A received block: the data lines as sent (dot-stuffed) and the unstuffed content with CRLFs.
struct block_data {
  std::vector<std::string> wire_lines;
  std::string content;
};

struct block_result {
  bool ok = false;
  std::vector<std::pair<std::string, std::string>> captures;  ///< on success
  source_location where;                                      ///< on failure: the check that failed
  std::string expected, actual, why;                          ///< on failure
};

/// Checks a received block against the literal lines (one-to-one, in order) and every check.
[[nodiscard]] block_result check_block(const response_block& block, const block_data& data,
                                       const value_lookup& lookup);

}  // namespace pop3::harness
