// Declared facts (requires:/probe: FACT:NAME), connection-qualified built-ins, the extra logins'
// built-ins and base64 in sends, driven by scripted events.
#include <gtest/gtest.h>

#include "harness_test_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::full_context;
using testing::parse_ok;
using testing::scripted_server;

constexpr const char* head = "id: t/x\nrules: r/a\nlevel: MUST\n";

TEST(Facts, RequiresSkipsUnlessDeclared) {
  const auto s = parse_ok(std::string(head) + "requires: STLS fact:cleartext-refused\nC: NOOP\nS: +OK\n");
  ASSERT_EQ(s.required_caps.size(), 2u);
  EXPECT_TRUE(s.required_caps[1].fact);
  EXPECT_EQ(s.required_caps[1].to_string(), "FACT:CLEARTEXT-REFUSED");
  {
    scripted_server srv;
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(r.message,
              "requires FACT:CLEARTEXT-REFUSED, which the run does not declare (pop3spec run --fact "
              "CLEARTEXT-REFUSED)");
    EXPECT_TRUE(srv.actions.size() <= 1u);  // no connect: decided before any I/O
  }
  auto ctx = full_context();
  ctx.facts = {"Cleartext-Refused"};
  scripted_server srv;
  srv.reply("", {"+OK hi", "-ERR no"});
  EXPECT_EQ(srv.run(s, ctx).outcome, verdict::fail);  // declared: runs, and a bad answer fails
}

TEST(Facts, ANegatedRequirementRunsOnlyWhenAbsent) {
  const auto s = parse_ok(std::string(head) + "requires: !FACT:IMPLICIT-TLS !sasl=gssapi\nC: NOOP\nS: +OK\n");
  ASSERT_EQ(s.required_caps.size(), 2u);
  EXPECT_TRUE(s.required_caps[0].negated);
  EXPECT_EQ(s.required_caps[0].to_string(), "!FACT:IMPLICIT-TLS");
  EXPECT_EQ(s.required_caps[1].to_string(), "!SASL=gssapi");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK"});
    EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::pass);  // neither declared nor advertised
  }
  auto ctx = full_context();
  ctx.implicit_tls = true;  // a run over implicit TLS declares IMPLICIT-TLS itself
  {
    scripted_server srv;
    const auto r = srv.run(s, ctx);
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(r.message, "requires !FACT:IMPLICIT-TLS, and the run declares IMPLICIT-TLS");
  }
  const auto on_connect = parse_ok(std::string(head) + "requires: FACT:TLS-ON-CONNECT\nC: NOOP\nS: +OK\n");
  {
    scripted_server srv;
    const auto r = srv.run(on_connect, full_context());
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(r.message, "requires FACT:TLS-ON-CONNECT: runs only over implicit TLS (pop3spec run --tls)");
  }
  const auto tag = parse_ok(std::string(head) + "requires: !STLS\nC: NOOP\nS: +OK\n");
  scripted_server srv;
  const auto r = srv.run(tag, full_context());
  EXPECT_EQ(r.outcome, verdict::skip);
  EXPECT_EQ(r.message, "requires !STLS, and the server advertises STLS");
}

TEST(Facts, AProbeCannotBeNegated) {
  const auto bad = parse_scenario(std::string(head) + "probe: !XTND\nC: XTND\nS: +OK\n", "t.pop3");
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].message, "probe: cannot be negated");
  EXPECT_EQ(bad.diagnostics[0].column, 8);
}

TEST(Facts, ADeclaredFactMakesAFailedProbeAFail) {
  const auto s = parse_ok(std::string(head) + "probe: XTND\nC: XTND\nS: +OK\n");
  auto ctx = full_context();
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "-ERR unknown"});
    EXPECT_EQ(srv.run(s, ctx).outcome, verdict::skip);  // neither advertised nor declared
  }
  ctx.facts = {"XTND"};
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "-ERR unknown"});
    EXPECT_EQ(srv.run(s, ctx).outcome, verdict::fail);  // declared but broken
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK", "TOP", "."});
    const auto r = srv.run(s, ctx);
    EXPECT_EQ(r.outcome, verdict::pass);
    EXPECT_TRUE(r.warnings.empty());  // declared: not "works but not advertised"
  }
}

