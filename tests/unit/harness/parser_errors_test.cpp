// Every parser error: its message and exact line:column (the hint is checked to be present).
#include <gtest/gtest.h>

#include "harness_test_support.hpp"

namespace pop3::harness {
namespace {

using testing::errors_of;
using errors = std::vector<std::string>;

constexpr const char* header = "id: t/x\nrules: r/a\nlevel: MUST\n";  // steps start on line 4
std::string h(const std::string& body) { return std::string(header) + body; }

TEST(ParserErrors, DiagnosticFormat) {
  const auto r = parse_scenario(h("C: NOOP\nS: +OK\nbogus\n"), "dir/t.pop3");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].to_string(),
            "dir/t.pop3:6:1: error: unknown step 'bogus'\n"
            "  hint: steps are C:, S:, raw:, tls, close, wait:, deliver:, include:, login:, and inside a "
            "multi-line "
            "block lines:, each:, has:, lacks:, body:, same:, octets:");
}

TEST(ParserErrors, Lines) {
  EXPECT_EQ(
      errors_of(h("hello world\n")),
      (errors{"1:1: the scenario has no steps", "4:1: expected `key: value` or a step such as `C: STAT`"}));
  EXPECT_EQ(errors_of(h("  !!\n")), (errors{"1:1: the scenario has no steps",
                                            "4:3: expected `key: value` or a step such as `C: STAT`"}));
  EXPECT_EQ(errors_of(h("C:NOOP\n")),
            (errors{"1:1: the scenario has no steps", "4:3: expected a blank after 'C:'"}));
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK\nSTAT\n")), errors{"6:1: unknown step 'STAT'"});
  EXPECT_EQ(errors_of(h("tls: start\n")),
            (errors{"1:1: the scenario has no steps", "4:1: 'tls' takes no value"}));
  EXPECT_EQ(errors_of(h("wait\n")), (errors{"1:1: the scenario has no steps", "4:1: 'wait' needs a value"}));
  EXPECT_EQ(errors_of(h("")), errors{"1:1: the scenario has no steps"});
}

TEST(ParserErrors, Header) {
  EXPECT_EQ(errors_of("rules: r/a\nlevel: MUST\nC: NOOP\nS: +OK\n"), errors{"1:1: missing header key 'id'"});
  EXPECT_EQ(errors_of("id: t/x\nC: NOOP\nS: +OK\n"),
            (errors{"1:1: missing header key 'rules'", "1:1: missing header key 'level'"}));
  EXPECT_EQ(errors_of(h("colour: red\nC: NOOP\nS: +OK\n")), errors{"4:1: unknown header key 'colour'"});
  EXPECT_EQ(errors_of(h("id: t/y\nC: NOOP\nS: +OK\n")), errors{"4:1: duplicate header key 'id'"});
  EXPECT_EQ(errors_of(h("title:\nC: NOOP\nS: +OK\n")), errors{"4:7: header key 'title' has no value"});
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK\nstate: transaction\n")),
            errors{"6:1: header key 'state' after the first step"});
  EXPECT_EQ(errors_of(h("a: state: transaction\nC: NOOP\nS: +OK\n")),
            errors{"4:1: header key 'state' with a connection prefix"});
  EXPECT_EQ(errors_of("id: T/X\nrules: r/a\nlevel: MUST\nC: NOOP\nS: +OK\n"),
            errors{"1:5: bad scenario id 'T/X'"});
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a r//b\nlevel: MUST\nC: NOOP\nS: +OK\n"),
            errors{"2:12: bad rule id 'r//b'"});
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a\nlevel: must\nC: NOOP\nS: +OK\n"),
            errors{"3:8: unknown level 'must'"});
  EXPECT_EQ(errors_of(h("requires: TOP SASL= A.B\nC: NOOP\nS: +OK\n")),
            (errors{"4:15: bad capability 'SASL='", "4:21: bad capability 'A.B'"}));
  EXPECT_EQ(errors_of(h("probe: X.Y\nC: NOOP\nS: +OK\n")), errors{"4:8: bad capability 'X.Y'"});
  EXPECT_EQ(errors_of(h("mailbox: 0 messages\nC: NOOP\nS: +OK\n")), errors{"4:10: bad message count '0'"});
  EXPECT_EQ(errors_of(h("mailbox: a.eml gone.eml\nC: NOOP\nS: +OK\n"), {{"a.eml", "x"}}),
            errors{"4:16: cannot read fixture file 'gone.eml'"});
  EXPECT_EQ(errors_of(h("state: update\nC: NOOP\nS: +OK\n")), errors{"4:8: unknown state 'update'"});
  EXPECT_EQ(errors_of(h("destructive: maybe\nC: NOOP\nS: +OK\n")),
            errors{"4:14: destructive must be yes or no"});
  EXPECT_EQ(errors_of(h("connections: a bb a\na: C: NOOP\na: S: +OK\n")),
            (errors{"4:16: bad connection name 'bb'", "4:19: connection 'a' declared twice"}));
}

