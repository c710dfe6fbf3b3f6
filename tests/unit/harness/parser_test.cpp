// The scenario parser: every construct of the language and the AST it produces.
#include <gtest/gtest.h>

#include "harness_test_support.hpp"
#include "pop3/protocol/multiline.hpp"

namespace pop3::harness {
namespace {

using testing::parse_ok;

constexpr const char* header = "id: t/x\nrules: rfc1939/stat/format\nlevel: MUST\n";

std::string with_header(const std::string& body) { return std::string(header) + body; }

const expect_step& expect_at(const scenario& s, std::size_t i) {
  return std::get<expect_step>(s.steps.at(i).action);
}
const send_step& send_at(const scenario& s, std::size_t i) {
  return std::get<send_step>(s.steps.at(i).action);
}

std::string literal_bytes(const send_step& s) {
  std::string out;
  for (const auto& p : s.bytes.parts) out += p.expr ? "<" + p.expr->source() + ">" : p.literal;
  return out;
}

TEST(Parser, DesignSample) {
  const auto s = parse_ok(R"(# Lines after '#' are comments.
id:        rfc1939/rset/unmarks
rules:     rfc1939/rset/unmarks rfc1939/stat/excludes-deleted
level:     MUST
requires:  USER            # capability gate: skip if not advertised
mailbox:   3 messages      # fixture the provisioning adapter creates
state:     transaction     # start logged in (uses the run's credentials)

C: STAT
S: +OK $count $size        # $name captures on first use, compares after
C: DELE 1
S: +OK
C: STAT
S: +OK ${count-1} *        # expressions on captures; * matches one token
C: RSET
S: +OK
C: STAT
S: +OK $count $size
)");
  ASSERT_EQ(s.steps.size(), 10u);
  const auto& stat = expect_at(s, 1);
  ASSERT_EQ(stat.alternatives.size(), 1u);
  const auto& tokens = stat.alternatives[0].pattern.tokens;
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].k, pattern_token::kind::capture);
  EXPECT_EQ(tokens[1].text, "count");
  EXPECT_EQ(tokens[1].column, 8);
  EXPECT_EQ(expect_at(s, 5).alternatives[0].pattern.tokens[1].k, pattern_token::kind::expression);
  EXPECT_EQ(expect_at(s, 5).command, "STAT");
  EXPECT_EQ(s.steps[4].where.line, 13);
}

TEST(Parser, Header) {
  const auto s = parse_ok(R"(id: rfc1939/rset/unmarks
title: RSET unmarks deleted messages
rules: rfc1939/rset/unmarks rfc1939/stat/excludes-deleted
level: SHOULD
requires: USER SASL=PLAIN
probe: TOP
mailbox: 3 messages
state: transaction
destructive: yes
connections: a b

a: C: NOOP
a: S: +OK
)");
  EXPECT_EQ(s.id, "rfc1939/rset/unmarks");
  EXPECT_EQ(s.title, "RSET unmarks deleted messages");
  ASSERT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.rules[1].id, "rfc1939/stat/excludes-deleted");
  EXPECT_EQ(s.rules[1].where.column, 29);
  EXPECT_EQ(s.lvl, reports::level::should);
  ASSERT_EQ(s.required_caps.size(), 2u);
  EXPECT_EQ(s.required_caps[1].tag, "SASL");
  EXPECT_EQ(s.required_caps[1].param, "PLAIN");
  EXPECT_EQ(s.required_caps[1].to_string(), "SASL=PLAIN");
  EXPECT_EQ(s.probe_caps.at(0).tag, "TOP");
  EXPECT_EQ(s.mailbox.k, mailbox_fixture::kind::generated);
  EXPECT_EQ(s.mailbox.count, 3u);
  EXPECT_EQ(s.state, start_state::transaction);
  EXPECT_TRUE(s.destructive);
  EXPECT_EQ(s.connections, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.steps.at(0).conn, "a");
}

TEST(Parser, Defaults) {
  const auto s = parse_ok(with_header("C: NOOP\nS: +OK\n"));
  EXPECT_EQ(s.title, "t/x");
  EXPECT_EQ(s.state, start_state::authorization);
  EXPECT_EQ(s.mailbox.k, mailbox_fixture::kind::any);
  EXPECT_FALSE(s.destructive);
  EXPECT_TRUE(s.connections.empty());
  EXPECT_EQ(s.file, "t.pop3");
  EXPECT_EQ(s.steps.at(0).where.line, 4);
  EXPECT_EQ(s.steps.at(0).where.column, 1);
}

