// The executor's record mode: every response is kept, unmet expectations are notes, a connection
// the server ended skips its later steps, and check mode is untouched.
#include <gtest/gtest.h>

#include "test_compare_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::parse_ok;
using testing::recording_server;

const char* const stat_twice = R"(id: t/stat
rules: r
level: MUST
state: transaction

C: STAT
S: +OK $count $size
C: LIST
S: +OK
C: STAT
S: +OK $count $size
)";

TEST(CompareRecordMode, RecordsEveryReadWithItsCommandAndData) {
  recording_server srv;
  srv.reply(
      "", {"+OK hi <1.2@x>", "+OK", "+OK in", "+OK 2 30", "+OK 2 messages", "1 10", "2 20", ".", "+OK 2 30"});
  const auto run = srv.record(parse_ok(stat_twice));
  EXPECT_EQ(run.result.outcome, verdict::pass) << run.result.message;
  ASSERT_EQ(run.responses.size(), 6u);
  EXPECT_TRUE(run.responses[0].greeting);
  EXPECT_EQ(run.responses[0].status, "+OK hi <1.2@x>");
  EXPECT_EQ(run.responses[1].origin, "login: user (state: transaction)");
  EXPECT_EQ(run.responses[3].command, "STAT");
  EXPECT_EQ(run.responses[3].where.line, 7);
  EXPECT_EQ(run.responses[4].command, "LIST");
  EXPECT_TRUE(run.responses[4].multiline);
  EXPECT_EQ(run.responses[4].data, (std::vector<std::string>{"1 10", "2 20"}));
  EXPECT_TRUE(run.responses[4].complete);
  EXPECT_EQ(run.responses[5].status, "+OK 2 30");
  for (const auto& r : run.responses) EXPECT_EQ(r.mismatch, "") << r.status;
}

TEST(CompareRecordMode, AnUnmetExpectationIsNotedAndTheRunGoesOn) {
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in", "-ERR no", "+OK 2 messages", "1 10", ".", "+OK 2 30"});
  const auto run = srv.record(parse_ok(stat_twice));
  ASSERT_EQ(run.responses.size(), 6u) << run.result.message;
  EXPECT_NE(run.responses[3].mismatch.find("t.pop3:7: expected +OK $count $size, got -ERR no"),
            std::string::npos)
      << run.responses[3].mismatch;
  // The first unmet expectation is the verdict; $count stayed unbound, so the last STAT mismatches too.
  EXPECT_EQ(run.result.outcome, verdict::fail);
  EXPECT_EQ(run.result.message, run.responses[3].mismatch);
  EXPECT_EQ(run.responses[4].data, (std::vector<std::string>{"1 10"}));
  EXPECT_EQ(srv.sent[""], "USER alice\r\nPASS s3cret\r\nSTAT\r\nLIST\r\nSTAT\r\n");
}

TEST(CompareRecordMode, ACloseSkipsTheConnectionsLaterSteps) {
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in"}).reply("", closed_event{});
  const auto run = srv.record(parse_ok(stat_twice));
  ASSERT_EQ(run.responses.size(), 4u);
  EXPECT_EQ(run.responses[3].k, recorded_response::kind::closed);
  EXPECT_TRUE(run.responses[3].ended);
  EXPECT_EQ(run.result.outcome, verdict::fail);
  EXPECT_EQ(srv.sent[""], "USER alice\r\nPASS s3cret\r\nSTAT\r\n");
  bool skipped_note = false;
  for (const auto& l : run.result.transcript)
    skipped_note = skipped_note || l.text.find("line 8 skipped") == 0;
  EXPECT_TRUE(skipped_note);
}

TEST(CompareRecordMode, ATimeoutWhereAnAnswerWasDueEndsTheConnectionsReads) {
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in"}).reply("", timeout_event{});
  const auto run = srv.record(parse_ok(stat_twice));
  ASSERT_EQ(run.responses.size(), 4u);
  EXPECT_EQ(run.responses[3].k, recorded_response::kind::timeout);
  EXPECT_TRUE(run.responses[3].ended);
  EXPECT_FALSE(run.responses[2].ended);
  EXPECT_EQ(run.result.outcome, verdict::fail);
  // A late answer would be read as LIST's: nothing more is sent on that connection.
  EXPECT_EQ(srv.sent[""], "USER alice\r\nPASS s3cret\r\nSTAT\r\n");
}

