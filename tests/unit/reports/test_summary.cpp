// The baseline rule, the run's counts and the exit-code decision.
#include "pop3/reports/summary.hpp"

#include <gtest/gtest.h>

#include "sample_reports.hpp"

namespace pop3::reports {
namespace {

using testing::make_result;

TEST(Classify, BaselineTurnsFailuresIntoKnownAndPassesIntoUnexpected) {
  auto r = make_result("x", "s", verdict::pass);
  EXPECT_EQ(classify(r), disposition::pass);
  r.known_failure = true;
  EXPECT_EQ(classify(r), disposition::unexpected_pass);
  r.outcome = verdict::fail;
  EXPECT_EQ(classify(r), disposition::known_failure);
  r.outcome = verdict::error;
  EXPECT_EQ(classify(r), disposition::known_failure);
  r.outcome = verdict::skip;
  EXPECT_EQ(classify(r), disposition::skip);
  r.known_failure = false;
  r.outcome = verdict::fail;
  EXPECT_EQ(classify(r), disposition::fail);
  r.outcome = verdict::error;
  EXPECT_EQ(classify(r), disposition::error);
}

TEST(Summarize, CountsVerdictsLevelsKnownFailuresAndUnexpectedPasses) {
  const summary s = summarize(testing::every_verdict_report());
  EXPECT_EQ(s.total, 6u);
  EXPECT_EQ(s.count(verdict::pass), 2u);
  EXPECT_EQ(s.count(verdict::fail), 2u);  // raw outcomes: the baselined failure counts here
  EXPECT_EQ(s.count(verdict::error), 1u);
  EXPECT_EQ(s.count(verdict::skip), 1u);
  EXPECT_EQ(s.failures(level::must), 1u);
  EXPECT_EQ(s.failures(level::should), 0u);  // the SHOULD failure is in the baseline
  EXPECT_EQ(s.failures(level::may), 0u);
  EXPECT_EQ(s.known_failures, 1u);
  EXPECT_EQ(s.unexpected_passes, 1u);
}

TEST(Summarize, CountsSecurityFindingsBaselineOrNot) {
  run_report rep;
  auto finding = make_result("stls/injection/capa", "stls", verdict::fail, level::should);
  finding.security = true;
  auto known = finding;
  known.id = "stls/injection/user-pass";
  known.known_failure = true;  // the baseline silences the exit code, not the finding
  rep.results = {finding, known, make_result("rfc1939/stat/basic", "rfc1939", verdict::fail)};
  const summary s = summarize(rep);
  EXPECT_EQ(s.security_findings, 2u);
  EXPECT_EQ(s.failures(level::should), 1u);
}

TEST(Summarize, EmptyRunCountsNothing) {
  const summary s = summarize(run_report{});
  EXPECT_EQ(s.total, 0u);
  EXPECT_FALSE(must_failed(s, true));
}

TEST(MustFailed, MustFailuresAlwaysShouldFailuresOnlyWhenStrict) {
  run_report rep;
  rep.results.push_back(make_result("a", "s", verdict::pass));
  rep.results.push_back(make_result("b", "s", verdict::fail, level::may));
  rep.results.push_back(make_result("c", "s", verdict::fail, level::info));
  rep.results.push_back(make_result("d", "s", verdict::error));
  rep.results.push_back(make_result("e", "s", verdict::skip));
  EXPECT_FALSE(must_failed(summarize(rep), false));
  EXPECT_FALSE(must_failed(summarize(rep), true));

  rep.results.push_back(make_result("f", "s", verdict::fail, level::should));
  EXPECT_FALSE(must_failed(summarize(rep), false));
  EXPECT_TRUE(must_failed(summarize(rep), true));

  rep.results.push_back(make_result("g", "s", verdict::fail, level::must));
  EXPECT_TRUE(must_failed(summarize(rep), false));
}

TEST(MustFailed, KnownMustFailureDoesNotFailButUnexpectedPassDoes) {
  run_report rep;
  rep.results.push_back(make_result("a", "s", verdict::fail));
  rep.results.back().known_failure = true;
  EXPECT_FALSE(must_failed(summarize(rep), true));
  rep.results.push_back(make_result("b", "s", verdict::pass, level::may));
  rep.results.back().known_failure = true;
  EXPECT_TRUE(must_failed(summarize(rep), false));
}

TEST(Names, RoundTripThroughStrings) {
  for (auto v : {verdict::pass, verdict::fail, verdict::error, verdict::skip}) {
    EXPECT_EQ(verdict_from_string(to_string(v)), v);
  }
  for (auto l : {level::must, level::should, level::may, level::info}) {
    EXPECT_EQ(level_from_string(to_string(l)), l);
  }
  EXPECT_EQ(verdict_from_string("PASS"), std::nullopt);
  EXPECT_EQ(level_from_string(""), std::nullopt);
  EXPECT_STREQ(to_string(disposition::known_failure), "known-failure");
  EXPECT_STREQ(to_string(disposition::unexpected_pass), "unexpected-pass");
}

}  // namespace
}  // namespace pop3::reports