TEST(Parser, SendLinesGetCrlfAndInterpolation) {
  const auto s =
      parse_ok(with_header("C: USER $user\nS: +OK\nC: LIST  1\nS: +OK\nC: PASS a$$b ${'x'*3}\nS: +OK\n"));
  EXPECT_EQ(literal_bytes(send_at(s, 0)), "USER <user>\r\n");
  EXPECT_EQ(literal_bytes(send_at(s, 2)), "LIST  1\r\n");  // inner spacing is kept
  EXPECT_EQ(literal_bytes(send_at(s, 4)), "PASS a$b <'x'*3>\r\n");
  EXPECT_FALSE(send_at(s, 0).raw);
}

TEST(Parser, RawSendsWithEscapesRepeatAndChunks) {
  const auto s = parse_ok(with_header(
      "raw: \"STAT\\n\"\nS: +OK\nraw: \"USER ${'a'*300}\\r\\n\" chunk=1\nS: -ERR\nraw: \"\\0\\x41#x\"\n"));
  EXPECT_EQ(literal_bytes(send_at(s, 0)), "STAT\n");
  EXPECT_TRUE(send_at(s, 0).raw);
  EXPECT_EQ(send_at(s, 0).chunk_size, 0u);
  EXPECT_EQ(literal_bytes(send_at(s, 2)), "USER <'a'*300>\r\n");
  EXPECT_EQ(send_at(s, 2).chunk_size, 1u);
  EXPECT_EQ(literal_bytes(send_at(s, 4)), std::string("\0A#x", 4));
}

TEST(Parser, PipelinedRawBatchAnswersEachCommandInOrder) {
  const auto s = parse_ok(
      with_header("state: transaction\n"
                  "raw: \"STAT\\r\\nLIST\\r\\nNOOP\\r\\n\"\nS: +OK\nS: +OK\nS: 1 120\nS: .\nS: +OK\n"));
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(expect_at(s, 1).command, "STAT");
  EXPECT_FALSE(expect_at(s, 1).multiline);
  EXPECT_EQ(expect_at(s, 2).command, "LIST");
  EXPECT_TRUE(expect_at(s, 2).multiline);
  ASSERT_TRUE(expect_at(s, 2).block);
  EXPECT_EQ(expect_at(s, 2).block->lines.size(), 1u);
  EXPECT_EQ(expect_at(s, 3).command, "NOOP");
}

TEST(Parser, RepeatedCommandsFromAnExpressionArePending) {
  const auto s = parse_ok(with_header("raw: \"${'NOOP\\r\\n'*3}\"\nS: +OK\nS: +OK\nS: +OK\n"));
  EXPECT_EQ(s.steps.size(), 4u);
}

TEST(Parser, MultiLineCommandsAreKnown) {
  const auto s = parse_ok(with_header(
      "C: CAPA\nS: +OK\nC: LIST\nS: +OK\nC: LIST 1\nS: +OK 1 120\nC: RETR 1\nS: +OK\nC: TOP 1 0\nS: +OK\n"
      "C: UIDL\nS: +OK\nC: uidl 1\nS: +OK\nC: XYZZY\nS: -ERR\n"));
  EXPECT_TRUE(expect_at(s, 1).multiline);
  EXPECT_TRUE(expect_at(s, 3).multiline);
  EXPECT_FALSE(expect_at(s, 5).multiline);
  EXPECT_TRUE(expect_at(s, 7).multiline);
  EXPECT_TRUE(expect_at(s, 9).multiline);
  EXPECT_TRUE(expect_at(s, 11).multiline);
  EXPECT_FALSE(expect_at(s, 13).multiline);
  EXPECT_FALSE(expect_at(s, 15).multiline);
  EXPECT_FALSE(expect_at(s, 1).block);  // no block written: the executor still reads it
}

TEST(Parser, ExplicitBlockMakesAnUnknownCommandMultiLine) {
  const auto s = parse_ok(with_header("C: XTND2\nS: +OK\nS: a\nS: .\n"));
  EXPECT_TRUE(expect_at(s, 1).multiline);
  ASSERT_TRUE(expect_at(s, 1).block);
}