TEST(CompareRecordMode, ExpectedSilenceIsRecordedAndTheRunGoesOn) {
  recording_server srv;
  srv.reply("", {"+OK hi"}).reply("", timeout_event{}).reply("", {"+OK"});
  const auto run =
      srv.record(parse_ok("id: t/s\nrules: r\nlevel: MUST\n\nC: NOOP\nS: <silence 1s>\nC: NOOP\nS: +OK\n"));
  ASSERT_EQ(run.responses.size(), 3u);
  EXPECT_EQ(run.responses[1].k, recorded_response::kind::timeout);
  EXPECT_FALSE(run.responses[1].ended);
  EXPECT_EQ(run.result.outcome, verdict::pass) << run.result.message;
}

TEST(CompareRecordMode, ACommandThatCannotBeBuiltEndsItsConnection) {
  const auto s = parse_ok(R"(id: t/uid
rules: r
level: MUST
state: transaction

C: UIDL 1
S: +OK 1 $uid
C: RETR ${uid+1}
S: +OK
C: NOOP
S: +OK
)");
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in", "+OK 1 not-a-number"});
  const auto run = srv.record(s);
  ASSERT_EQ(run.responses.size(), 5u);
  EXPECT_EQ(run.responses[4].k, recorded_response::kind::failed);
  EXPECT_EQ(run.responses[4].where.line, 8);
  EXPECT_TRUE(run.responses[4].ended);
  EXPECT_NE(run.responses[4].status.find("cannot build the command"), std::string::npos);
  EXPECT_EQ(run.result.outcome, verdict::fail);
  EXPECT_EQ(srv.sent[""], "USER alice\r\nPASS s3cret\r\nUIDL 1\r\n");
}

TEST(CompareRecordMode, ABlockCutByTheCloseIsIncomplete) {
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in", "+OK 2 30", "+OK", "1 10"}).reply("", closed_event{});
  const auto run = srv.record(parse_ok(stat_twice));
  ASSERT_EQ(run.responses.size(), 5u);
  EXPECT_FALSE(run.responses[4].complete);
  EXPECT_EQ(run.responses[4].data, (std::vector<std::string>{"1 10"}));
}

TEST(CompareRecordMode, ASendTheServerBreaksEndsOnlyThatConnection) {
  const auto s = parse_ok(R"(id: t/two
rules: r
level: MUST
connections: a b

a: C: NOOP
a: S: +OK
b: C: NOOP
b: S: +OK
a: C: NOOP
a: S: +OK
)");
  recording_server srv;
  srv.reply("a", {"+OK a", "+OK"}).reply("b", {"+OK b"});
  srv.refuse_sends.insert("b");
  const auto run = srv.record(s);
  ASSERT_EQ(run.responses.size(), 5u);
  EXPECT_EQ(run.responses[3].conn, "b");
  EXPECT_EQ(run.responses[3].k, recorded_response::kind::closed);
  EXPECT_EQ(run.responses[3].where.line, 8);  // the C: that could not be sent
  EXPECT_EQ(run.responses[4].conn, "a");
  EXPECT_EQ(run.responses[4].k, recorded_response::kind::timeout);
}

TEST(CompareRecordMode, TheRunsSecretsAreMaskedInTheRecording) {
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "-ERR bad password s3cret", "+OK 1 2", "+OK", "s3cret inside", ".", "+OK 1 2"});
  const auto run = srv.record(parse_ok(stat_twice));
  ASSERT_EQ(run.responses.size(), 6u);
  EXPECT_EQ(run.responses[2].status, "-ERR bad password ****");
  EXPECT_EQ(run.responses[4].data, std::vector<std::string>{"**** inside"});
}

TEST(CompareRecordMode, FramingProblemsAreRecorded) {
  recording_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in"})
      .reply("", testing::line("+OK 2 30", protocol::framed_line::ending::bare_lf))
      .reply("", {"+OK", "."})
      .reply("", {"+OK 2 30"});
  const auto run = srv.record(parse_ok(stat_twice));
  ASSERT_EQ(run.responses.size(), 6u);
  EXPECT_EQ(run.responses[3].framing, "bare LF");
  EXPECT_EQ(run.responses[4].framing, "");
}

TEST(CompareRecordMode, CheckModeRecordsNothingAndStopsAtTheFirstFailure) {
  testing::scripted_server srv;
  srv.reply("", {"+OK hi", "+OK", "+OK in", "-ERR no", "+OK 2 messages", "1 10", ".", "+OK 2 30"});
  const auto s = parse_ok(stat_twice);
  const auto r = srv.run(s, testing::full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(srv.sent[""], "USER alice\r\nPASS s3cret\r\nSTAT\r\n");
  executor ex(s, testing::full_context());
  EXPECT_TRUE(ex.recording().empty());
}

}  // namespace
}  // namespace pop3::harness
