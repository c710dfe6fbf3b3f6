// Matching server lines against line patterns, and received blocks against block checks.
#include "pop3/harness/matcher.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "text.hpp"

namespace pop3::harness {
namespace {

using captures_t = std::vector<std::pair<std::string, std::string>>;

/// Bindings seen so far in this match first, then the caller's.
value_lookup chain(const captures_t& local, const value_lookup& outer) {
  return [&local, &outer](std::string_view name) -> std::optional<std::string> {
    for (const auto& [k, v] : local) {
      if (k == name) return v;
    }
    return outer ? outer(name) : std::nullopt;
  };
}

std::vector<std::string_view> split_tokens(std::string_view line) {
  std::vector<std::string_view> out;
  if (line.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t sp = line.find(' ', start);
    out.push_back(line.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return out;
}

bool regex_accepts(const std::regex& re, std::string_view subject, bool whole, std::string& why) {
  if (subject.size() > max_regex_subject_octets) {
    why = "the text is too long for a regex check (" + std::to_string(subject.size()) + " octets)";
    return false;
  }
  const bool ok = whole ? std::regex_match(subject.begin(), subject.end(), re)
                        : std::regex_search(subject.begin(), subject.end(), re);
  return ok;
}

bool same_value(std::string_view actual, const std::string& expected) {
  if (actual == expected) return true;
  const auto a = detail::parse_decimal(actual);
  const auto b = detail::parse_decimal(expected);
  return a && b && *a == *b;
}

std::string quoted(std::string_view s) { return "\"" + detail::printable(s, 200) + "\""; }

}  // namespace

bool response_code_matches(std::string_view pattern_code, std::string_view actual) noexcept {
  if (actual.size() < 3 || actual.front() != '[' || actual.back() != ']') return false;
  actual = actual.substr(1, actual.size() - 2);
  // Every level of the pattern must equal the actual level at the same depth.
  for (;;) {
    const std::size_t p = pattern_code.find('/');
    const std::size_t a = actual.find('/');
    if (!detail::iequals(pattern_code.substr(0, p), actual.substr(0, a))) return false;
    if (p == std::string_view::npos) return true;
    if (a == std::string_view::npos) return false;
    pattern_code.remove_prefix(p + 1);
    actual.remove_prefix(a + 1);
  }
}

match_result match_line(const line_pattern& pattern, std::string_view line, line_role role,
                        const value_lookup& lookup) {
  match_result r;
  if (pattern.line_regex) {
    std::string why;
    r.matched = regex_accepts(*pattern.line_regex, line, false, why);
    r.why = r.matched ? "" : why.empty() ? "the line does not match " + pattern.source : why;
    return r;
  }
  const auto tokens = split_tokens(line);
  const value_lookup bound = chain(r.captures, lookup);
  std::size_t j = 0;
  for (const pattern_token& t : pattern.tokens) {
    if (t.k == pattern_token::kind::rest) {
      r.matched = true;
      return r;
    }
    const std::string at = "token " + std::to_string(j + 1) + ": ";
    if (j >= tokens.size()) {
      r.why =
          at + "expected " + render_pattern(line_pattern{t.text, {t}, nullptr}, bound) + ", got end of line";
      r.captures.clear();
      return r;
    }
    const std::string_view actual = tokens[j++];
    std::string why;
    switch (t.k) {
      case pattern_token::kind::literal:
        if (actual != t.text) why = "expected " + quoted(t.text) + ", got " + quoted(actual);
        break;
      case pattern_token::kind::any:
        if (actual.empty()) why = "expected a token, got an empty one (two spaces in a row)";
        break;
      case pattern_token::kind::capture:
        if (const auto v = bound(t.text)) {
          if (actual != *v) why = "expected $" + t.text + " = " + quoted(*v) + ", got " + quoted(actual);
        } else if (actual.empty()) {
          why = "expected a token for $" + t.text + ", got an empty one (two spaces in a row)";
        } else {
          r.captures.emplace_back(t.text, std::string(actual));
        }
        break;
      case pattern_token::kind::expression: {
        const auto v = t.expr->evaluate(bound);
        if (!v.value) {
          why = t.text + ": " + v.error;
        } else if (!same_value(actual, *v.value)) {
          why = "expected " + t.text + " = " + quoted(*v.value) + ", got " + quoted(actual);
        }
        break;
      }
      case pattern_token::kind::regex:
        if (!regex_accepts(*t.re, actual, true, why) && why.empty())
          why = quoted(actual) + " does not match " + t.text;
        break;
      case pattern_token::kind::response_code:
        if (!response_code_matches(t.text, actual))
          why = "expected response code [" + t.text + "], got " + quoted(actual);
        break;
      case pattern_token::kind::rest:
        break;
    }
    if (!why.empty()) {
      r.why = at + why;
      r.captures.clear();
      return r;
    }
  }
  if (role == line_role::data && j < tokens.size()) {
    std::size_t offset = 0;
    for (std::size_t k = 0; k < j; ++k) offset += tokens[k].size() + 1;
    r.why = "unexpected text after the pattern: " + quoted(line.substr(std::min(offset, line.size())));
    r.captures.clear();
    return r;
  }
  r.matched = true;
  return r;
}

std::string render_pattern(const line_pattern& pattern, const value_lookup& lookup) {
  if (pattern.line_regex) return pattern.source;
  std::string out;
  for (const pattern_token& t : pattern.tokens) {
    if (!out.empty()) out.push_back(' ');
    switch (t.k) {
      case pattern_token::kind::literal:
        out += t.text;
        break;
      case pattern_token::kind::any:
        out += "*";
        break;
      case pattern_token::kind::rest:
        out += "...";
        break;
      case pattern_token::kind::capture: {
        const auto v = lookup ? lookup(t.text) : std::nullopt;
        out += v ? *v : "$" + t.text;
        break;
      }
      case pattern_token::kind::expression: {
        const auto v = t.expr->evaluate(lookup);
        out += v.value ? *v.value : t.text;
        break;
      }
      case pattern_token::kind::regex:
        out += t.text;
        break;
      case pattern_token::kind::response_code:
        out += "[" + t.text + "]";
        break;
    }
  }
  return out;
}

std::string render_outcomes(const std::vector<outcome>& alternatives, const value_lookup& lookup) {
  std::string out;
  for (const outcome& o : alternatives) {
    if (!out.empty()) out += " | ";
    switch (o.k) {
      case outcome::kind::line:
        out += render_pattern(o.pattern, lookup);
        break;
      case outcome::kind::closed:
        out += "<closed>";
        break;
      case outcome::kind::close_notify:
        out += "<close-notify>";
        break;
      case outcome::kind::silence:
        out += "<silence " + detail::format_duration(o.silence) + ">";
        break;
    }
    if (!o.inconclusive.empty()) out += " <inconclusive: " + o.inconclusive + ">";
  }
  return out;
}

namespace {

block_result block_fail(const source_location& where, std::string expected, std::string actual,
                        std::string why) {
  block_result r;
  r.where = where;
  r.expected = std::move(expected);
  r.actual = std::move(actual);
  r.why = std::move(why);
  return r;
}

// The first line where two CRLF texts differ, for a readable body mismatch.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::size_t line = 1, start = 0;
  for (;;) {
    const std::size_t e_end = expected.find("\r\n", start);
    const std::size_t a_end = actual.find("\r\n", start);
    const std::string_view e = std::string_view(expected).substr(
        std::min(start, expected.size()), e_end == std::string::npos ? std::string::npos : e_end - start);
    const std::string_view a = std::string_view(actual).substr(
        std::min(start, actual.size()), a_end == std::string::npos ? std::string::npos : a_end - start);
    if (e != a || e_end != a_end) {
      return "line " + std::to_string(line) + ": expected " + quoted(e) + ", got " + quoted(a);
    }
    if (e_end == std::string::npos) return "the contents differ";
    start = e_end + 2;
    ++line;
  }
}

// A CRLF text's lines up to its first empty line (the header), and everything after that line.
std::pair<std::vector<std::string_view>, std::string_view> split_message(std::string_view text) {
  std::vector<std::string_view> header;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find("\r\n", start);
    const std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const std::size_t next = end == std::string_view::npos ? text.size() : end + 2;
    if (line.empty()) return {std::move(header), text.substr(next)};
    header.push_back(line);
    start = next;
  }
  return {std::move(header), std::string_view()};
}

// same: the content is the fixture's message as a store that rewrites headers between sessions
// keeps it: the body exactly, every header line of the fixture in its order, and any further
// header fields the server added (mbox servers add Status:, X-UID:, X-IMAPbase:; an LMTP store
// adds Return-Path: and Received:). "" when it is the same message, else what differs.
std::string same_message_difference(const std::string& expected, const std::string& actual) {
  const auto [want_header, want_body] = split_message(expected);
  const auto [got_header, got_body] = split_message(actual);
  if (want_body != got_body) {
    return "the body differs (" + std::to_string(want_body.size()) + " octets expected, " +
           std::to_string(got_body.size()) + " sent)";
  }
  std::size_t at = 0;
  for (const std::string_view line : want_header) {
    while (at < got_header.size() && got_header[at] != line) ++at;
    if (at == got_header.size()) return "header line " + quoted(line) + " missing or out of order";
    ++at;
  }
  return "";
}

}  // namespace

block_result check_block(const response_block& block, const block_data& data, const value_lookup& lookup) {
  captures_t captures;
  const value_lookup bound = chain(captures, lookup);
  const auto& wire = data.wire_lines;
  const std::string count = std::to_string(wire.size()) + " data lines";
  if (!block.lines.empty()) {
    for (std::size_t i = 0; i < block.lines.size(); ++i) {
      const block_line& bl = block.lines[i];
      if (i >= wire.size()) {
        return block_fail(bl.where, render_pattern(bl.pattern, bound),
                          "\".\" (end of block after " + count + ")",
                          "the block has fewer lines than the scenario lists");
      }
      const auto m = match_line(bl.pattern, wire[i], line_role::data, bound);
      if (!m.matched)
        return block_fail(bl.where, render_pattern(bl.pattern, bound), detail::printable(wire[i]), m.why);
      captures.insert(captures.end(), m.captures.begin(), m.captures.end());
    }
    if (wire.size() > block.lines.size()) {
      return block_fail(block.end, "\".\"", detail::printable(wire[block.lines.size()]),
                        "the block has more lines than the scenario lists (" + count + ")");
    }
  }
  for (const block_check& c : block.checks) {
    switch (c.k) {
      case block_check::kind::lines:
      case block_check::kind::octets: {
        const bool lines = c.k == block_check::kind::lines;
        const std::string actual = std::to_string(lines ? wire.size() : data.content.size());
        std::string expected;
        bool matched = false;
        for (const auto& wanted : c.counts) {
          const auto v = wanted->evaluate(bound);
          if (!v.value) return block_fail(c.where, "${" + wanted->source() + "}", "", v.error);
          matched = matched || same_value(actual, *v.value);
          expected += (expected.empty() ? "" : " or ") + *v.value;
        }
        if (!matched) {
          const std::string unit = lines ? " data lines" : " octets";
          return block_fail(c.where, expected + unit, actual + unit, "");
        }
        break;
      }
      case block_check::kind::each:
        for (std::size_t i = 0; i < wire.size(); ++i) {
          const auto m = match_line(c.pattern, wire[i], line_role::data, bound);
          if (!m.matched) {
            return block_fail(c.where, "every line to match " + render_pattern(c.pattern, bound),
                              detail::printable(wire[i]),
                              "data line " + std::to_string(i + 1) + ": " + m.why);
          }
        }
        break;
      case block_check::kind::has:
      case block_check::kind::lacks: {
        const bool want = c.k == block_check::kind::has;
        const auto hit = std::find_if(wire.begin(), wire.end(), [&](const std::string& l) {
          return match_line(c.pattern, l, line_role::data, bound).matched;
        });
        if (want && hit == wire.end()) {
          return block_fail(c.where, "a line matching " + render_pattern(c.pattern, bound),
                            "none of " + count, "");
        }
        if (!want && hit != wire.end()) {
          return block_fail(c.where, "no line matching " + render_pattern(c.pattern, bound),
                            detail::printable(*hit), "data line " + std::to_string(hit - wire.begin() + 1));
        }
        break;
      }
      case block_check::kind::body:
        if (data.content != c.body) {
          return block_fail(
              c.where, "the content of " + c.label + " (" + std::to_string(c.body.size()) + " octets)",
              std::to_string(data.content.size()) + " octets", first_difference(c.body, data.content));
        }
        break;
      case block_check::kind::same:
        if (const std::string why = same_message_difference(c.body, data.content); !why.empty()) {
          return block_fail(c.where, "the same message as " + c.label + " (its header lines and body)",
                            std::to_string(data.content.size()) + " octets", why);
        }
        break;
    }
  }
  block_result ok;
  ok.ok = true;
  ok.captures = std::move(captures);
  return ok;
}

}  // namespace pop3::harness