TEST(ParserErrors, Connections) {
  EXPECT_EQ(errors_of(h("a: C: NOOP\n")), errors{"4:1: unknown connection 'a'"});
  EXPECT_EQ(errors_of(h("connections: a b\nC: NOOP\na: C: NOOP\n")),
            errors{"5:1: step without a connection prefix"});
  EXPECT_EQ(errors_of(h("connections: a b\nc: C: NOOP\na: C: NOOP\n")),
            errors{"5:1: unknown connection 'c'"});
  EXPECT_EQ(errors_of(h("a: wait: 1s\nC: NOOP\n")), errors{"4:1: 'wait:' with a connection prefix"});
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK\nclose\nC: NOOP\n")),
            errors{"7:1: the connection was closed at line 6"});
  EXPECT_EQ(errors_of(h("C: QUIT\nS: <closed>\nC: NOOP\n")),
            errors{"6:1: the connection was closed at line 5"});
}

TEST(ParserErrors, Includes) {
  EXPECT_EQ(errors_of(h("include: nope.inc\n")),
            (errors{"1:1: the scenario has no steps", "4:10: cannot read include file 'nope.inc'"}));
  const auto cycle = errors_of(h("include: a.inc\n"),
                               {{"a.inc", "C: NOOP\ninclude: b.inc\n"}, {"b.inc", "include: a.inc\n"}});
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_EQ(cycle[0], "1:10: include cycle: t.pop3 -> a.inc -> b.inc -> a.inc");
  EXPECT_EQ(errors_of(h("C: NOOP\ninclude: x.inc\n"), {{"x.inc", "id: t/y\n"}}),
            errors{"1:1: header key 'id' in an included file"});
  EXPECT_EQ(errors_of(h("connections: a b\nb: include: x.inc\n"), {{"x.inc", "a: C: NOOP\n"}}),
            (errors{"1:1: the scenario has no steps",
                    "1:1: connection prefix 'a:' inside an include used with 'b:'"}));
  std::map<std::string, std::string> deep;
  for (int i = 0; i < 20; ++i)
    deep["d" + std::to_string(i) + ".inc"] = "include: d" + std::to_string(i + 1) + ".inc\n";
  const auto nested = errors_of(h("include: d0.inc\n"), deep);
  ASSERT_FALSE(nested.empty());
  EXPECT_EQ(nested.back(), "1:10: includes nested more than 16 deep");
  EXPECT_EQ(errors_of(h("login: kerberos\n")),
            (errors{"1:1: the scenario has no steps", "4:8: unknown login method 'kerberos'"}));
}

TEST(ParserErrors, DiagnosticsInIncludesNameTheIncludeFile) {
  const auto r = parse_scenario(h("include: x.inc\n"), "t.pop3",
                                testing::memory_files({{"x.inc", "C: NOOP\nS: +OK $\n"}}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].file, "x.inc");
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[0].column, 8);
}

TEST(ParserErrors, Sends) {
  EXPECT_EQ(errors_of(h("C: RETR $n\n")), errors{"4:4: undefined capture $n"});
  EXPECT_EQ(errors_of(h("C: RETR ${n+1}\n")), errors{"4:4: undefined capture $n"});
  EXPECT_EQ(errors_of(h("C: RETR ${n\n")), errors{"4:9: ${ is not closed with '}'"});
  EXPECT_EQ(errors_of(h("C: PASS 5$ x\n")), errors{"4:10: '$' without a name"});
  EXPECT_EQ(errors_of(h("C: USER ${'a'-1}\n")),
            errors{"4:14: '-' needs numbers; text works only with '+' (join) and 'text' * n"});
  EXPECT_EQ(errors_of(h("raw: STAT\n")), errors{"4:6: raw: needs one quoted string"});
  EXPECT_EQ(errors_of(h("raw: \"STAT\\q\"\n")), errors{"4:11: unknown escape \\q"});
  EXPECT_EQ(errors_of(h("raw: \"AB\\x4\"\n")), errors{"4:9: \\x needs two hex digits"});
  EXPECT_EQ(errors_of(h("raw: \"AB\\\\\\\" x\n")), errors{"4:6: raw: needs one quoted string"});
  EXPECT_EQ(errors_of(h("raw: \"STAT\\r\\n\" chunk=0\n")), errors{"4:17: unknown raw: option 'chunk=0'"});
  EXPECT_EQ(errors_of(h("raw: \"STAT\\r\\n\" fast\n")), errors{"4:17: unknown raw: option 'fast'"});
}

