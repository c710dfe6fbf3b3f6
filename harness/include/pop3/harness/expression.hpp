#pragma once
// Expressions inside ${...}: integer arithmetic on captured values and built-in values, and text
// built from quoted strings and names (for long or odd command lines and SASL responses).
//
//   expr    := sum
//   sum     := product (("+" | "-") product)*
//   product := unary (("*" | "/" | "%") unary)*
//   unary   := "-" unary | primary
//   primary := NUMBER | 'quoted text' | NAME | FUNCTION "(" expr ")" | "(" expr ")"
//   FUNCTION := "base64" | "upper"
//   NAME    := ident | ident "." ident          (a.timestamp: a value of connection a)
//
// Names refer to captures ($count) or built-in values ($user); their values are text and are
// converted to numbers by the arithmetic operators. Text is quoted text, 'text' * n (text
// repeated n times), base64(...) (RFC 4648 encoding of its argument's octets), upper(...) (its
// argument with ASCII letters in upper case: an APOP digest in upper-case hex) or a "+" with text
// on either side, which joins both sides as text: '\0' + user + '\0' + password. Every other
// use of text with an operator is an error.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::harness {

/// Looks up the text bound to a name; nullopt when it is not bound.
using value_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The outcome of evaluating an expression: its text (a number in decimal, or octets), or why not.
struct eval_result {
  std::optional<std::string> value;
  std::string error;  ///< set when value is empty, e.g. "$count is \"two\", not a number"
};

struct expression_parse_result;

namespace detail {
/// One node of an expression's syntax tree; children are indices into the same vector.
struct expression_node {
  enum class kind { number, text, name, negate, add, subtract, multiply, divide, modulo, join, base64, upper };
  kind k = kind::number;
  std::int64_t number = 0;
  std::string text;  // quoted text or name
  int lhs = -1, rhs = -1;
};
struct expression_parser;
}  // namespace detail

/// A parsed expression (immutable, cheap to share).
class expression {
 public:
  /// Parses the text between "${" and "}". Never throws.
  [[nodiscard]] static expression_parse_result parse(std::string_view text);

  /// Evaluates with the given bindings. Never throws.
  [[nodiscard]] eval_result evaluate(const value_lookup& lookup) const;
  /// The text as written (without "${" "}").
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  /// Every name the expression reads, in order of appearance, without duplicates.
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

  /// Longest text a repetition may produce (16 MiB).
  static constexpr std::size_t max_repeat_octets = 16u << 20;

 private:
  expression() = default;
  std::string source_;
  std::vector<std::string> names_;
  std::vector<detail::expression_node> nodes_;
  int root_ = -1;
  friend struct detail::expression_parser;
};

struct expression_parse_result {
  std::shared_ptr<const expression> value;  ///< null on error
  std::string error;                        ///< what is wrong
  std::size_t offset = 0;                   ///< where, in the parsed text (0-based)
};

/// True for a valid name: [A-Za-z_][A-Za-z0-9_]* (a capture or a built-in; see also the dotted
/// connection-qualified built-ins, split by split_qualified_name in scenario.hpp)
[[nodiscard]] bool is_valid_name(std::string_view name) noexcept;

}  // namespace pop3::harness
