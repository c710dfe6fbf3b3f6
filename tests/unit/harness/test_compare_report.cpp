// judge_comparison(), side_by_side(), to_results() and plan_mirror().
#include <gtest/gtest.h>

#include "pop3/harness/compare_mirror.hpp"
#include "pop3/harness/compare_report.hpp"
#include "test_compare_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::parse_ok;
using testing::response;
using testing::run_of;

const char* const sample = R"(id: demo/stat
title: STAT twice
rules: r1 r2
level: SHOULD

C: STAT
S: +OK $n $s
C: LIST
)";

recorded_run with_verdict(std::vector<recorded_response> responses, verdict v, std::string message = {}) {
  auto run = run_of(std::move(responses));
  run.result.outcome = v;
  run.result.message = std::move(message);
  return run;
}

TEST(CompareJudge, SameWhenNothingDiverges) {
  const auto s = prepare_for_recording(parse_ok(sample));
  const std::vector<recorded_response> r{response(7, "STAT", "+OK 1 2"), response(8, "LIST", "+OK", {"1 2"})};
  const auto c = judge_comparison(s, with_verdict(r, verdict::pass), with_verdict(r, verdict::pass), {});
  EXPECT_EQ(c.outcome, compare_outcome::same);
  EXPECT_EQ(c.id, "demo/stat");
  EXPECT_EQ(c.suite, "demo");
  EXPECT_EQ(c.rules, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(c.lvl, reports::level::should);
  EXPECT_FALSE(c.reference_defined);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(CompareJudge, SkipsAndErrorsComeFirstAndNameTheirSide) {
  const auto s = parse_ok(sample);
  const auto ok = with_verdict({}, verdict::pass);
  auto c = judge_comparison(s, with_verdict({}, verdict::error, "boom"),
                            with_verdict({}, verdict::skip, "no TOP"), {});
  EXPECT_EQ(c.outcome, compare_outcome::skip);
  EXPECT_EQ(c.message, "server under test: no TOP");
  c = judge_comparison(s, with_verdict({}, verdict::skip, "no SLEEPING"), ok, {});
  EXPECT_EQ(c.message, "reference: no SLEEPING");
  c = judge_comparison(s, ok, with_verdict({}, verdict::error, "fixture: x"), {});
  EXPECT_EQ(c.outcome, compare_outcome::error);
  EXPECT_EQ(c.message, "server under test: fixture: x");
}

TEST(CompareJudge, UnmetExpectationsAreWarnings) {
  const auto s = parse_ok(sample);
  const std::vector<recorded_response> r{response(7, "STAT", "+OK 1 2")};
  const auto c = judge_comparison(s, with_verdict(r, verdict::fail, "t:7: expected x"),
                                  with_verdict(r, verdict::fail, "t:7: expected x"), {});
  EXPECT_EQ(c.outcome, compare_outcome::same);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "the reference does not meet the scenario's expectations: t:7: expected x");
}

scenario_comparison divergent() {
  const auto s = parse_ok(sample);
  return judge_comparison(
      s, with_verdict({response(7, "STAT", "+OK 1 2"), response(8, "LIST", "+OK", {"1 2"})}, verdict::pass),
      with_verdict({response(7, "STAT", "-ERR no"), response(8, "LIST", "+OK", {"1 2", "2 3"})},
                   verdict::fail),
      {});
}

TEST(CompareReport, SideBySidePairsTheReadsAndMarksTheDivergentOnes) {
  const auto rows = side_by_side(divergent(), 20);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[0], "  line  reference            | server under test");
  EXPECT_EQ(rows[1], "! 7     C: STAT              | C: STAT             ");
  EXPECT_EQ(rows[2], "! 7     S: +OK 1 2           | S: -ERR no          ");
  EXPECT_EQ(rows[3], "! 8     C: LIST              | C: LIST             ");
  EXPECT_EQ(rows[5], "! 8     S: 1 2               | S: 1 2              ");
  EXPECT_EQ(rows[6], "! 8                          | S: 2 3              ");
  EXPECT_EQ(rows[7], "! 8     S: .                 | S: .                ");
}

