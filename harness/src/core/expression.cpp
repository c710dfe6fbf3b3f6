// Expressions inside ${...}: a recursive-descent parser into a flat tree, and its evaluator.
#include "pop3/harness/expression.hpp"

#include <cctype>
#include <limits>

#include "pop3/protocol/auth.hpp"
#include "text.hpp"

namespace pop3::harness {
namespace detail {

using node = expression_node;

/// Flow: parse() -> sum() -> product() -> unary() -> primary(), each appending nodes and
/// returning the index of the node it built; the first error stops the descent.
struct expression_parser {
  std::string_view text;
  std::size_t pos = 0;
  int depth = 0;
  std::string error;
  std::size_t error_at = 0;
  expression& out;

  static constexpr int max_depth = 64;

  bool fail(std::size_t at, std::string message) {
    if (error.empty()) {
      error = std::move(message);
      error_at = at;
    }
    return false;
  }
  void skip_blanks() {
    while (pos < text.size() && is_blank(text[pos])) ++pos;
  }
  int add(node n) {
    out.nodes_.push_back(std::move(n));
    return static_cast<int>(out.nodes_.size() - 1);
  }
  int binary(node::kind k, int lhs, int rhs) {
    node n;
    n.k = k;
    n.lhs = lhs;
    n.rhs = rhs;
    return add(std::move(n));
  }
  // Text: quoted, repeated, joined, base64-encoded or upper-cased. '*' repeats it, '+' joins it.
  [[nodiscard]] bool is_text(int index) const {
    const node& n = out.nodes_[static_cast<std::size_t>(index)];
    return n.k == node::kind::text || n.k == node::kind::join || n.k == node::kind::base64 || n.k == node::kind::upper ||
           (n.k == node::kind::multiply && is_text(n.lhs));
  }

  int sum() {
    int lhs = product();
    while (lhs >= 0) {
      skip_blanks();
      if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) break;
      const char op = text[pos++];
      const std::size_t op_at = pos - 1;
      const int rhs = product();
      if (rhs < 0) return -1;
      if (op == '+' && (is_text(lhs) || is_text(rhs))) {
        lhs = binary(node::kind::join, lhs, rhs);
        continue;
      }
      if (is_text(lhs) || is_text(rhs)) {
        fail(op_at, "'-' needs numbers; text works only with '+' (join) and 'text' * n");
        return -1;
      }
      lhs = binary(op == '+' ? node::kind::add : node::kind::subtract, lhs, rhs);
    }
    return lhs;
  }

  int product() {
    int lhs = unary();
    while (lhs >= 0) {
      skip_blanks();
      if (pos >= text.size() || (text[pos] != '*' && text[pos] != '/' && text[pos] != '%')) break;
      const char op = text[pos++];
      const std::size_t op_at = pos - 1;
      const int rhs = unary();
      if (rhs < 0) return -1;
      if (op == '*' && is_text(lhs) && !is_text(rhs)) {
        lhs = binary(node::kind::multiply, lhs, rhs);
        continue;
      }
      if (is_text(lhs) || is_text(rhs)) {
        fail(op_at, op == '*' ? "write the quoted text first: 'text' * n"
                              : std::string("'") + op + "' needs numbers, not quoted text");
        return -1;
      }
      lhs = binary(op == '*'   ? node::kind::multiply
                   : op == '/' ? node::kind::divide
                               : node::kind::modulo,
                   lhs, rhs);
    }
    return lhs;
  }

  int unary() {
    skip_blanks();
    if (pos < text.size() && text[pos] == '-') {
      const std::size_t at = pos++;
      if (++depth > max_depth) return fail(at, "expression nested too deeply"), -1;
      const int operand = unary();
      --depth;
      if (operand < 0) return -1;
      if (is_text(operand)) return fail(at, "'-' needs a number, not quoted text"), -1;
      node n;
      n.k = node::kind::negate;
      n.lhs = operand;
      return add(std::move(n));
    }
    return primary();
  }

  static bool is_ident_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  void skip_ident() {
    while (pos < text.size() && (text[pos] == '_' || std::isalnum(static_cast<unsigned char>(text[pos])))) ++pos;
  }

