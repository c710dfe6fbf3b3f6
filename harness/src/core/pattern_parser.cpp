// Parsing what follows "S:" (and each:/has:/lacks:): alternatives, outcome markers and tokens.
#include <algorithm>
#include <exception>

#include "pop3/harness/matcher.hpp"
#include "text.hpp"

namespace pop3::harness {
namespace {

struct raw_token {
  std::string_view text;
  int column = 0;
};

/// Flow: split() cuts the text into raw tokens (regexes, ${...} and <...> kept whole);
/// build() turns each alternative's raw tokens into an outcome.
class outcomes_parser {
 public:
  outcomes_parser(std::string_view text, int column) : text_(text), column_(column) {}

  outcomes_parse_result run() {
    std::vector<std::vector<raw_token>> groups(1);
    std::vector<int> bar_columns;
    for (const raw_token& t : split()) {
      if (t.text == "|") {
        groups.emplace_back();
        bar_columns.push_back(t.column);
      } else {
        groups.back().push_back(t);
      }
    }
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (groups[i].empty() && groups.size() > 1) {
        error(i < bar_columns.size() ? bar_columns[i] : bar_columns.back(), "empty alternative",
              "write an outcome on each side of '|', e.g. S: -ERR | <closed>");
        continue;
      }
      build(groups[i]);
    }
    return std::move(result_);
  }

 private:
  std::vector<raw_token> split() {
    std::vector<raw_token> tokens;
    std::size_t i = 0;
    while (i < text_.size()) {
      if (detail::is_blank(text_[i])) {
        ++i;
        continue;
      }
      const std::size_t start = i;
      std::size_t end = std::string_view::npos;
      if (text_.substr(i, 2) == "~/") {
        end = detail::skip_regex(text_, i + 1);
        if (end == std::string_view::npos) {
          error(col(start), "regex is not closed with '/'", "write ~/regex/ (escape a '/' inside as \\/)");
          return tokens;
        }
        while (end < text_.size() && !detail::is_blank(text_[end])) ++end;  // flags
      } else if (text_.substr(i, 2) == "${") {
        end = detail::skip_braces(text_, i + 1);
        if (end == std::string_view::npos) {
          error(col(start), "${ is not closed with '}'", "write ${expression}, e.g. ${count-1}");
          return tokens;
        }
        while (end < text_.size() && !detail::is_blank(text_[end])) ++end;
      } else if (is_marker(text_.substr(i))) {
        end = text_.find('>', i);
        end = end == std::string_view::npos ? text_.size() : end + 1;
      } else {
        end = i;
        while (end < text_.size() && !detail::is_blank(text_[end])) ++end;
      }
      tokens.push_back({text_.substr(start, end - start), col(start)});
      i = end;
    }
    return tokens;
  }

  void build(std::vector<raw_token> raw) {
    outcome out;
    if (raw.size() > 1 && raw.back().text.starts_with(inconclusive_marker)) {
      if (!inconclusive(raw.back(), out)) return;
      raw.pop_back();
    }
    if (raw.size() == 1 && is_marker(raw[0].text)) {
      if (marker(raw[0], out)) result_.alternatives.push_back(std::move(out));
      return;
    }
    const std::size_t first = raw.empty() ? 0 : static_cast<std::size_t>(raw.front().column - column_);
    const std::size_t last =
        raw.empty() ? 0 : static_cast<std::size_t>(raw.back().column - column_) + raw.back().text.size();
    out.pattern.source = std::string(text_.substr(first, last - first));
    if (raw.size() == 1 && raw[0].text.starts_with("~/")) {
      out.pattern.line_regex = compile(raw[0]);
      if (out.pattern.line_regex) result_.alternatives.push_back(std::move(out));
      return;
    }
    bool ok = true;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const bool after_status = i == 1 && out.pattern.tokens[0].k == pattern_token::kind::literal &&
                                (out.pattern.tokens[0].text == "+OK" || out.pattern.tokens[0].text == "-ERR");
      pattern_token t;
      ok = token(raw[i], after_status, i + 1 == raw.size(), t) && ok;
      out.pattern.tokens.push_back(std::move(t));
    }
    if (ok) result_.alternatives.push_back(std::move(out));
  }

