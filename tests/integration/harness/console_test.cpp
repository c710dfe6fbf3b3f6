// The console of `pop3spec run`: a security finding is marked on its line, its message and in
// the summary, whatever its level (a SHOULD one is still a WARN) and even when baselined.
#include "cli/console.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "pop3/reports/summary.hpp"

namespace pop3::harness::cli {
namespace {

reports::scenario_result finding(std::string id) {
  reports::scenario_result r;
  r.id = std::move(id);
  r.lvl = reports::level::should;
  r.outcome = reports::verdict::fail;
  r.security = true;
  r.message = "x.pop3:15: expected <silence 2s>, got +OK Here's what I can do:";
  return r;
}

TEST(Console, MarksSecurityFindings) {
  std::ostringstream out;
  console c(out, false, false, false);
  reports::run_report report;
  report.results = {finding("stls/injection/capa"), finding("stls/injection/user-pass")};
  report.results[1].known_failure = true;
  for (const auto& r : report.results) c.result(r);
  c.summary(report, reports::summarize(report));
  const std::string text = out.str();
  EXPECT_NE(text.find("WARN  stls/injection/capa (0.000s) [should] [SECURITY]\n"
                      "      SECURITY: x.pop3:15: expected <silence 2s>"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("XFAIL stls/injection/user-pass (0.000s) [SECURITY]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  security findings: 2: stls/injection/capa stls/injection/user-pass\n"), std::string::npos)
      << text;
}

TEST(Console, NoSecurityLineWithoutFindings) {
  std::ostringstream out;
  console c(out, false, false, false);
  reports::run_report report;
  report.results = {finding("stls/injection/capa")};
  report.results[0].security = false;
  c.result(report.results[0]);
  c.summary(report, reports::summarize(report));
  EXPECT_EQ(out.str().find("SECURITY"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("security findings"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace pop3::harness::cli