  // base64( expr ) or upper( expr ): pos is at "(".
  int call(std::size_t start, node::kind function) {
    const char* name = function == node::kind::base64 ? "base64" : "upper";
    ++pos;
    if (++depth > max_depth) return fail(start, "expression nested too deeply"), -1;
    const int argument = sum();
    --depth;
    if (argument < 0) return -1;
    skip_blanks();
    if (pos >= text.size() || text[pos] != ')') return fail(pos, std::string("expected ')' after the argument of ") + name), -1;
    ++pos;
    node n;
    n.k = function;
    n.lhs = argument;
    return add(std::move(n));
  }

  int primary() {
    skip_blanks();
    if (pos >= text.size()) return fail(pos, "expected a number, a name, 'text' or '('"), -1;
    const char c = text[pos];
    const std::size_t start = pos;
    if (c >= '0' && c <= '9') {
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      const auto n = parse_decimal(text.substr(start, pos - start));
      if (!n) return fail(start, "number too large"), -1;
      node out_node;
      out_node.k = node::kind::number;
      out_node.number = *n;
      return add(std::move(out_node));
    }
    if (c == '\'') {
      const std::size_t end = skip_quoted(text, pos);
      if (end == std::string_view::npos) return fail(start, "quoted text is not closed with '"), -1;
      std::size_t bad = 0;
      std::string why;
      auto body = unescape(text.substr(start + 1, end - start - 2), bad, why);
      if (!body) return fail(start + 1 + bad, why), -1;
      pos = end;
      node n;
      n.k = node::kind::text;
      n.text = std::move(*body);
      return add(std::move(n));
    }
    if (c == '(') {
      ++pos;
      if (++depth > max_depth) return fail(start, "expression nested too deeply"), -1;
      const int inner = sum();
      --depth;
      if (inner < 0) return -1;
      skip_blanks();
      if (pos >= text.size() || text[pos] != ')') return fail(pos, "expected ')'"), -1;
      ++pos;
      return inner;
    }
    if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      skip_ident();
      const auto word = text.substr(start, pos - start);
      if (pos < text.size() && text[pos] == '(' && (word == "base64" || word == "upper"))
        return call(start, word == "base64" ? node::kind::base64 : node::kind::upper);
      if (pos + 1 < text.size() && text[pos] == '.' && is_ident_start(text[pos + 1])) {
        ++pos;  // connection-qualified: a.apop_digest
        skip_ident();
      }
      if (pos < text.size() && text[pos] == '(')
        return fail(start, "unknown function '" + std::string(text.substr(start, pos - start)) + "' (the functions are base64 and upper)"), -1;
      node n;
      n.k = node::kind::name;
      n.text = std::string(text.substr(start, pos - start));
      bool seen = false;
      for (const auto& name : out.names_) seen = seen || name == n.text;
      if (!seen) out.names_.push_back(n.text);
      return add(std::move(n));
    }
    if (c == '$') return fail(start, "names inside ${...} are written without '$'"), -1;
    return fail(start, std::string("unexpected '") + c + "'"), -1;
  }
};

/// Evaluation: numbers are int64 with overflow checks; a name yields its bound text, which the
/// arithmetic operators convert to a number (so ${user} stays "007" but ${n+1} is 8).
struct expression_evaluator {
  const std::vector<node>& nodes;
  const value_lookup& lookup;
  std::string error;

  struct val {
    enum class kind { number, quoted, bound } k = kind::number;
    std::int64_t number = 0;
    std::string text;  // quoted text, or the text bound to `name`
    std::string name;
  };

  std::optional<std::int64_t> to_number(const val& v) {
    if (v.k == val::kind::number) return v.number;
    if (v.k == val::kind::bound) {
      if (const auto n = parse_decimal(v.text)) return n;
      fail("$" + v.name + " is \"" + printable(v.text, 40) + "\", not a number");
      return std::nullopt;
    }
    fail("quoted text used as a number");
    return std::nullopt;
  }

