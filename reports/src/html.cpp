// The HTML matrix: one self-contained page (inline CSS, no scripts, no external resources).
#include <string>
#include <string_view>

#include "file_output.hpp"
#include "matrix_model.hpp"
#include "pop3/reports/matrix.hpp"
#include "pop3/reports/text.hpp"

namespace pop3::reports {
namespace {

std::string html_text(std::string_view text) {
  std::string out;
  for (const char c : visible_text(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr std::string_view style = R"(body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}
td.cell{text-align:center;white-space:nowrap}
.pass{background:#d4f7d4}.fail{background:#f9c9c9}.error{background:#fde2b8}
.skip{background:#eeeeee;color:#666}.known-failure{background:#e6dcf5}.unexpected-pass{background:#fff3a8}
.missing{color:#999})";

void header_row(std::ostream& out, std::string_view first, std::string_view second,
                const std::vector<std::string>& columns) {
  out << "<tr><th>" << first << "</th>";
  if (!second.empty()) out << "<th>" << second << "</th>";
  for (const auto& c : columns) out << "<th>" << html_text(c) << "</th>";
  out << "</tr>\n";
}

}  // namespace

void write_html(const std::vector<run_report>& reports, std::ostream& out, const matrix_options& options) {
  const auto m = detail::build_matrix(reports, options);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << html_text(m.title)
      << "</title>\n<style>" << style << "</style></head>\n<body>\n<h1>" << html_text(m.title) << "</h1>\n";

  out << "<table>\n";
  header_row(out, m.row_heading, "Level", m.columns);
  for (const auto& row : m.rows) {
    out << "<tr><td>" << html_text(row.key) << "</td><td>" << detail::level_label(row.lvl) << "</td>";
    for (const auto& cell : row.cells) {
      if (cell) {
        out << "<td class=\"cell " << to_string(*cell) << "\">" << detail::symbol(*cell) << ' ' << to_string(*cell)
            << "</td>";
      } else {
        out << "<td class=\"cell missing\">not run</td>";
      }
    }
    out << "</tr>\n";
  }
  out << "</table>\n<h2>Summary by level</h2>\n<table>\n";
  header_row(out, "Level", "", m.columns);
  for (std::size_t l = 0; l < level_count; ++l) {
    out << "<tr><td>" << detail::level_label(static_cast<level>(l)) << "</td>";
    for (const auto& counts : m.by_level[l]) out << "<td>" << detail::describe(counts) << "</td>";
    out << "</tr>\n";
  }
  out << "<tr><td>Security findings</td>";  // across levels, as in the Markdown matrix
  for (const auto n : m.security) out << "<td>" << n << "</td>";
  out << "</tr>\n";
  out << "</table>\n<h2>Legend</h2>\n<table>\n";
  for (std::size_t i = 0; i < detail::disposition_count; ++i) {
    const auto d = static_cast<disposition>(i);
    out << "<tr><td class=\"cell " << to_string(d) << "\">" << detail::symbol(d) << ' ' << to_string(d)
        << "</td><td>" << detail::meaning(d) << "</td></tr>\n";
  }
  out << "</table>\n</body></html>\n";
}

void write_html(const std::vector<run_report>& reports, const std::filesystem::path& path,
                const matrix_options& options) {
  detail::write_file(path, [&](std::ostream& out) { write_html(reports, out, options); });
}

}  // namespace pop3::reports