TEST(ParserErrors, DestructiveCommandsNeedTheHeader) {
  EXPECT_EQ(errors_of(h("C: DELI 1\nS: +OK\n")), errors{"4:4: DELI changes the mailbox for good"});
  EXPECT_EQ(errors_of(h("C: DELE 1\nS: +OK\nC: QUIT\nS: +OK\n")),
            errors{"6:4: QUIT after DELE changes the mailbox for good"});
  EXPECT_TRUE(errors_of(h("C: DELE 1\nS: +OK\nC: RSET\nS: +OK\nC: QUIT\nS: +OK\n")).empty());
  EXPECT_TRUE(errors_of(h("destructive: yes\nC: SLEE\nS: +OK\n")).empty());
  EXPECT_EQ(errors_of(h("raw: \"DELE 1\\r\\nQUIT\\r\\n\"\nS: +OK\nS: +OK\n")),
            errors{"4:6: QUIT after DELE changes the mailbox for good"});
}

TEST(ParserErrors, OtherSteps) {
  EXPECT_EQ(errors_of(h("wait: soon\n")), errors{"4:7: bad duration 'soon'"});
  EXPECT_EQ(errors_of(h("wait: 25h\n")), errors{"4:7: bad duration '25h'"});
  EXPECT_EQ(errors_of(h("deliver: new.eml\n")), errors{"4:10: cannot read fixture file 'new.eml'"});
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK\nlines: 3\n")), errors{"6:1: 'lines:' outside a multi-line block"});
}

TEST(ParserErrors, Expectations) {
  EXPECT_EQ(errors_of(h("S: +OK\n")), errors{"4:1: S: without a preceding C:"});
  EXPECT_EQ(errors_of(h("connections: a\na: S: +OK\n")),
            errors{"5:4: S: without a preceding C: on connection a"});
  EXPECT_TRUE(errors_of(h("S: <closed>\n")).empty());
  EXPECT_EQ(errors_of(h("C: NOOP\nS:\n")), errors{"5:3: empty S: pattern"});
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK ~/(/\n")).size(), 1u);
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK ${n}\n")), errors{"5:8: undefined capture $n"});
  EXPECT_EQ(errors_of(h("C: STAT\nS: +OK $n | -ERR\n")),
            errors{"5:8: capture $n is bound inside alternatives"});
  EXPECT_TRUE(errors_of(h("C: STAT\nS: +OK $n\nC: STAT\nS: +OK $n | -ERR\n")).empty());
  EXPECT_TRUE(errors_of(h("C: STAT\nS: +OK $user\n")).empty());  // a built-in compares
}

TEST(ParserErrors, Blocks) {
  EXPECT_EQ(errors_of(h("C: CAPA\nS: -ERR\nS: TOP\nS: .\n")),
            errors{"5:4: a multi-line block follows a status that cannot be +OK"});
  EXPECT_EQ(errors_of(h("C: CAPA\nS: +OK\nS: TOP | USER\nS: .\n")),
            errors{"6:4: a data line takes one pattern"});
  EXPECT_EQ(errors_of(h("C: CAPA\nS: +OK\nS: <closed>\nS: .\n")),
            errors{"6:4: a data line takes one pattern"});
  EXPECT_EQ(errors_of(h("C: CAPA\nS: +OK\n  has: TOP $x\nS: .\n")),
            errors{"6:12: capture $x is bound by a block check"});
  EXPECT_EQ(errors_of(h("C: CAPA\nS: +OK\n  lines: 1 +\nS: .\n")),
            errors{"6:13: expected a number, a name, 'text' or '('"});
  EXPECT_EQ(errors_of(h("C: CAPA\nS: +OK\n  octets: size\nS: .\n")), errors{"6:11: undefined capture $size"});
  EXPECT_EQ(errors_of(h("C: RETR 1\nS: +OK\n  body: message 1\nS: .\n")),
            errors{"6:9: no message 1 in the mailbox fixture"});
  EXPECT_EQ(errors_of(h("mailbox: 2 messages\nC: RETR 1\nS: +OK\n  body: message 3\nS: .\n")),
            errors{"7:9: no message 3 in the mailbox fixture"});
  EXPECT_EQ(errors_of(h("C: RETR 1\nS: +OK\n  body: x.eml\nS: .\n")),
            errors{"6:9: cannot read fixture file 'x.eml'"});
  EXPECT_EQ(errors_of(h("C: RETR 1\nS: +OK\nS: a ${q}\nS: .\n")), errors{"6:6: undefined capture $q"});
}

TEST(ParserErrors, NeverThrowsOnOddInput) {
  for (const std::string& text :
       {std::string("\0\0\0", 3), std::string("S: ~/"), std::string("C: ${"), std::string("raw: \""),
        std::string("a:"), std::string(":"), std::string("S: <silence"), std::string("id:\n\n\n"),
        std::string(10000, '('), h("C: CAPA\nS: +OK\nS: .\nS: .\n"), h("raw: \"${'\\n'*5}\"\n")}) {
    EXPECT_NO_THROW((void)parse_scenario(text, "odd.pop3"));
  }
}

}  // namespace
}  // namespace pop3::harness
