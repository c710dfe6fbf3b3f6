// The parser's entry point: phase 1 (lexing) and phase 2 (header, steps), diagnostics in order.
#include <algorithm>

#include "scenario_parse.hpp"

namespace pop3::harness {

std::string diagnostic::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message +
         "\n  hint: " + hint;
}

std::string requirement::to_string() const {
  const std::string name = fact ? std::string(fact_prefix) + tag : param.empty() ? tag : tag + "=" + param;
  return negated ? "!" + name : name;
}

parse_result parse_scenario(std::string_view text, std::string file_name, const include_resolver& resolve) {
  parse_result r;
  r.value.file = std::move(file_name);
  detail::diagnostics_sink sink(r.diagnostics);
  const auto lexed = detail::lex_scenario(text, r.value.file, resolve, sink);
  detail::apply_header(lexed.header, r.value, resolve, sink);
  detail::build_steps(lexed.steps, r.value, resolve, sink);
  // Scenario file first, then includes; each by position.
  const std::string& main = r.value.file;
  std::stable_sort(r.diagnostics.begin(), r.diagnostics.end(),
                   [&main](const diagnostic& a, const diagnostic& b) {
                     const bool a_main = a.file == main, b_main = b.file == main;
                     if (a_main != b_main) return a_main;
                     if (a.file != b.file) return a.file < b.file;
                     if (a.line != b.line) return a.line < b.line;
                     return a.column < b.column;
                   });
  return r;
}

}  // namespace pop3::harness
