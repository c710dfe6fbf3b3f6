// The executor driven by scripted events: flow, verdicts, gating, alternatives, captures, transcript.
#include <gtest/gtest.h>

#include "harness_test_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::full_context;
using testing::line;
using testing::parse_ok;
using testing::scripted_server;

constexpr std::size_t connect_index = 0, send_index = 1, read_index = 2, tls_index = 3, close_index = 4,
                      deliver_index = 5, wait_index = 6;

const char* const design_sample = R"(id: rfc1939/rset/unmarks
rules: rfc1939/rset/unmarks
level: MUST
requires: USER
mailbox: 3 messages
state: transaction

C: STAT
S: +OK $count $size
C: DELE 1
S: +OK
C: STAT
S: +OK ${count-1} *
C: RSET
S: +OK
C: STAT
S: +OK $count $size
)";

scripted_server design_server(const std::string& second_stat) {
  scripted_server srv;
  srv.reply("", {"+OK POP3 ready", "+OK", "+OK logged in", "+OK 3 320", "+OK marked", second_stat, "+OK",
                 "+OK 3 320"});
  return srv;
}

TEST(Executor, PassesTheDesignSample) {
  const auto s = parse_ok(design_sample);
  auto srv = design_server("+OK 2 200");
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_EQ(r.id, "rfc1939/rset/unmarks");
  EXPECT_EQ(r.suite, "rfc1939");
  EXPECT_EQ(r.rules, (std::vector<std::string>{"rfc1939/rset/unmarks"}));
  EXPECT_EQ(srv.sent[""], "USER alice\r\nPASS s3cret\r\nSTAT\r\nDELE 1\r\nSTAT\r\nRSET\r\nSTAT\r\n");
  // connect, then reads and sends, then one close (no QUIT: nothing is committed), then finished.
  ASSERT_GE(srv.actions.size(), 3u);
  EXPECT_EQ(srv.actions.front().index(), connect_index);
  EXPECT_EQ(srv.actions[srv.actions.size() - 2].index(), close_index);
  EXPECT_EQ(srv.count(close_index), 1u);
  EXPECT_EQ(srv.reads.front().max_octets, 512u);
  EXPECT_EQ(srv.reads.front().timeout, std::chrono::milliseconds(0));
}

TEST(Executor, FailsWithFileLineExpectedAndGot) {
  const auto s = parse_ok(design_sample);
  auto srv = design_server("+OK 3 320");
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.message,
            "t.pop3:13: expected +OK 2 *, got +OK 3 320 (token 2: expected ${count-1} = \"2\", got \"3\")");
  EXPECT_EQ(r.expected, "+OK 2 *");
  EXPECT_EQ(r.actual, "+OK 3 320");
  // After a failure the executor closes its connection and finishes; RSET is never sent.
  EXPECT_EQ(srv.sent[""].find("RSET"), std::string::npos);
  EXPECT_EQ(srv.actions[srv.actions.size() - 2].index(), close_index);
}

TEST(Executor, TranscriptRecordsBothDirectionsAndMasksThePassword) {
  const auto s = parse_ok(design_sample);
  auto srv = design_server("+OK 2 200");
  auto ctx = full_context();
  double now = 0;
  ctx.clock = [&now] { return now += 0.5; };
  const auto r = srv.run(s, ctx);
  std::vector<std::string> lines;
  for (const auto& l : r.transcript) {
    const char* dir = l.dir == reports::transcript_line::direction::client   ? "C: "
                      : l.dir == reports::transcript_line::direction::server ? "S: "
                                                                             : "-- ";
    lines.push_back(dir + l.text);
  }
  ASSERT_GE(lines.size(), 7u);
  EXPECT_EQ(lines[0], "-- connect");
  EXPECT_EQ(lines[1], "S: +OK POP3 ready");
  EXPECT_EQ(lines[2], "C: USER alice");
  EXPECT_EQ(lines[4], "C: PASS ****");
  EXPECT_EQ(lines.back(), "-- close");
  EXPECT_GT(r.transcript.back().at_seconds, r.transcript.front().at_seconds);
  EXPECT_GT(r.elapsed.count(), 0);
}

TEST(Executor, GreetingMustBePositive) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: -ERR\n");
  scripted_server srv;
  srv.reply("", {"-ERR go away"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.message,
            "t.pop3:4: greeting: expected +OK, got -ERR go away (token 1: expected \"+OK\", got \"-ERR\")");
}

