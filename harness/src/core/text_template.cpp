// Text templates: what C: and raw: send, with $name / ${expr} parts.
#include <cctype>

#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

void add_literal(text_template& t, std::string text) {
  if (text.empty()) return;
  if (!t.parts.empty() && !t.parts.back().expr) {
    t.parts.back().literal += text;
  } else {
    t.parts.push_back({std::move(text), nullptr});
  }
}

}  // namespace

template_parse_result parse_template(std::string_view text, int column, bool escapes) {
  template_parse_result r;
  r.value.source = std::string(text);
  std::string literal;
  std::size_t literal_start = 0;
  auto flush = [&](std::size_t literal_end) {
    if (escapes) {
      std::size_t bad = 0;
      std::string why;
      auto decoded = unescape(literal, bad, why);
      if (!decoded) {
        r.errors.push_back({column + static_cast<int>(literal_start + bad), why,
                            "escapes are \\r \\n \\t \\0 \\\\ \\\" \\' and \\xNN"});
      } else {
        add_literal(r.value, std::move(*decoded));
      }
    } else {
      add_literal(r.value, literal);
    }
    literal.clear();
    literal_start = literal_end;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') {
      literal.push_back(text[i++]);
      continue;
    }
    const int at = column + static_cast<int>(i);
    if (i + 1 < text.size() && text[i + 1] == '$') {
      literal.push_back('$');
      i += 2;
      continue;
    }
    std::string_view source;
    std::size_t next = i + 1;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      const std::size_t end = skip_braces(text, i + 1);
      if (end == std::string_view::npos) {
        r.errors.push_back({at, "${ is not closed with '}'", "write ${expression}, e.g. ${'a'*300}"});
        return r;
      }
      source = text.substr(i + 2, end - i - 3);
      next = end;
    } else {
      const auto skip_ident = [&] {
        while (next < text.size() && (text[next] == '_' || std::isalnum(static_cast<unsigned char>(text[next]))))
          ++next;
      };
      skip_ident();
      // $a.timestamp: a connection-qualified built-in (a dot followed by a letter).
      if (next + 1 < text.size() && text[next] == '.' && std::isalpha(static_cast<unsigned char>(text[next + 1]))) {
        ++next;
        skip_ident();
      }
      source = text.substr(i + 1, next - i - 1);
      if (!is_valid_name(source.substr(0, source.find('.')))) {
        r.errors.push_back({at, "'$' without a name", "write $name, ${expression}, or $$ for a literal $"});
        literal.push_back('$');
        ++i;
        continue;
      }
    }
    flush(i);
    auto parsed = expression::parse(source);
    if (!parsed.value) {
      const int offset = text[i + 1] == '{' ? 2 : 1;
      r.errors.push_back({at + offset + static_cast<int>(parsed.offset), parsed.error,
                          "expressions use numbers, names without '$', + - * / % and 'text' * n"});
    } else {
      r.value.parts.push_back({{}, std::move(parsed.value)});
    }
    i = next;
    literal_start = next;
  }
  flush(text.size());
  return r;
}

std::vector<std::string> template_names(const text_template& t) {
  std::vector<std::string> out;
  for (const auto& p : t.parts) {
    if (p.expr) out.insert(out.end(), p.expr->names().begin(), p.expr->names().end());
  }
  return out;
}

std::optional<std::string> render_template(const text_template& t, const value_lookup& lookup,
                                           std::string& error) {
  std::string out;
  for (const auto& p : t.parts) {
    if (!p.expr) {
      out += p.literal;
      continue;
    }
    auto v = p.expr->evaluate(lookup);
    if (!v.value) {
      error = "${" + p.expr->source() + "}: " + v.error;
      return std::nullopt;
    }
    out += *v.value;
  }
  return out;
}

}  // namespace pop3::harness::detail