TEST(Parser, WithoutTerminatorFollowingLinesAnswerLaterCommands) {
  const auto s = parse_ok(with_header("C: LIST\nC: NOOP\nS: +OK\nS: +OK\n"));
  EXPECT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(expect_at(s, 2).command, "LIST");
  EXPECT_EQ(expect_at(s, 3).command, "NOOP");
}

TEST(Parser, BlocksWithLinesAndChecks) {
  const auto s = parse_ok(with_header(R"(mailbox: fixtures/a.eml
state: transaction
C: LIST
S: +OK
S: 1 $size1
S: .
C: RETR 1
S: +OK ...
  lines: 4
  octets: size1
  each: ...
  has: ..
  lacks: ~/\t/
  body: fixtures/a.eml
  body: message 1
S: .
)"),
                          {{"fixtures/a.eml", "Subject: a\n\nx\n.\n"}});
  const auto& list = expect_at(s, 1);
  ASSERT_TRUE(list.block);
  ASSERT_EQ(list.block->lines.size(), 1u);
  EXPECT_EQ(list.block->lines[0].where.line, 8);
  EXPECT_EQ(list.block->end.line, 9);
  const auto& retr = expect_at(s, 3);
  ASSERT_TRUE(retr.block);
  ASSERT_EQ(retr.block->checks.size(), 7u);
  EXPECT_EQ(retr.block->checks[0].k, block_check::kind::lines);
  EXPECT_EQ(retr.block->checks[1].k, block_check::kind::octets);
  EXPECT_EQ(retr.block->checks[2].k, block_check::kind::each);
  EXPECT_EQ(retr.block->checks[3].k, block_check::kind::has);
  EXPECT_EQ(retr.block->checks[4].k, block_check::kind::lacks);
  EXPECT_EQ(retr.block->checks[5].body, "Subject: a\r\n\r\nx\r\n.\r\n");  // CRLF-normalised
  EXPECT_EQ(retr.block->checks[6].body, retr.block->checks[5].body);
  EXPECT_EQ(retr.block->checks[5].where.column, 9);
}

TEST(Parser, AlternativesMarkersAndGreeting) {
  const auto s = parse_ok(R"(id: t/g
rules: rfc1939/greeting/positive
level: MUST
state: greeting
S: ~/^\+OK .*<[^<>@ ]+@[^<> ]+>/
C: QUIT
S: +OK | -ERR [SYS] | <closed>
S: <silence 500ms>
)");
  const auto& greeting = expect_at(s, 0);
  EXPECT_TRUE(greeting.greeting);
  EXPECT_TRUE(greeting.alternatives.at(0).pattern.line_regex);
  const auto& quit = expect_at(s, 2);
  EXPECT_EQ(quit.alternatives.size(), 3u);
  EXPECT_EQ(quit.command, "QUIT");
  EXPECT_EQ(expect_at(s, 3).alternatives.at(0).silence, std::chrono::milliseconds(500));
  EXPECT_EQ(expect_at(s, 3).command, "");
}

TEST(Parser, ConnectionsTlsWaitCloseDeliver) {
  const auto s = parse_ok(R"(id: t/c
rules: rfc1939/lock/exclusive
level: MUST
connections: a b
a: C: STLS
a: S: +OK
a: tls
a: C: CAPA
a: S: +OK
a:   lacks: STLS
a: S: .
b: C: NOOP
b: S: -ERR
wait: 2s
deliver: fixtures/new.eml
a: close
)",
                          {{"fixtures/new.eml", "Subject: new\r\n\r\nhi\r\n"}});
  ASSERT_EQ(s.steps.size(), 10u);
  EXPECT_TRUE(std::holds_alternative<tls_step>(s.steps[2].action));
  EXPECT_EQ(s.steps[2].conn, "a");
  EXPECT_EQ(s.steps[5].conn, "b");
  EXPECT_EQ(std::get<wait_step>(s.steps[7].action).duration, std::chrono::seconds(2));
  EXPECT_EQ(std::get<deliver_step>(s.steps[8].action).message, "Subject: new\r\n\r\nhi\r\n");
  EXPECT_TRUE(std::holds_alternative<close_step>(s.steps[9].action));
  EXPECT_TRUE(needs_fixtures(s));
}

TEST(Parser, TlsDropsCommandsPipelinedBeforeIt) {
  // CAPA was injected after STLS; after tls it is not pending, so silence needs no command.
  const auto s = parse_ok(
      with_header("raw: \"STLS\\r\\nCAPA\\r\\n\"\nS: +OK\ntls\nS: <silence 1s>\nC: NOOP\nS: -ERR\n"));
  EXPECT_EQ(expect_at(s, 5).command, "NOOP");
}