TEST(Executor, ConnectFailureIsAHarnessError) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: -ERR\n");
  scripted_server srv;
  srv.fail_next(connect_index, failed_event{"connection refused", true});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::error);
  EXPECT_EQ(r.message, "t.pop3:4: could not connect: connection refused");
  EXPECT_EQ(srv.count(close_index), 0u);
}

TEST(Executor, FailedEventsSplitIntoErrorAndFail) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: STLS\nS: +OK\ntls\nC: NOOP\nS: -ERR\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK begin TLS"}).fail_next(tls_index, failed_event{"bad certificate", false});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::fail);
    EXPECT_EQ(r.message, "t.pop3:6: the TLS handshake failed: bad certificate");
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK begin TLS"}).fail_next(tls_index, failed_event{"no CA bundle", true});
    EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::error);
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK begin TLS"}).fail_next(tls_index, closed_event{});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::fail);
    EXPECT_EQ(r.message, "t.pop3:6: expected the TLS handshake to complete, got <closed>");
  }
}

TEST(Executor, TimeoutWhereAResponseWasExpectedIsAFail) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: -ERR\n");
  scripted_server srv;
  srv.reply("", {"+OK hi"});  // then nothing: the read times out
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.message, "t.pop3:5: expected -ERR, got <timeout: no response>");
}

TEST(Executor, TooLongAndBareLfStatusLinesFail) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: -ERR\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi"})
        .reply("", line_event{protocol::framed_line{std::string(512, 'x'),
                                                    protocol::framed_line::ending::none, true}});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::fail);
    EXPECT_NE(r.message.find("(a response line longer than 512 octets)"), std::string::npos) << r.message;
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi"}).reply("", line("-ERR", protocol::framed_line::ending::bare_lf));
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.message, "t.pop3:5: expected -ERR, got -ERR (the line ends in a bare LF, not CRLF)");
  }
}

TEST(Executor, ExpectedClosePassesAndUnexpectedCloseFails) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: QUIT\nS: +OK\nS: <closed>\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK bye"}).reply("", closed_event{});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::pass) << r.message;
    EXPECT_EQ(srv.count(close_index), 0u);  // already closed by the server
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK bye", "+OK more"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.message, "t.pop3:6: expected <closed>, got +OK more");
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi"}).reply("", closed_event{});
    EXPECT_EQ(srv.run(s, full_context()).message, "t.pop3:5: expected +OK, got <closed>");
  }
}

TEST(Executor, AlternativesAcceptEachListedOutcome) {
  const auto s = parse_ok(R"(id: t/x
rules: r/a
level: MUST
connections: a b
a: login: user
b: C: USER $user
b: S: +OK
b: C: PASS $password
b: S: -ERR [IN-USE] | <closed>
b: C: QUIT
b: S: +OK
a: C: NOOP
a: S: +OK
)");
  {
    scripted_server srv;
    srv.reply("a", {"+OK a", "+OK", "+OK in", "+OK"})
        .reply("b", {"+OK b", "+OK", "-ERR [in-use] locked", "+OK bye"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::pass) << r.message;
    EXPECT_EQ(srv.sent["b"], "USER alice\r\nPASS s3cret\r\nQUIT\r\n");
  }
  {
    // The server closes instead: allowed; b's later steps no longer apply, a's still run.
    scripted_server srv;
    srv.reply("a", {"+OK a", "+OK", "+OK in", "+OK"}).reply("b", {"+OK b", "+OK"}).reply("b", closed_event{});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::pass) << r.message;
    EXPECT_EQ(srv.sent["b"], "USER alice\r\nPASS s3cret\r\n");
    EXPECT_EQ(srv.sent["a"], "USER alice\r\nPASS s3cret\r\nNOOP\r\n");
    bool noted = false;
    for (const auto& l : r.transcript) noted = noted || l.text.find("line 10 skipped") != std::string::npos;
    EXPECT_TRUE(noted);
  }
  {
    scripted_server srv;
    srv.reply("a", {"+OK a", "+OK", "+OK in"}).reply("b", {"+OK b", "+OK", "-ERR [AUTH] wrong"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::fail);
    EXPECT_EQ(r.message, "t.pop3:9: expected -ERR [IN-USE] | <closed>, got -ERR [AUTH] wrong");
  }
}

TEST(Executor, SilenceIsATimedRead) {
  const auto s = parse_ok(
      "id: t/x\nrules: r/a\nlevel: MUST\nraw: \"STLS\\r\\nCAPA\\r\\n\"\nS: +OK\ntls\nS: <silence 2s>\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK go"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::pass) << r.message;
    EXPECT_EQ(srv.reads.back().timeout, std::chrono::seconds(2));
    EXPECT_EQ(srv.count(tls_index), 1u);
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK go", "+OK capability list follows"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.message,
              "t.pop3:7: expected <silence 2s>, got +OK capability list follows (expected silence, but a "
              "line arrived)");
  }
}