TEST(CompareReport, LongAndHostileTextIsCutAndEscaped) {
  auto c = divergent();
  c.reference.responses[0].status = "+OK " + std::string(100, 'x') + "\x1b";
  const auto rows = side_by_side(c, 20);
  EXPECT_EQ(rows[2], "! 7     S: +OK xxxxxxxxxx... | S: -ERR no          ");
  c.reference.responses[0].status = "+OK \x1b[31m";
  EXPECT_NE(side_by_side(c, 30)[2].find("\\x1B[31m"), std::string::npos);
}

TEST(CompareReport, EachDivergenceBecomesAFailingResult) {
  const auto results = to_results(divergent());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].id, "demo/stat @7 status");
  EXPECT_EQ(results[0].suite, "demo");
  EXPECT_EQ(results[0].outcome, verdict::fail);
  EXPECT_EQ(results[0].lvl, reports::level::should);
  EXPECT_EQ(results[0].message,
            "t.pop3:7: STAT: status: the reference answered +OK, the server under test -ERR");
  EXPECT_EQ(results[0].expected, "+OK 1 2");
  EXPECT_EQ(results[0].actual, "-ERR no");
  EXPECT_EQ(results[1].id, "demo/stat @8 line-count");
  EXPECT_FALSE(results[0].transcript.empty());
  EXPECT_EQ(results[0].transcript, results[1].transcript);
}

TEST(CompareReport, OtherOutcomesAreOneResult) {
  auto c = divergent();
  c.outcome = compare_outcome::skip;
  c.message = "server under test: no TOP";
  auto results = to_results(c);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, verdict::skip);
  EXPECT_EQ(results[0].message, "server under test: no TOP");
  EXPECT_TRUE(results[0].transcript.empty());
  c.outcome = compare_outcome::same;
  c.known_divergence = true;
  results = to_results(c);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, verdict::pass);
  EXPECT_TRUE(results[0].known_failure);
}

TEST(CompareMirror, TheReferenceAnnouncesWhatTheServerUnderTestAnnounces) {
  server_profile p;
  p.greeting = "+OK Dovecot ready. <1.2@x>";
  const std::vector<std::string> before{"TOP",      "UIDL", "STLS", "USER", "SASL PLAIN LOGIN CRAM-MD5",
                                        "EXPIRE 30"};
  const std::vector<std::string> after{"TOP", "UIDL", "USER", "LOGIN-DELAY 10", "EXPIRE 30"};
  p.before_login = protocol::capability_set::parse(before);
  p.after_login = protocol::capability_set::parse(after);
  const auto plan = plan_mirror(p);
  std::map<std::string, bool> switches(plan.switches.begin(), plan.switches.end());
  EXPECT_EQ(switches.size(), mirrored_tags.size() + 3);
  EXPECT_FALSE(switches.at("XTND"));
  EXPECT_FALSE(switches.at("LAST"));
  EXPECT_TRUE(switches.at("TOP"));
  EXPECT_TRUE(switches.at("STLS"));
  EXPECT_TRUE(switches.at("LOGIN-DELAY"));
  EXPECT_TRUE(switches.at("APOP"));
  EXPECT_FALSE(switches.at("SLEEPING"));
  EXPECT_FALSE(switches.at("RESP-CODES"));
  EXPECT_FALSE(switches.at("IMPLEMENTATION"));
  EXPECT_EQ(plan.sasl_mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"}));
  EXPECT_EQ(plan.expire, "30");
  ASSERT_EQ(plan.notes.size(), 2u);
  EXPECT_NE(plan.notes[0].find("XTND and LAST"), std::string::npos);
  EXPECT_NE(plan.notes[1].find("LOGIN-DELAY"), std::string::npos);
  p.greeting = "+OK ready";
  p.after_login = protocol::capability_set::parse(std::vector<std::string>{"LOGIN-DELAY 0"});
  const auto quiet = plan_mirror(p);
  EXPECT_EQ(quiet.notes.size(), 1u);
  const std::map<std::string, bool> quiet_switches(quiet.switches.begin(), quiet.switches.end());
  EXPECT_FALSE(quiet_switches.at("APOP"));
}

}  // namespace
}  // namespace pop3::harness