TEST(Parser, IncludesTakeThePrefixOfTheIncludeLine) {
  const auto s = parse_ok(R"(id: t/i
rules: rfc1939/lock/exclusive
level: MUST
connections: a b
b: include: preambles/capa.inc
)",
                          {{"preambles/capa.inc", "# shared\nC: CAPA\nS: +OK\n"}});
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].conn, "b");
  EXPECT_EQ(s.steps[0].where.file, "preambles/capa.inc");
  EXPECT_EQ(s.steps[0].where.line, 2);
  EXPECT_TRUE(expect_at(s, 1).multiline);
}

TEST(Parser, LoginMacros) {
  const auto s = parse_ok(with_header("login: user\nlogin: apop\nlogin: plain\n"));
  ASSERT_EQ(s.steps.size(), 8u);
  EXPECT_EQ(literal_bytes(send_at(s, 0)), "USER <user>\r\n");
  EXPECT_EQ(literal_bytes(send_at(s, 2)), "PASS <password>\r\n");
  EXPECT_EQ(literal_bytes(send_at(s, 4)), "APOP <user> <apop_digest>\r\n");
  EXPECT_EQ(literal_bytes(send_at(s, 6)), "AUTH PLAIN <sasl_plain>\r\n");
  EXPECT_EQ(s.steps[0].origin, "login: user");
  EXPECT_EQ(s.steps[3].where.line, 4);
}

TEST(Parser, CommentsNeedBlanksAroundTheHash) {
  const auto s = parse_ok(with_header("C: NOOP # a comment\nS: +OK Message #2\nC: NOOP\nS: ~/ # /\n"));
  EXPECT_EQ(literal_bytes(send_at(s, 0)), "NOOP\r\n");
  EXPECT_EQ(expect_at(s, 1).alternatives[0].pattern.tokens.size(), 3u);
  EXPECT_EQ(expect_at(s, 3).alternatives[0].pattern.source, "~/ # /");
}

TEST(Parser, CrLfFilesAndIndentation) {
  const auto s = parse_ok("id: t/x\r\nrules: r/a\r\nlevel: MAY\r\n\r\n   C: NOOP\r\n\tS: +OK\r\n");
  EXPECT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].where.column, 4);
}

TEST(Fixtures, GeneratedMessagesAreDeterministicWithDistinctSizes) {
  const auto s = parse_ok(with_header("mailbox: 3 messages\nC: NOOP\nS: +OK\n"));
  const auto messages = mailbox_messages(s);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], generated_message(1, 3));
  EXPECT_NE(messages[0].size(), messages[1].size());
  EXPECT_NE(messages[2].find("\r\n.\r\n..x\r\n"), std::string::npos);  // dot lines in every third
  EXPECT_EQ(protocol::normalize_crlf(messages[1]), messages[1]);
  EXPECT_EQ(generated_message(1, 3).substr(0, 44), "From: pop3spec <fixtures@pop3spec.invalid>\r\n");
}

TEST(Fixtures, FilesAreProvisionedByteExact) {
  const auto s = parse_ok(with_header("mailbox: a.eml b.eml\nC: NOOP\nS: +OK\n"),
                          {{"a.eml", "A\n"}, {"b.eml", "B\r\n"}});
  EXPECT_EQ(s.mailbox.k, mailbox_fixture::kind::files);
  EXPECT_EQ(mailbox_messages(s), (std::vector<std::string>{"A\n", "B\r\n"}));
  EXPECT_TRUE(needs_fixtures(s));
  const auto empty = parse_ok(with_header("mailbox: empty\nC: NOOP\nS: +OK\n"));
  EXPECT_TRUE(mailbox_messages(empty).empty());
  EXPECT_TRUE(needs_fixtures(empty));
  EXPECT_FALSE(needs_fixtures(parse_ok(with_header("C: NOOP\nS: +OK\n"))));
}

TEST(Fixtures, BuiltinNames) {
  for (const char* n : {"user", "password", "sasl_plain", "timestamp", "apop_digest"})
    EXPECT_TRUE(is_builtin_name(n));
  EXPECT_FALSE(is_builtin_name("count"));
}

}  // namespace
}  // namespace pop3::harness