TEST(Executor, CapturesCarryAcrossConnections) {
  const auto s = parse_ok(R"(id: t/x
rules: r/a
level: MUST
state: transaction
connections: a b
a: C: UIDL 1
a: S: +OK 1 $uid
a: close
b: C: UIDL 1
b: S: +OK 1 $uid
b: C: RETR UID:$uid
b: S: +OK
)");
  scripted_server srv;
  srv.reply("a", {"+OK", "+OK", "+OK", "+OK 1 abc"})
      .reply("b", {"+OK", "+OK", "+OK", "+OK 1 abc", "+OK", "."});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_NE(srv.sent["b"].find("RETR UID:abc\r\n"), std::string::npos);
  scripted_server other;
  other.reply("a", {"+OK", "+OK", "+OK", "+OK 1 abc"}).reply("b", {"+OK", "+OK", "+OK", "+OK 1 xyz"});
  EXPECT_EQ(other.run(s, full_context()).message,
            "t.pop3:10: expected +OK 1 abc, got +OK 1 xyz (token 3: expected $uid = \"abc\", got \"xyz\")");
}

TEST(Executor, ServerValuesThatBreakAnExpressionFail) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: STAT\nS: +OK $n\nC: RETR ${n+1}\nS: -ERR\n");
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK many"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.message, "t.pop3:6: cannot build the command: ${n+1}: $n is \"many\", not a number");
}

TEST(Executor, GatesSkipWithReasons) {
  auto ctx = full_context();
  auto skip = [&](const std::string& text, const run_context& c,
                  std::map<std::string, std::string> files = {}) {
    scripted_server srv;
    const auto r = srv.run(parse_ok("id: t/x\nrules: r/a\nlevel: MUST\n" + text, std::move(files)), c);
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(srv.actions.size(), 1u);  // finished at once, no I/O
    return r.message;
  };
  EXPECT_EQ(skip("requires: SLEEPING\nC: NOOP\nS: +OK\n", ctx),
            "requires SLEEPING, which the server does not advertise");
  EXPECT_EQ(skip("requires: SASL=CRAM-MD5\nC: NOOP\nS: +OK\n", ctx),
            "requires SASL=CRAM-MD5, which the server does not advertise");
  run_context no_capa = ctx;
  no_capa.caps_authorization = {};
  no_capa.caps_transaction = {};
  EXPECT_EQ(skip("requires: TOP\nC: NOOP\nS: +OK\n", no_capa),
            "requires TOP, which the server does not advertise (no CAPA response)");
  // A command the probe saw working satisfies the gate, except for a scenario that sends CAPA:
  // that one is about what CAPA lists, and this server's CAPA lists nothing.
  no_capa.caps_seen_working = {"USER"};
  EXPECT_EQ(skip("requires: USER\nC: CAPA\nS: +OK\n", no_capa),
            "requires USER, which the server does not advertise (no CAPA response) (it works, but this scenario "
            "checks CAPA)");
  {
    scripted_server srv;
    srv.reply("", {"+OK", "+OK"});
    EXPECT_EQ(srv.run(parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nrequires: USER\nC: NOOP\nS: +OK\n"), no_capa)
                  .outcome,
              verdict::pass);
  }
  run_context plain = ctx;
  plain.fixtures_available = false;
  plain.destructive_allowed = false;
  plain.tls_available = false;
  EXPECT_EQ(skip("mailbox: 2 messages\nC: NOOP\nS: +OK\n", plain),
            "needs a provisioned mailbox or deliveries, and no fixture adapter is configured");
  EXPECT_EQ(skip("deliver: n.eml\n", plain, {{"n.eml", "x"}}),
            "needs a provisioned mailbox or deliveries, and no fixture adapter is configured");
  EXPECT_EQ(skip("destructive: yes\nC: NOOP\nS: +OK\n", plain),
            "destructive (commits changes to the mailbox); runs only with --allow-destructive");
  EXPECT_EQ(skip("C: STLS\nS: +OK\ntls\n", plain),
            "needs a TLS handshake, and TLS is not available on the target");
  // Requirements are case-insensitive and may come from either state's CAPA.
  scripted_server srv;
  srv.reply("", {"+OK", "+OK"});
  EXPECT_EQ(
      srv.run(
             parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nrequires: sasl=plain pipelining\nC: NOOP\nS: +OK\n"),
             ctx)
          .outcome,
      verdict::pass);
}

}  // namespace
}  // namespace pop3::harness
