// Security findings: the catalogue's "security:" note, lint keeping security rules in scenarios
// of their own, the executor marking a failure of such a rule, and `tls or-refused`.
#include <gtest/gtest.h>

#include "harness_test_support.hpp"
#include "pop3/harness/lint.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::full_context, testing::parse_ok, testing::scripted_server;

constexpr std::size_t tls_index = 3;  // start_tls_action in the action variant

rule_catalogue catalogue() {
  const auto r = rule_catalogue::parse(
      "id\tlevel\tsource\tsummary\tnotes\n"
      "s/inject\tSHOULD\tRFC 2595 §4\tInjected commands never run.\tsecurity: commands run inside TLS\n"
      "s/plain\tMUST\tRFC 2595 §4\tA plain rule.\n",
      "rules.tsv");
  EXPECT_TRUE(r.diagnostics.empty());
  return r.catalogue;
}

scenario marked(const std::string& rules, const std::string& steps) {
  auto s = parse_ok("id: t/x\nrules: " + rules + "\nlevel: SHOULD\n" + steps);
  mark_security(s, catalogue());
  return s;
}

TEST(SecurityRules, TheCatalogueNoteGivesTheReason) {
  const auto c = catalogue();
  EXPECT_EQ(c.find("s/inject")->security, "commands run inside TLS");
  EXPECT_FALSE(c.find("s/inject")->uncheckable);
  EXPECT_FALSE(c.find("s/plain")->security);
  const auto bad = rule_catalogue::parse("id\tlevel\tsource\tsummary\tnotes\nr/x\tMUST\ts\tx\tsecurity: \n", "f");
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].message, "unknown note 'security: '");
}

TEST(SecurityRules, LintKeepsThemInScenariosOfTheirOwn) {
  const auto s = parse_ok("id: t/x\nrules: s/inject s/plain\nlevel: SHOULD\nC: NOOP\nS: +OK\n");
  const auto d = lint_rules(s, catalogue());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message, "rule 's/plain' is no security rule, but 's/inject' is");
  EXPECT_EQ(d[0].column, 17);
  EXPECT_TRUE(lint_rules(parse_ok("id: t/x\nrules: s/inject\nlevel: SHOULD\nC: NOOP\nS: +OK\n"), catalogue()).empty());
}

TEST(SecurityRules, MarkSecurityCopiesTheReason) {
  EXPECT_EQ(marked("s/inject", "C: NOOP\nS: +OK\n").security, "commands run inside TLS");
  EXPECT_EQ(marked("s/plain", "C: NOOP\nS: +OK\n").security, "");
}

TEST(SecurityRules, AFailureOfASecurityRuleIsAFindingWhateverItsLevel) {
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK logged in"});
  const auto r = srv.run(marked("s/inject", "C: STAT\nS: -ERR\n"), full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.lvl, reports::level::should);
  EXPECT_TRUE(r.security);
}

TEST(SecurityRules, PassesSkipsAndOtherRulesAreNoFinding) {
  scripted_server pass;
  pass.reply("", {"+OK hi", "-ERR no"});
  EXPECT_FALSE(pass.run(marked("s/inject", "C: STAT\nS: -ERR\n"), full_context()).security);
  scripted_server plain;
  plain.reply("", {"+OK hi", "+OK"});
  const auto r = plain.run(marked("s/plain", "C: STAT\nS: -ERR\n"), full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_FALSE(r.security);
}

std::string stls(const std::string& tls_line) {
  return "id: t/x\nrules: r/a\nlevel: MUST\nraw: \"STLS\\r\\nCAPA\\r\\n\"\nS: +OK\n" + tls_line +
         "\nS: <silence 2s>\nC: STAT\nS: -ERR\n";
}

TEST(TlsOrRefused, ParsesAndConflictsWithRefused) {
  const auto s = parse_ok(stls("tls or-refused"));
  const auto& t = std::get<tls_step>(s.steps[2].action);
  EXPECT_TRUE(t.or_refused);
  EXPECT_FALSE(t.refused);
  EXPECT_EQ(testing::errors_of("id: t/x\nrules: r/a\nlevel: MUST\nC: STLS\nS: +OK\ntls refused or-refused\n"),
            std::vector<std::string>{"6:13: tls takes refused or or-refused, not both"});
}

TEST(TlsOrRefused, ARefusalEndsTheConnectionAndPasses) {
  for (const event& refusal : {event(closed_event{}), event(failed_event{"TLS handshake: the server closed", false, true})}) {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK begin TLS"});
    srv.fail_next(tls_index, refusal);
    const auto r = srv.run(parse_ok(stls("tls or-refused")), full_context());
    EXPECT_EQ(r.outcome, verdict::pass) << r.message;
    EXPECT_EQ(srv.sent[""].find("STAT"), std::string::npos) << "the later steps were skipped";
    std::string all;
    for (const auto& l : r.transcript) all += l.text + "\n";
    EXPECT_NE(all.find("TLS handshake refused, which the scenario accepts"), std::string::npos) << all;
  }
}

TEST(TlsOrRefused, ACompletedHandshakeGoesOnWithTheSteps) {
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK begin TLS"});
  srv.reply("", timeout_event{});  // the silence
  srv.reply("", {"+OK"});          // STAT answered +OK: the injected CAPA ran
  const auto r = srv.run(parse_ok(stls("tls or-refused")), full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_NE(r.message.find("t.pop3:9: expected -ERR"), std::string::npos) << r.message;
}

TEST(TlsOrRefused, GarbageOrABadCertificateIsNoRefusal) {
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK begin TLS"});
  srv.fail_next(tls_index, failed_event{"TLS handshake: wrong version number", false, false});
  const auto r = srv.run(parse_ok(stls("tls or-refused")), full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_NE(r.message.find("the TLS handshake failed: TLS handshake: wrong version number"), std::string::npos)
      << r.message;
}

}  // namespace
}  // namespace pop3::harness
