// The executor on multi-line responses: reading to ".", unstuffing, block checks, octets vs LIST.
#include <gtest/gtest.h>

#include "harness_test_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::full_context;
using testing::line;
using testing::parse_ok;
using testing::scripted_server;

// A fixture with a line that is exactly "." and one starting with "..": stuffed on the wire.
const std::map<std::string, std::string> files{{"fixtures/dots.eml", "Subject: dots\n\n.\n..x\nend\n"}};

const char* const retr_scenario = R"(id: t/retr
rules: r/a
level: MUST
mailbox: fixtures/dots.eml
state: transaction
C: LIST 1
S: +OK 1 $size
C: RETR 1
S: +OK
  octets: size
  body: fixtures/dots.eml
  lines: 5
S: .
C: NOOP
S: +OK
)";

std::vector<std::string> login() { return {"+OK hi", "+OK", "+OK"}; }

TEST(ExecutorMultiline, UnstuffedBodyEqualsTheFixtureAndOctetsEqualListSize) {
  const auto s = parse_ok(retr_scenario, files);
  scripted_server srv;
  // "Subject: dots\r\n\r\n.\r\n..x\r\nend\r\n" is 15 + 2 + 3 + 5 + 5 = 30 octets.
  srv.reply("", login())
      .reply("", {"+OK 1 30", "+OK message follows", "Subject: dots", "", "..", "...x", "end", ".", "+OK"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_EQ(srv.reads.at(4).max_octets, 512u);            // the RETR status line
  EXPECT_EQ(srv.reads.at(5).max_octets, (1u << 20) + 2);  // its data lines
}

TEST(ExecutorMultiline, UnstuffedDotLineMismatchFails) {
  const auto s = parse_ok(retr_scenario, files);
  scripted_server srv;
  // A server that forgets to stuff: the "." line ends the response early (the billpg bug).
  srv.reply("", login()).reply("", {"+OK 1 30", "+OK", "Subject: dots", "", ".", "...x"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.message, "t.pop3:10: expected 30 octets, got 17 octets");
}

TEST(ExecutorMultiline, BodyMismatchNamesTheFirstDifferentLine) {
  const auto s = parse_ok(retr_scenario, files);
  scripted_server srv;
  // Same size, different content: "..x" unstuffs to ".x" and "endx" makes up the octet.
  srv.reply("", login()).reply("", {"+OK 1 30", "+OK", "Subject: dots", "", "..", "..x", "endx", "."});
  EXPECT_EQ(srv.run(s, full_context()).message,
            "t.pop3:11: expected the content of fixtures/dots.eml (30 octets), got 30 octets "
            "(line 4: expected \"..x\", got \".x\")");
}

TEST(ExecutorMultiline, BlocksAreReadEvenWhenTheScenarioWritesNone) {
  const auto s =
      parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nstate: transaction\nC: RETR 1\nS: +OK\nC: NOOP\nS: +OK\n");
  scripted_server srv;
  srv.reply("", login()).reply("", {"+OK", "a", "..", ".", "+OK noop"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
}

TEST(ExecutorMultiline, MinusErrOnAMultiLineCommandReadsNoBlock) {
  const auto s = parse_ok(
      "id: t/x\nrules: r/a\nlevel: MUST\nstate: transaction\nC: RETR 9\nS: -ERR | +OK\nC: NOOP\nS: +OK\n");
  scripted_server srv;
  srv.reply("", login()).reply("", {"-ERR no such message", "+OK"});
  EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::pass);
}

TEST(ExecutorMultiline, LiteralBlockWithCapturesThenComparedLater) {
  const auto s = parse_ok(R"(id: t/x
rules: r/a
level: MUST
state: transaction
C: LIST
S: +OK
S: 1 $size1
S: 2 $size2
S: .
C: STAT
S: +OK 2 ${size1+size2}
)");
  scripted_server srv;
  srv.reply("", login()).reply("", {"+OK 2 messages", "1 120", "2 200", ".", "+OK 2 320"});
  EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::pass);
  scripted_server extra;
  extra.reply("", login()).reply("", {"+OK", "1 120", "2 200", "3 1", "."});
  const auto r = extra.run(s, full_context());
  EXPECT_EQ(
      r.message,
      "t.pop3:9: expected \".\", got 3 1 (the block has more lines than the scenario lists (3 data lines))");
  scripted_server sum;
  sum.reply("", login()).reply("", {"+OK", "1 120", "2 200", ".", "+OK 2 300"});
  EXPECT_EQ(sum.run(s, full_context()).message,
            "t.pop3:11: expected +OK 2 320, got +OK 2 300 (token 3: expected ${size1+size2} = \"320\", got "
            "\"300\")");
}

TEST(ExecutorMultiline, CapaChecksWithRegexAndCaseInsensitivity) {
  const auto s = parse_ok(R"(id: t/x
rules: r/a
level: MUST
C: CAPA
S: +OK
  has: ~/^user$/i
  lacks: STLS
  each: ~/^[!-~]+( [!-~]+)*$/
S: .
)");
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK Capability list follows", "TOP", "user", "SASL PLAIN", "."});
  EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::pass);
  scripted_server tls;
  tls.reply("", {"+OK hi", "+OK", "USER", "STLS", "."});
  EXPECT_EQ(tls.run(s, full_context()).message,
            "t.pop3:7: expected no line matching STLS, got STLS (data line 2)");
}

TEST(ExecutorMultiline, ClosedOrSilentInsideABlockFails) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: CAPA\nS: +OK\n");
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK", "TOP"}).reply("", closed_event{});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.message,
            "t.pop3:5: expected the rest of the multi-line response (ending in \".\"), got <closed> (after 1 "
            "data lines)");
  scripted_server silent;
  silent.reply("", {"+OK hi", "+OK", "TOP"});
  EXPECT_EQ(silent.run(s, full_context()).actual, "<timeout>");
}