  std::optional<val> eval(int index) {
    const node& n = nodes[static_cast<std::size_t>(index)];
    switch (n.k) {
      case node::kind::number:
        return val{val::kind::number, n.number, {}, {}};
      case node::kind::text:
        return val{val::kind::quoted, 0, n.text, {}};
      case node::kind::name: {
        auto bound = lookup ? lookup(n.text) : std::nullopt;
        if (!bound) return fail("$" + n.text + " is not bound");
        return val{val::kind::bound, 0, std::move(*bound), n.text};
      }
      case node::kind::base64: {
        const auto v = eval(n.lhs);
        if (!v) return std::nullopt;
        return val{val::kind::quoted, 0, protocol::base64_encode(as_text(*v)), {}};
      }
      case node::kind::upper: {
        const auto v = eval(n.lhs);
        if (!v) return std::nullopt;
        std::string shouted = as_text(*v);
        for (char& c : shouted) {
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        return val{val::kind::quoted, 0, std::move(shouted), {}};
      }
      case node::kind::join: {
        const auto a = eval(n.lhs);
        if (!a) return std::nullopt;
        const auto b = eval(n.rhs);
        if (!b) return std::nullopt;
        return joined(as_text(*a) + as_text(*b));
      }
      case node::kind::negate: {
        const auto v = eval(n.lhs);
        const auto a = v ? to_number(*v) : std::nullopt;
        if (!a) return std::nullopt;
        if (*a == std::numeric_limits<std::int64_t>::min()) return fail("integer overflow");
        return val{val::kind::number, -*a, {}, {}};
      }
      default:
        break;
    }
    const auto lhs = eval(n.lhs);
    if (!lhs) return std::nullopt;
    const auto rhs = eval(n.rhs);
    if (!rhs) return std::nullopt;
    const auto b = to_number(*rhs);
    if (!b) return std::nullopt;
    if (n.k == node::kind::multiply && lhs->k == val::kind::quoted) return repeat(lhs->text, *b);
    const auto a = to_number(*lhs);
    if (!a) return std::nullopt;
    std::int64_t r = 0;
    bool overflow = false;
    switch (n.k) {
      case node::kind::add:
        overflow = __builtin_add_overflow(*a, *b, &r);
        break;
      case node::kind::subtract:
        overflow = __builtin_sub_overflow(*a, *b, &r);
        break;
      case node::kind::multiply:
        overflow = __builtin_mul_overflow(*a, *b, &r);
        break;
      case node::kind::divide:
      case node::kind::modulo:
        if (*b == 0) return fail("division by zero");
        overflow = *a == std::numeric_limits<std::int64_t>::min() && *b == -1;
        if (!overflow) r = n.k == node::kind::divide ? *a / *b : *a % *b;
        break;
      default:
        return fail("malformed expression");
    }
    if (overflow) return fail("integer overflow");
    return val{val::kind::number, r, {}, {}};
  }

  static std::string as_text(const val& v) { return v.k == val::kind::number ? std::to_string(v.number) : v.text; }

  std::optional<val> joined(std::string text) {
    if (text.size() > expression::max_repeat_octets)
      return fail("the text would exceed " + std::to_string(expression::max_repeat_octets) + " octets");
    return val{val::kind::quoted, 0, std::move(text), {}};
  }

  std::optional<val> repeat(const std::string& text, std::int64_t times) {
    if (times < 0) return fail("cannot repeat " + std::to_string(times) + " times");
    const auto count = static_cast<std::uint64_t>(times);
    if (!text.empty() && count > expression::max_repeat_octets / text.size())
      return fail("the repetition would exceed " + std::to_string(expression::max_repeat_octets) + " octets");
    val v{val::kind::quoted, 0, {}, {}};
    v.text.reserve(text.size() * count);
    for (std::uint64_t i = 0; i < count; ++i) v.text += text;
    return v;
  }

  std::nullopt_t fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return std::nullopt;
  }
};

}  // namespace detail

expression_parse_result expression::parse(std::string_view text) {
  auto made = std::shared_ptr<expression>(new expression());
  made->source_ = std::string(text);
  detail::expression_parser p{text, 0, 0, {}, 0, *made};
  const int root = p.sum();
  if (root >= 0) {
    p.skip_blanks();
    if (p.pos < text.size()) p.fail(p.pos, std::string("unexpected '") + text[p.pos] + "'");
  }
  if (!p.error.empty()) return {nullptr, p.error, p.error_at};
  made->root_ = root;
  return {std::move(made), {}, 0};
}

eval_result expression::evaluate(const value_lookup& lookup) const {
  if (root_ < 0) return {std::nullopt, "empty expression"};
  detail::expression_evaluator e{nodes_, lookup, {}};
  auto v = e.eval(root_);
  if (!v) return {std::nullopt, e.error};
  if (v->k == detail::expression_evaluator::val::kind::number) return {std::to_string(v->number), {}};
  return {std::move(v->text), {}};
}

bool is_valid_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace pop3::harness