TEST(Facts, AnApopSecretDeclaresApop) {
  const auto s = parse_ok(std::string(head) + "probe: FACT:APOP\nstate: greeting\nS: ~/<.+@.+>/\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK ready"});
    EXPECT_EQ(srv.run(s, full_context()).outcome, verdict::fail);
  }
  auto ctx = full_context();
  ctx.apop_secret.clear();
  scripted_server srv;
  srv.reply("", {"+OK ready"});
  const auto r = srv.run(s, ctx);
  EXPECT_EQ(r.outcome, verdict::skip);
  EXPECT_EQ(r.message.rfind("FACT:APOP not advertised, and the probe failed", 0), 0u) << r.message;
}

TEST(QualifiedBuiltins, ReadAnotherConnectionsGreeting) {
  const auto s = parse_ok(std::string(head) +
                          "connections: a b\na: C: NOOP\na: S: +OK\nb: C: APOP $user ${a.apop_digest}\nb: S: -ERR\n"
                          "b: C: APOP $user $b.apop_digest\nb: S: +OK\na: C: ECHO $b.timestamp\na: S: +OK\n");
  scripted_server srv;
  srv.reply("b", {"+OK <2.2@h>", "-ERR replay", "+OK in"});
  srv.reply("a", {"+OK <1896.697170952@dbc.mtview.ca.us>", "+OK", "+OK"});
  auto ctx = full_context();
  ctx.user = "mrose";
  const auto r = srv.run(s, ctx);
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  // RFC 1939 §7's example digest, computed from a's greeting but sent on b.
  EXPECT_EQ(srv.sent["b"].substr(0, 45), "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
  EXPECT_EQ(srv.sent["a"], "NOOP\r\nECHO <2.2@h>\r\n");
}

TEST(QualifiedBuiltins, SkipWhenThatGreetingHasNoTimestamp) {
  const auto s = parse_ok(std::string(head) + "connections: a b\na: C: NOOP\na: S: +OK\n"
                                              "b: C: APOP $user ${a.apop_digest}\nb: S: +OK\n");
  scripted_server srv;
  srv.reply("a", {"+OK plain", "+OK"});
  srv.reply("b", {"+OK <1@h>"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::skip);
  EXPECT_EQ(r.message, "the greeting has no APOP timestamp (the server does not offer APOP)");
}

TEST(QualifiedBuiltins, LintNamesTheConnection) {
  const auto bad = parse_scenario(std::string(head) + "connections: a b\nb: C: APOP $user ${c.apop_digest}\n",
                                  "t.pop3");
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].message, "unknown connection 'c' in $c.apop_digest");
  const auto field = parse_scenario(std::string(head) + "connections: a b\nb: C: PASS $a.password\n", "t.pop3");
  ASSERT_EQ(field.diagnostics.size(), 1u);
  EXPECT_EQ(field.diagnostics[0].message, "$a.password is not a connection built-in");
}

TEST(Base64Sends, BuildAPlainResponseFromTheUser) {
  const auto s = parse_ok(std::string(head) + "C: AUTH PLAIN ${base64('\\0' + user + '\\0wrong-password')}\nS: -ERR\n");
  scripted_server srv;
  srv.reply("", {"+OK hi", "-ERR no"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_EQ(srv.sent[""], "AUTH PLAIN AGFsaWNlAHdyb25nLXBhc3N3b3Jk\r\n");
}

TEST(ExtraLogins, SendTheirCredentialsMaskedOrSkip) {
  const auto s = parse_ok(std::string(head) + "C: AUTH PLAIN $utf8_sasl_plain\nS: +OK\nC: PASS $long_password\nS: -ERR\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(r.message,
              "the account has no utf8 login (the embedded server makes one; with --config: utf8_user and utf8_pass)");
  }
  auto ctx = full_context();
  ctx.utf8_login = {"bob", "p\xc3\xa4ss"};
  ctx.long_login = {"carol", std::string(255, 'x')};
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK in", "-ERR no"});
  const auto r = srv.run(s, ctx);
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_EQ(srv.sent[""], "AUTH PLAIN AGJvYgBww6Rzcw==\r\nPASS " + std::string(255, 'x') + "\r\n");
  for (const auto& l : r.transcript) {
    EXPECT_EQ(l.text.find("AGJvYgBww6Rzcw=="), std::string::npos) << l.text;
    EXPECT_EQ(l.text.find("xxxxxxxx"), std::string::npos) << l.text;
  }
}

}  // namespace
}  // namespace pop3::harness