TEST(ExecutorMultiline, DataLineEndingsAndLengths) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: CAPA\nS: +OK\n");
  scripted_server bare;
  bare.reply("", {"+OK hi", "+OK"}).reply("", line("TOP", protocol::framed_line::ending::bare_lf));
  EXPECT_EQ(bare.run(s, full_context()).message,
            "t.pop3:5: expected data lines ending in CRLF, got TOP (a bare LF ends the line)");
  scripted_server huge;
  huge.reply("", {"+OK hi", "+OK"})
      .reply("", line_event{protocol::framed_line{"x", protocol::framed_line::ending::none, true}});
  const auto r = huge.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::error);
  EXPECT_EQ(r.message, "t.pop3:5: a data line is longer than the harness reads (1048576 octets)");
}

TEST(ExecutorMultiline, LongBodiesAreSummarisedInTheTranscript) {
  const auto s = parse_ok(
      "id: t/x\nrules: r/a\nlevel: MUST\nstate: transaction\nC: RETR 1\nS: +OK\n  lines: 500\nS: .\n");
  scripted_server srv;
  srv.reply("", login()).reply("", {"+OK"});
  for (int i = 0; i < 500; ++i) srv.reply("", {"line " + std::to_string(i)});
  srv.reply("", {"."});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_LT(r.transcript.size(), 220u);
  bool summary = false;
  for (const auto& l : r.transcript)
    summary = summary || l.text == "(300 more data lines not shown; 4890 octets in all)";
  EXPECT_TRUE(summary);
}

TEST(ExecutorMultiline, GeneratedMessagesCompareWithBodyMessageN) {
  const auto s = parse_ok(
      "id: t/x\nrules: r/a\nlevel: MUST\nmailbox: 3 messages\nstate: transaction\nC: RETR 3\nS: +OK\n  body: "
      "message 3\nS: .\n");
  const std::string m = generated_message(3, 3);
  scripted_server srv;
  srv.reply("", login()).reply("", {"+OK"});
  std::size_t start = 0;
  while (start < m.size()) {
    const std::size_t end = m.find("\r\n", start);
    std::string l = m.substr(start, end - start);
    if (l.starts_with(".")) l = "." + l;
    srv.reply("", {l});
    start = end + 2;
  }
  srv.reply("", {"."});
  EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::pass);
}

TEST(ExecutorMultiline, LedgerAllowsTheCrlfAddedToAMessageWithoutAFinalLineEnd) {
  // A message stored without a final line end must get CRLF before the terminator (RFC 1939 §3):
  // RETR may send two octets more than LIST counted, for that message only.
  const char* const text =
      "id: t/x\nrules: r/a\nlevel: MUST\nmailbox: fixtures/m.eml\nstate: transaction\n"
      "C: LIST 1\nS: +OK 1 *\nC: RETR 1\nS: +OK\n";
  const std::vector<std::string> retr = {"+OK 1 20", "+OK", "Subject: x", "", "no end", "."};  // 22 octets
  const auto unterminated = parse_ok(text, {{"fixtures/m.eml", "Subject: x\n\nno end"}});
  scripted_server srv;
  srv.reply("", login()).reply("", retr);
  const auto r = srv.run(unterminated, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;

  const auto terminated = parse_ok(text, {{"fixtures/m.eml", "Subject: x\n\nno end\n"}});
  scripted_server short_list;
  short_list.reply("", login()).reply("", retr);
  const auto wrong = short_list.run(terminated, full_context());
  EXPECT_EQ(wrong.outcome, verdict::fail);
  EXPECT_EQ(wrong.failed_rule, "rfc1939/list/exact-size");
  EXPECT_NE(wrong.message.find("message 1: LIST said 20 octets, RETR sent 22"), std::string::npos) << wrong.message;

  scripted_server four_more;  // more than the missing CRLF: still a size mismatch
  four_more.reply("", login()).reply("", {"+OK 1 20", "+OK", "Subject: x", "", "no end", "", "."});
  EXPECT_EQ(four_more.run(unterminated, full_context()).outcome, verdict::fail);
}

}  // namespace
}  // namespace pop3::harness
