// Alternatives that say more than "either is fine": <inconclusive: REASON>, which accepts an
// answer but ends the scenario as a skip, and count alternatives in lines:/octets:.
#include <gtest/gtest.h>

#include "harness_test_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::errors_of;
using testing::full_context;
using testing::parse_ok;
using testing::scripted_server;
using errors = std::vector<std::string>;

std::vector<std::string> login() { return {"+OK hi", "+OK", "+OK"}; }

const char* const locked = R"(id: t/locked
rules: r/a
level: MUST
state: transaction
C: STAT
S: -ERR | <closed> | +OK <inconclusive: it let the session in, so nothing was locked>
C: NOOP
S: -ERR
)";

TEST(ExecutorAlternatives, AnInconclusiveAnswerEndsTheScenarioAsASkipWithItsReason) {
  const auto s = parse_ok(locked);
  scripted_server srv;
  srv.reply("", login()).reply("", {"+OK 1 20"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::skip);
  EXPECT_EQ(r.message,
            "t.pop3:6: inconclusive: the server answered +OK 1 20: it let the session in, so nothing was "
            "locked");
}

TEST(ExecutorAlternatives, TheOtherAlternativesStillDecide) {
  const auto s = parse_ok(locked);
  scripted_server ok;
  ok.reply("", login()).reply("", {"-ERR locked", "-ERR"});
  EXPECT_EQ(ok.run(s, full_context()).outcome, verdict::pass);
  scripted_server wrong;
  wrong.reply("", login()).reply("", {"+WHAT"});
  EXPECT_EQ(wrong.run(s, full_context()).outcome, verdict::fail);
}

TEST(ExecutorAlternatives, AClosedAlternativeCanBeInconclusiveToo) {
  const auto s = parse_ok(
      "id: t/x\nrules: r/a\nlevel: MUST\nstate: transaction\nC: STAT\n"
      "S: +OK | <closed> <inconclusive: it hung up>\n");
  scripted_server srv;
  srv.reply("", login()).reply("", closed_event{});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::skip);
  EXPECT_NE(r.message.find("inconclusive: the server closed the connection: it hung up"), std::string::npos)
      << r.message;
}

// Solid POP3 counts bad commands over the whole session and closes after the fifth -ERR, with
// good answers in between: the close says nothing about the command it cut off.
const char* const scattered_errors = R"(id: t/scattered
rules: r/a
level: MUST
state: transaction
C: LIST 5
S: -ERR
C: NOOP
S: +OK
C: RETR 5
S: -ERR
C: STAT
S: +OK
C: DELE 9
S: -ERR
C: NOOP
S: +OK
)";

TEST(ExecutorAlternatives, AClosingAfterTheSessionsThirdErrIsABadCommandLimitNotEvidence) {
  const auto s = parse_ok(scattered_errors);
  scripted_server srv;
  srv.reply("", login()).reply("", {"-ERR no such message", "+OK", "-ERR no such message", "+OK 1 20",
                                    "-ERR no such message"});
  srv.reply("", closed_event{});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::skip) << r.message;
  EXPECT_NE(r.message.find("right after a -ERR reply, with 3 -ERR replies in the session (a limit on bad "
                           "commands; robustness/session/errors-tolerated reports it)"),
            std::string::npos)
      << r.message;
}

TEST(ExecutorAlternatives, AClosingAfterAPositiveAnswerStaysEvidence) {
  const auto s = parse_ok(scattered_errors);
  scripted_server srv;  // the close follows +OK 1 20, not a -ERR: no limit explains it
  srv.reply("", login()).reply("", {"-ERR no such message", "+OK", "-ERR no such message", "+OK 1 20"});
  srv.reply("", closed_event{});
  EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::fail);
}

TEST(ExecutorAlternatives, InconclusiveNeedsAReasonAndComesLast) {
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: +OK <inconclusive:>\n"),
            (errors{"5:8: <inconclusive:> needs a reason"}));
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: <inconclusive: why> +OK\n"),
            (errors{"5:4: <inconclusive: ...> must end its alternative"}));
}

const char* const sized = R"(id: t/sized
rules: r/a
level: MUST
state: transaction
C: RETR 1
S: +OK
  octets: 5 | 10
  lines: 1 | 2
S: .
)";

TEST(ExecutorAlternatives, CountsAcceptAnyOfTheirAlternatives) {
  const auto s = parse_ok(sized);
  for (const auto& data : {std::vector<std::string>{"abc"}, std::vector<std::string>{"abc", "def"}}) {
    std::vector<std::string> reply{"+OK"};
    reply.insert(reply.end(), data.begin(), data.end());
    reply.emplace_back(".");
    scripted_server srv;
    srv.reply("", login()).reply("", reply);
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::pass) << data.size() << " lines: " << r.message;
  }
  scripted_server srv;
  srv.reply("", login()).reply("", {"+OK", "abcdef", "."});
  EXPECT_EQ(srv.run(s, full_context()).message, "t.pop3:7: expected 5 or 10 octets, got 8 octets");
}

TEST(ExecutorAlternatives, EachCountAlternativeIsAnExpression) {
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a\nlevel: MUST\nC: RETR 1\nS: +OK\n  lines: 4 | +\nS: .\n"),
            (errors{"6:14: unexpected '+'"}));
}

}  // namespace
}  // namespace pop3::harness
