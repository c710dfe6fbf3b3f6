// The Markdown matrix (GitHub-flavoured tables), for READMEs and CI job summaries.
#include <string>
#include <string_view>

#include "file_output.hpp"
#include "matrix_model.hpp"
#include "pop3/reports/matrix.hpp"
#include "pop3/reports/text.hpp"

namespace pop3::reports {
namespace {

// Text inside a table cell: visible, one line, and no character that Markdown would interpret
// (CommonMark lets any ASCII punctuation be backslash-escaped).
std::string cell_text(std::string_view text) {
  std::string out;
  for (const char c : visible_text(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|&!~#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

void table_header(std::ostream& out, std::string_view first, std::string_view second,
                  const std::vector<std::string>& columns) {
  out << "| " << first << " |";
  if (!second.empty()) out << ' ' << second << " |";
  for (const auto& c : columns) out << ' ' << cell_text(c) << " |";
  out << "\n|---|";
  if (!second.empty()) out << "---|";
  for (std::size_t i = 0; i < columns.size(); ++i) out << ":---:|";
  out << '\n';
}

}  // namespace

void write_markdown(const std::vector<run_report>& reports, std::ostream& out, const matrix_options& options) {
  const auto m = detail::build_matrix(reports, options);
  out << "# " << cell_text(m.title) << "\n\n";

  table_header(out, m.row_heading, "Level", m.columns);
  for (const auto& row : m.rows) {
    out << "| " << cell_text(row.key) << " | " << detail::level_label(row.lvl) << " |";
    for (const auto& cell : row.cells) {
      if (cell) {
        out << ' ' << detail::symbol(*cell) << ' ' << to_string(*cell) << " |";
      } else {
        out << " \u2014 |";  // not run on this server
      }
    }
    out << '\n';
  }

  out << "\n## Summary by level\n\n";
  table_header(out, "Level", "", m.columns);
  for (std::size_t l = 0; l < level_count; ++l) {
    out << "| " << detail::level_label(static_cast<level>(l)) << " |";
    for (const auto& counts : m.by_level[l]) {
      const std::string text = detail::describe(counts);
      out << ' ' << (text.empty() ? std::string("\u2014") : text) << " |";
    }
    out << '\n';
  }
  // Security findings cut across levels: a SHOULD can be one (scenario_result::security).
  out << "| Security findings |";
  for (const auto n : m.security) out << ' ' << n << " |";
  out << '\n';

  out << "\nLegend:";
  for (std::size_t i = 0; i < detail::disposition_count; ++i) {
    const auto d = static_cast<disposition>(i);
    out << (i == 0 ? " " : " \u00B7 ") << detail::symbol(d) << ' ' << to_string(d) << ": " << detail::meaning(d);
  }
  out << " \u00B7 \u2014: not run\n";
}

void write_markdown(const std::vector<run_report>& reports, const std::filesystem::path& path,
                    const matrix_options& options) {
  detail::write_file(path, [&](std::ostream& out) { write_markdown(reports, out, options); });
}

}  // namespace pop3::reports
