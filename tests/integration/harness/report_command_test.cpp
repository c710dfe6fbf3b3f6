// `pop3spec report`: JSON reports in, one matrix out, with every failure traceable to its column's
// report files and (in HTML) its transcript.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "cli/report_command.hpp"
#include "pop3/reports/json.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;
using harness::cli::report_cli_options;
using harness::cli::report_command;

reports::scenario_result result(std::string id, reports::verdict v, std::string message = "") {
  reports::scenario_result r;
  r.id = std::move(id);
  r.suite = "rfc1939";
  r.rules = {"rfc1939/dele/marks"};
  r.outcome = v;
  r.message = std::move(message);
  r.transcript = {{"", reports::transcript_line::direction::client, "DELE 1", 0.01},
                  {"", reports::transcript_line::direction::server, "-ERR <no> & such", 0.02}};
  return r;
}

// <dir>/<column>/results.json (plus a junit.xml beside it, as matrix.sh leaves them).
fs::path write_column(const fs::path& dir, const std::string& column, std::vector<reports::scenario_result> results) {
  reports::run_report report;
  report.target = "127.0.0.1:110 " + column;
  report.results = std::move(results);
  fs::create_directories(dir / column);
  reports::write_json(report, dir / column / "results.json");
  std::ofstream(dir / column / "junit.xml") << "<testsuites/>\n";
  return dir / column / "results.json";
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ReportCommand, MatrixListsEachColumnsFailuresWithLinksToItsReports) {
  temp_maildir dir;
  const auto a = write_column(dir.base(), "alpha-plain",
                              {result("rfc1939/dele/marks", reports::verdict::fail, "expected +OK, got -ERR [SYS/TEMP]"),
                               result("rfc1939/stat/ok", reports::verdict::pass)});
  const auto b = write_column(dir.base(), "beta-tls", {result("rfc1939/dele/marks", reports::verdict::pass)});
  report_cli_options o;
  o.inputs = {"alpha=" + a.string(), b.string()};
  o.markdown = (dir.base() / "matrix.md").string();
  o.html = (dir.base() / "matrix.html").string();
  std::ostringstream out;
  ASSERT_EQ(report_command(o, out), harness::cli::exit_ok);

  const auto md = read_text(o.markdown);
  // Columns: the label given, else the report's own target.
  EXPECT_NE(md.find("| Rule | Level | alpha | 127.0.0.1:110 beta-tls |"), std::string::npos) << md;
  EXPECT_NE(md.find("[results.json](<alpha-plain/results.json>)"), std::string::npos) << md;
  EXPECT_NE(md.find("[junit.xml](<alpha-plain/junit.xml>)"), std::string::npos) << md;
  EXPECT_NE(md.find("- `rfc1939/dele/marks` (MUST fail; rfc1939/dele/marks): expected +OK, got -ERR \\[SYS/TEMP\\]"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("None."), std::string::npos) << md;  // beta has nothing to trace
  EXPECT_EQ(md.find("rfc1939/stat/ok`"), std::string::npos) << md;  // passes are not listed

  const auto html = read_text(o.html);
  EXPECT_NE(html.find("<details><summary><code>rfc1939/dele/marks</code>"), std::string::npos);
  EXPECT_NE(html.find("S: -ERR &lt;no&gt; &amp; such"), std::string::npos);  // the transcript, escaped
  EXPECT_TRUE(html.ends_with("</body></html>\n"));
  EXPECT_NE(out.str().find("alpha: 1 pass, 1 fail"), std::string::npos) << out.str();
}

TEST(ReportCommand, ScenarioRowsAndStandardOutput) {
  temp_maildir dir;
  const auto a = write_column(dir.base(), "alpha", {result("rfc1939/dele/marks", reports::verdict::error, "fixture: x")});
  report_cli_options o;
  o.inputs = {a.string()};
  o.rows = "scenarios";
  std::ostringstream out;
  ASSERT_EQ(report_command(o, out), harness::cli::exit_ok);
  EXPECT_NE(out.str().find("| Scenario | Level |"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("(MUST error; rfc1939/dele/marks): fixture: x"), std::string::npos) << out.str();
}

TEST(ReportCommand, UnreadableReportIsAUsageError) {
  temp_maildir dir;
  std::ofstream(dir.base() / "bad.json") << "{\"schema\": \"something else\"}";
  std::ostringstream out;
  report_cli_options o;
  o.inputs = {(dir.base() / "bad.json").string()};
  EXPECT_THROW(report_command(o, out), harness::cli::usage_error);
  o.inputs = {"=x.json"};
  EXPECT_THROW(report_command(o, out), harness::cli::usage_error);
  o.inputs = {(dir.base() / "missing.json").string()};
  EXPECT_THROW(report_command(o, out), harness::cli::usage_error);
}

}  // namespace
}  // namespace pop3::testing