  static constexpr std::string_view inconclusive_marker = "<inconclusive:";

  bool inconclusive(const raw_token& r, outcome& out) {
    const std::string_view reason =
        r.text.ends_with(">") ? detail::trim(r.text.substr(inconclusive_marker.size(),
                                                           r.text.size() - inconclusive_marker.size() - 1))
                              : std::string_view();
    if (reason.empty()) {
      return error(r.column, "<inconclusive:> needs a reason",
                   "write e.g. S: -ERR | +OK <inconclusive: the server takes no lock> (no '>' inside)");
    }
    out.inconclusive = std::string(reason);
    return true;
  }

  bool marker(const raw_token& r, outcome& out) {
    if (r.text == "<closed>") {
      out.k = outcome::kind::closed;
      return true;
    }
    if (r.text == "<close-notify>") {
      out.k = outcome::kind::close_notify;
      return true;
    }
    if (r.text.starts_with("<silence") && r.text.ends_with(">")) {
      const auto d = detail::parse_duration(detail::trim(r.text.substr(8, r.text.size() - 9)));
      if (d && d->count() > 0) {
        out.k = outcome::kind::silence;
        out.silence = *d;
        return true;
      }
      return error(r.column, "bad duration in " + std::string(r.text),
                   "write e.g. <silence 2s> (units ms, s, m, h)");
    }
    return error(r.column, "unknown marker " + std::string(r.text),
                 "use <closed> (the server closes the connection), <close-notify> (it ends TLS with a "
                 "close_notify alert, then closes) or <silence 2s> (nothing arrives)");
  }

