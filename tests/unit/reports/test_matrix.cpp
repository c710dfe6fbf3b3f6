// Markdown and HTML matrices: rows, cells, several servers, rule rows, per-level summary, escaping.
#include "pop3/reports/matrix.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sample_reports.hpp"

namespace pop3::reports {
namespace {

std::string markdown(const std::vector<run_report>& reports, matrix_options options = {}) {
  std::ostringstream out;
  write_markdown(reports, out, options);
  return out.str();
}

std::string html(const std::vector<run_report>& reports, matrix_options options = {}) {
  std::ostringstream out;
  write_html(reports, out, options);
  return out.str();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A second server: fixes the DELE failure, breaks STAT, and never ran the APOP scenario.
run_report other_server() {
  auto rep = testing::every_verdict_report();
  rep.target = "127.0.0.1:2110 (dovecot)";
  rep.results[0].outcome = verdict::fail;
  rep.results[1].outcome = verdict::pass;
  rep.results.pop_back();
  return rep;
}

TEST(Markdown, OneReportScenarioRows) {
  const std::string md = markdown({testing::every_verdict_report()});
  EXPECT_TRUE(contains(md, "| Scenario | Level | 127.0.0.1:1110 (embedded pop3refd) |\n|---|---|:---:|\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/stat/basic | MUST | \u2705 pass |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/dele/not-listed | MUST | \u274C fail |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/rset/unmarks | MUST | \u26A0\uFE0F error |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc2449/uidl/capa | SHOULD | \u23ED\uFE0F skip |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc2449/top/lines | SHOULD | \u2611\uFE0F known-failure |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/apop/digest | MAY | \u2757 unexpected-pass |\n")) << md;
}

TEST(Markdown, SummaryByLevel) {
  const std::string md = markdown({testing::every_verdict_report()});
  EXPECT_TRUE(contains(md, "| MUST | 1 pass, 1 fail, 1 error |\n")) << md;
  EXPECT_TRUE(contains(md, "| SHOULD | 1 skip, 1 known-failure |\n")) << md;
  EXPECT_TRUE(contains(md, "| MAY | 1 unexpected-pass |\n")) << md;
  EXPECT_TRUE(contains(md, "| INFO | \u2014 |\n")) << md;
  EXPECT_TRUE(contains(md, "Legend:")) << md;
}

TEST(Markdown, SecurityFindingsAreCountedPerColumn) {
  auto rep = testing::every_verdict_report();
  rep.results[1].security = true;  // the MUST failure
  const std::string md = markdown({rep, other_server()});
  EXPECT_TRUE(contains(md, "| Security findings | 1 | 0 |\n")) << md;
  EXPECT_TRUE(contains(html({rep}), "<tr><td>Security findings</td><td>1</td></tr>"));
}

TEST(Markdown, ServersAreColumnsAndMissingScenariosShowADash) {
  const std::string md = markdown({testing::every_verdict_report(), other_server()});
  EXPECT_TRUE(contains(md, "| Scenario | Level | 127.0.0.1:1110 (embedded pop3refd) | 127.0.0.1:2110 (dovecot) |\n"
                           "|---|---|:---:|:---:|\n"))
      << md;
  EXPECT_TRUE(contains(md, "| rfc1939/stat/basic | MUST | \u2705 pass | \u274C fail |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/dele/not-listed | MUST | \u274C fail | \u2705 pass |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/apop/digest | MAY | \u2757 unexpected-pass | \u2014 |\n")) << md;
  EXPECT_TRUE(contains(md, "| MAY | 1 unexpected-pass | \u2014 |\n")) << md;
}

TEST(Markdown, RuleRowsShowTheWorstOutcomeAndStrongestLevel) {
  const std::string md = markdown({testing::every_verdict_report()}, {matrix_options::row_kind::rules});
  EXPECT_TRUE(contains(md, "| Rule | Level |")) << md;
  // rfc1939/general is named by pass, fail, error and unexpected-pass scenarios of levels MUST and MAY.
  EXPECT_TRUE(contains(md, "| rfc1939/general | MUST | \u274C fail |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc2449/general | SHOULD | \u2611\uFE0F known-failure |\n")) << md;
  EXPECT_TRUE(contains(md, "| rfc1939/stat/basic | MUST | \u2705 pass |\n")) << md;
}

TEST(Markdown, RuleRowIsSkippedOnlyWhenNothingWasChecked) {
  run_report rep;
  rep.results.push_back(testing::make_result("a", "s", verdict::skip));
  rep.results.push_back(testing::make_result("b", "s", verdict::pass));
  rep.results.push_back(testing::make_result("c", "t", verdict::skip));
  const std::string md = markdown({rep}, {matrix_options::row_kind::rules});
  EXPECT_TRUE(contains(md, "| s/general | MUST | \u2705 pass |\n")) << md;
  EXPECT_TRUE(contains(md, "| t/general | MUST | \u23ED\uFE0F skip |\n")) << md;
}

TEST(Markdown, EscapesTableAndMarkupCharacters) {
  run_report rep;
  rep.target = "a|b <script> *x*";
  rep.results.push_back(testing::make_result("id_with|pipe\nnewline\x01", "s", verdict::pass));
  const std::string md = markdown({rep});
  EXPECT_TRUE(contains(md, "| a\\|b \\<script\\> \\*x\\* |")) << md;
  EXPECT_TRUE(contains(md, "| id\\_with\\|pipe newline\\\\x01 | MUST |")) << md;
  EXPECT_FALSE(contains(md, "<script>")) << md;
}

TEST(Markdown, NoReportsStillWritesADocument) {
  const std::string md = markdown({});
  EXPECT_TRUE(contains(md, "# pop3spec results\n")) << md;
  EXPECT_TRUE(contains(md, "| MUST |\n")) << md;
}

TEST(Html, SelfContainedTableWithColouredCells) {
  const std::string page = html({testing::every_verdict_report(), other_server()});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(page, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(contains(page, "<style>"));
  EXPECT_FALSE(contains(page, "<script"));
  EXPECT_FALSE(contains(page, "src="));
  EXPECT_FALSE(contains(page, "href="));
  EXPECT_TRUE(contains(page, "<tr><td>rfc1939/stat/basic</td><td>MUST</td><td class=\"cell pass\">\u2705 pass</td>"
                             "<td class=\"cell fail\">\u274C fail</td></tr>"))
      << page;
  EXPECT_TRUE(contains(page, "<td class=\"cell missing\">not run</td>")) << page;
  EXPECT_TRUE(contains(page, "<tr><td>MUST</td><td>1 pass, 1 fail, 1 error</td>")) << page;
  EXPECT_TRUE(contains(page, ".unexpected-pass{")) << page;
  EXPECT_TRUE(contains(page, "</html>\n"));
}

TEST(Html, EscapesHostileText) {
  const std::string page = html({testing::hostile_report()});
  EXPECT_TRUE(contains(page, "evil &lt;server&gt; &amp; &quot;friends&quot;")) << page;
  EXPECT_FALSE(contains(page, "<server>"));
}

}  // namespace
}  // namespace pop3::reports
