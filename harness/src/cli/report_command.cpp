// `pop3spec report`: several JSON reports -> one matrix (Markdown and/or HTML), and under it each
// column's report files and every failure with its message, so that a red cell leads to its
// transcript.
#include "report_command.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <fstream>
#include <sstream>

#include "exit_codes.hpp"
#include "pop3/reports/json.hpp"
#include "pop3/reports/matrix.hpp"
#include "pop3/reports/summary.hpp"
#include "pop3/reports/text.hpp"

namespace pop3::harness::cli {
namespace {

namespace fs = std::filesystem;
using reports::disposition;

struct column {
  std::string label;          ///< the column heading
  fs::path json;              ///< the report file as given
  std::string target;         ///< the report's own target (the heading replaces it in `report`)
  reports::run_report report;
};

// "LABEL=FILE" names the column; a '=' after a '/' belongs to the path.
column load_column(const std::string& input) {
  column c;
  c.json = input;
  const auto equals = input.find('=');
  if (equals != std::string::npos && input.find('/') > equals) {
    c.label = input.substr(0, equals);
    c.json = input.substr(equals + 1);
    if (c.label.empty() || c.json.empty()) throw usage_error("\"" + input + "\": expected LABEL=FILE.json");
  }
  try {
    c.report = reports::read_json(c.json);
  } catch (const reports::report_format_error& e) {
    throw usage_error(c.json.string() + ": " + e.what());
  }
  c.target = c.report.target;
  if (c.label.empty()) c.label = c.target.empty() ? c.json.stem().string() : c.target;
  c.report.target = c.label;  // the matrix heads each column with the report's target
  return c;
}

// What a reader must be able to trace: anything that is neither a plain pass nor a skip.
bool noteworthy(const reports::scenario_result& r) {
  const auto d = reports::classify(r);
  return d != disposition::pass && d != disposition::skip;
}

std::string outcome_counts(const reports::run_report& report) {
  constexpr std::array all{disposition::pass,  disposition::fail,          disposition::error,
                           disposition::skip,  disposition::known_failure, disposition::unexpected_pass};
  std::array<std::size_t, all.size()> counts{};
  for (const auto& r : report.results) ++counts[static_cast<std::size_t>(reports::classify(r))];
  std::string out;
  for (const auto d : all) {
    if (counts[static_cast<std::size_t>(d)] == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(counts[static_cast<std::size_t>(d)]) + " " + to_string(d);
  }
  return out.empty() ? "no results" : out;
}

// The report files beside a column's JSON (what `pop3spec run` and matrix.sh write there).
std::vector<fs::path> column_files(const column& c) {
  std::vector<fs::path> out{c.json};
  for (const char* name : {"junit.xml", "console.txt"}) {
    const auto sibling = c.json.parent_path() / name;
    std::error_code ec;
    if (sibling != c.json && fs::is_regular_file(sibling, ec)) out.push_back(sibling);
  }
  return out;
}

// Links work wherever the output and the reports are moved together: relative when possible.
std::string link_to(const fs::path& file, const fs::path& output) {
  std::error_code ec;
  const auto absolute = fs::absolute(file, ec);
  if (ec) return file.generic_string();
  const auto relative = fs::relative(absolute, fs::absolute(output, ec).parent_path(), ec);
  return (ec || relative.empty() ? absolute : relative).generic_string();
}

std::string one_line(std::string_view text) {
  std::string out = reports::visible_text(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

// CommonMark lets any ASCII punctuation be backslash-escaped; these would otherwise format.
std::string markdown_text(std::string_view text) {
  std::string out;
  for (const char c : one_line(text)) {
    if (std::string_view("\\`*_[]<>|&!~#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string html_text(std::string_view text) {
  std::string out;
  for (const char c : reports::visible_text(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string level_and_outcome(const reports::scenario_result& r) {
  std::string level = reports::to_string(r.lvl);
  for (char& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return level + " " + to_string(reports::classify(r)) + (r.security ? ", SECURITY finding" : "");
}

std::string rules_text(const reports::scenario_result& r) {
  std::string out;
  for (const auto& rule : r.rules) out += (out.empty() ? "" : " ") + rule;
  return out;
}

void markdown_appendix(const std::vector<column>& columns, const fs::path& output, std::ostream& out) {
  out << "\n## Columns\n\n| Column | Target | Started | Reports | Outcomes |\n|---|---|---|---|---|\n";
  for (const auto& c : columns) {
    out << "| " << markdown_text(c.label) << " | " << markdown_text(c.target) << " | "
        << markdown_text(c.report.started_at) << " |";
    const char* separator = " ";
    for (const auto& file : column_files(c)) {
      out << separator << '[' << markdown_text(file.filename().string()) << "](<" << link_to(file, output) << ">)";
      separator = " \u00B7 ";
    }
    out << " | " << outcome_counts(c.report) << " |\n";
  }
  out << "\n## Failures, errors and unexpected passes\n\n"
         "Per column, every result that is not a pass or a skip: the scenario, its level and outcome, the rules "
         "it checks and the harness's message. The transcript is in the column's junit.xml (the test case's "
         "`<system-out>`), results.json and the HTML matrix.\n";
  for (const auto& c : columns) {
    out << "\n### " << markdown_text(c.label) << "\n\n";
    std::size_t listed = 0;
    for (const auto& r : c.report.results) {
      if (!noteworthy(r)) continue;
      ++listed;
      out << "- `" << one_line(r.id) << "` (" << level_and_outcome(r) << "; " << markdown_text(rules_text(r))
          << "): " << markdown_text(r.message.empty() ? "(no message)" : r.message) << '\n';
    }
    if (listed == 0) out << "None.\n";
  }
}

void html_appendix(const std::vector<column>& columns, const fs::path& output, std::ostream& out) {
  out << "<h2>Columns</h2>\n<table>\n<tr><th>Column</th><th>Target</th><th>Started</th><th>Reports</th>"
         "<th>Outcomes</th></tr>\n";
  for (const auto& c : columns) {
    out << "<tr><td>" << html_text(c.label) << "</td><td>" << html_text(c.target) << "</td><td>"
        << html_text(c.report.started_at) << "</td><td>";
    const char* separator = "";
    for (const auto& file : column_files(c)) {
      out << separator << "<a href=\"" << html_text(link_to(file, output)) << "\">" << html_text(file.filename().string())
          << "</a>";
      separator = " &middot; ";
    }
    out << "</td><td>" << html_text(outcome_counts(c.report)) << "</td></tr>\n";
  }
  out << "</table>\n<h2>Failures, errors and unexpected passes</h2>\n";
  for (const auto& c : columns) {
    out << "<h3>" << html_text(c.label) << "</h3>\n";
    std::size_t listed = 0;
    for (const auto& r : c.report.results) {
      if (!noteworthy(r)) continue;
      ++listed;
      out << "<details><summary><code>" << html_text(r.id) << "</code> (" << level_and_outcome(r) << "; "
          << html_text(rules_text(r)) << "): " << html_text(one_line(r.message)) << "</summary>\n<pre>";
      for (const auto& line : r.transcript) out << html_text(reports::format_transcript_line(line)) << '\n';
      out << "</pre></details>\n";
    }
    if (listed == 0) out << "<p>None.</p>\n";
  }
}

void write_text_file(const fs::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) throw usage_error("cannot write " + path.string());
}

std::string markdown_page(const std::vector<reports::run_report>& all, const std::vector<column>& columns,
                          const fs::path& output, const reports::matrix_options& options) {
  std::ostringstream page;
  reports::write_markdown(all, page, options);
  markdown_appendix(columns, output, page);
  return page.str();
}

// The matrix page with the appendix inserted before its closing tags.
std::string html_page(const std::vector<reports::run_report>& all, const std::vector<column>& columns,
                      const fs::path& output, const reports::matrix_options& options) {
  std::ostringstream matrix, appendix;
  reports::write_html(all, matrix, options);
  html_appendix(columns, output, appendix);
  std::string page = matrix.str();
  const auto end = page.rfind("</body>");
  page.insert(end == std::string::npos ? page.size() : end, appendix.str());
  return page;
}

}  // namespace

void add_report_options(CLI::App& command, report_cli_options& o) {
  command.add_option("reports", o.inputs,
                     "JSON reports (pop3spec run --json), one column each; LABEL=FILE heads the column with LABEL "
                     "(default: the report's target)")
      ->required();
  command.add_option("--markdown", o.markdown, "Write the Markdown matrix to this file (default: standard output)");
  command.add_option("--html", o.html, "Write the HTML matrix (with the failures' transcripts) to this file");
  command.add_option("--rows", o.rows,
                     "rules: one row per rule, a cell showing the worst outcome of the scenarios that check it; "
                     "scenarios: one row per scenario (default: rules)")
      ->check(CLI::IsMember({"rules", "scenarios"}));
}

int report_command(const report_cli_options& o, std::ostream& out) {
  if (o.inputs.empty()) throw usage_error("report: name at least one JSON report");
  std::vector<column> columns;
  for (const auto& input : o.inputs) columns.push_back(load_column(input));
  std::vector<reports::run_report> all;
  for (const auto& c : columns) all.push_back(c.report);
  reports::matrix_options options;
  options.rows = o.rows == "scenarios" ? reports::matrix_options::row_kind::scenarios
                                       : reports::matrix_options::row_kind::rules;

  if (o.markdown.empty() && o.html.empty()) {
    out << markdown_page(all, columns, fs::path("matrix.md"), options);
    return exit_ok;
  }
  if (!o.markdown.empty()) write_text_file(o.markdown, markdown_page(all, columns, o.markdown, options));
  if (!o.html.empty()) write_text_file(o.html, html_page(all, columns, o.html, options));
  for (const auto& c : columns) out << c.label << ": " << outcome_counts(c.report) << '\n';
  return exit_ok;
}

}  // namespace pop3::harness::cli