  bool token(const raw_token& r, bool after_status, bool last, pattern_token& t) {
    t.column = r.column;
    const std::string_view s = r.text;
    if (s == "*") {
      t.k = pattern_token::kind::any;
      return true;
    }
    if (s == "...") {
      t.k = pattern_token::kind::rest;
      if (!last)
        return error(r.column, "'...' must be the last token", "'...' stands for the rest of the line");
      return true;
    }
    if (s.starts_with(inconclusive_marker)) {
      return error(r.column, "<inconclusive: ...> must end its alternative",
                   "write it last, after the outcome it qualifies, e.g. S: -ERR | +OK <inconclusive: why>");
    }
    if (is_marker(s)) {
      return error(r.column, std::string(s) + " must be an alternative on its own",
                   "separate it with '|', e.g. S: -ERR | <closed>");
    }
    if (s.starts_with("~/")) {
      t.k = pattern_token::kind::regex;
      t.text = std::string(s);
      t.re = compile(r);
      return t.re != nullptr;
    }
    if (s.starts_with("${")) {
      const std::size_t close = detail::skip_braces(s, 1);
      if (close != s.size()) {
        return error(r.column + static_cast<int>(close), "text after ${...} in the same token",
                     "a token is either literal or a whole ${...}; use a regex for partial matches");
      }
      t.k = pattern_token::kind::expression;
      auto parsed = expression::parse(s.substr(2, s.size() - 3));
      if (!parsed.value) {
        return error(r.column + 2 + static_cast<int>(parsed.offset), parsed.error,
                     "expressions use numbers, names without '$', + - * / % and 'text' * n");
      }
      t.expr = std::move(parsed.value);
      t.text = std::string(s);
      return true;
    }
    if (s.starts_with("$") && s.size() > 1 && s[1] != '$') {
      if (!is_valid_name(s.substr(1))) {
        return error(
            r.column, "bad capture name " + std::string(s),
            "a capture is a whole token: $ followed by letters, digits or '_' (write $$ for a literal $)");
      }
      t.k = pattern_token::kind::capture;
      t.text = std::string(s.substr(1));
      return true;
    }
    if (after_status && s.front() == '[' && s.back() != ']' && s.find(']') != std::string_view::npos) {
      return error(r.column, "text after the response code in " + std::string(s),
                   "write the code alone, e.g. S: -ERR [IN-USE]: any text may follow a status pattern");
    }
    if (after_status && s.size() >= 3 && s.front() == '[' && s.back() == ']') {
      t.k = pattern_token::kind::response_code;
      t.text = std::string(s.substr(1, s.size() - 2));
      return true;
    }
    // A literal: "$$" stands for "$"; any other "$" is a mistake.
    t.k = pattern_token::kind::literal;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$') {
        t.text.push_back(s[i]);
      } else if (i + 1 < s.size() && s[i + 1] == '$') {
        t.text.push_back('$');
        ++i;
      } else {
        return error(r.column + static_cast<int>(i), "'$' inside a token",
                     "a capture is a whole token ($name); write $$ for a literal $ or use a regex");
      }
    }
    return true;
  }

  std::shared_ptr<const std::regex> compile(const raw_token& r) {
    const std::string_view s = r.text;
    const std::size_t close = detail::skip_regex(s, 1);
    const std::string_view body = s.substr(2, close - 3);
    const std::string_view flags = s.substr(close);
    auto options = std::regex::ECMAScript | std::regex::nosubs;
    if (flags == "i") {
      options |= std::regex::icase;
    } else if (!flags.empty()) {
      error(r.column + static_cast<int>(close), "unknown regex flag(s) '" + std::string(flags) + "'",
            "the only flag is i (case-insensitive): ~/regex/i");
      return nullptr;
    }
    if (const std::string why = too_complex(body); !why.empty()) {
      error(r.column, "regex too complex: " + why,
            "keep regexes under 1024 characters, 32 nested groups "
            "and small {n} counts");
      return nullptr;
    }
    try {
      return std::make_shared<const std::regex>(std::string(body), options);
    } catch (const std::exception& e) {
      error(r.column, "bad regex: " + std::string(e.what()),
            "regexes use ECMAScript syntax, e.g. ~/^\\d+ \\d+$/");
      return nullptr;
    }
  }

  // std::regex builds one automaton state per repeated atom and recurses on nesting, so cap both.
  static std::string too_complex(std::string_view body) {
    if (body.size() > 1024) return "longer than 1024 characters";
    int depth = 0;
    std::size_t weight = 1;
    for (std::size_t i = 0; i < body.size(); ++i) {
      const char c = body[i];
      if (c == '\\') {
        ++i;
      } else if (c == '(') {
        if (++depth > 32) return "more than 32 nested groups";
      } else if (c == ')') {
        --depth;
      } else if (c == '{') {
        std::size_t n = 0, j = i + 1;
        for (; j < body.size() && ((body[j] >= '0' && body[j] <= '9') || body[j] == ','); ++j) {
          if (body[j] != ',')
            n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(body[j] - '0'), 1u << 20);
        }
        weight *= n + 1;
        if (weight * body.size() > 200'000) return "{n} counts too large";
        i = j;
      }
    }
    return {};
  }

  static bool is_marker(std::string_view s) {
    return s.starts_with("<closed") || s.starts_with("<close-notify") || s.starts_with("<silence") ||
           s.starts_with(inconclusive_marker);
  }

  [[nodiscard]] int col(std::size_t offset) const { return column_ + static_cast<int>(offset); }

  bool error(int column, std::string message, std::string hint) {
    result_.errors.push_back({column, std::move(message), std::move(hint)});
    return false;
  }

  std::string_view text_;
  int column_;
  outcomes_parse_result result_;
};

}  // namespace

outcomes_parse_result parse_outcomes(std::string_view text, int column) {
  return outcomes_parser(text, column).run();
}

counts_parse_result parse_counts(std::string_view text, int column) {
  counts_parse_result out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t bar = std::min(text.find('|', start), text.size());
    const std::string_view part = text.substr(start, bar - start);
    const std::size_t lead = part.find_first_not_of(" \t");
    auto parsed = expression::parse(detail::trim(part));
    if (parsed.value) {
      out.counts.push_back(std::move(parsed.value));
    } else {
      const std::size_t at = start + (lead == std::string_view::npos ? 0 : lead) + parsed.offset;
      out.errors.push_back({column + static_cast<int>(at), parsed.error,
                            "write a number or an expression without ${}, e.g. size1, count+1 or 4 | 5"});
    }
    start = bar + 1;
  }
  return out;
}

}  // namespace pop3::harness
