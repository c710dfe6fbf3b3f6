// Executor: logins (the state: transaction preamble, APOP, SASL masking), probes, and the
// next()/on() contract. The rest of the executor's behaviour is in executor_test.cpp.
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

TEST(Executor, ApopUsesTheGreetingTimestampOrSkips) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nlogin: apop\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "+OK maildrop has 1 message"});
    auto ctx = full_context();
    ctx.user = "mrose";
    const auto r = srv.run(s, ctx);
    EXPECT_EQ(r.outcome, verdict::pass) << r.message;
    EXPECT_EQ(srv.sent[""], "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");  // RFC 1939 §7
    bool secret_shown = false;
    for (const auto& l : r.transcript)
      secret_shown = secret_shown || l.text.find("tanstaaf") != std::string::npos;
    EXPECT_FALSE(secret_shown);
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK POP3 server ready"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(r.message, "the greeting has no APOP timestamp (the server does not offer APOP)");
    EXPECT_EQ(srv.count(close_index), 1u);
  }
  {
    auto ctx = full_context();
    ctx.apop_secret.clear();
    scripted_server srv;
    srv.reply("", {"+OK <1.2@host>"});
    EXPECT_EQ(srv.run(s, ctx).message, "no APOP secret is configured for the run");
  }
}

TEST(Executor, PreambleLogsInWithPlainWhenUserIsNotOffered) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nstate: transaction\nC: NOOP\nS: +OK\n");
  auto ctx = full_context();
  const std::vector<std::string> caps{"SASL PLAIN", "TOP"};
  ctx.caps_authorization = protocol::capability_set::parse(caps);
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK welcome", "+OK"});
  const auto r = srv.run(s, ctx);
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_EQ(srv.sent[""], "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\nNOOP\r\n");
  EXPECT_EQ(r.transcript.at(2).text, "AUTH PLAIN ****");
}

TEST(Executor, PreambleFailureNamesTheLogin) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nstate: transaction\nC: NOOP\nS: +OK\n");
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK", "-ERR [AUTH] no"});
  const auto r = srv.run(s, full_context());
  // The preamble is setup: its failure says nothing about r/a.
  EXPECT_EQ(r.outcome, verdict::error);
  EXPECT_EQ(r.message,
            "setup failed, so the scenario's rules were not checked: t.pop3:5: login: user (state: transaction): "
            "expected +OK, got -ERR [AUTH] no (token 1: expected \"+OK\", got \"-ERR\")");
}

TEST(Executor, SaslExchangesAreMasked) {
  const auto s =
      parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: AUTH PLAIN\nS: ~/^\\+ $/\nC: $sasl_plain\nS: +OK\n");
  scripted_server srv;
  srv.reply("", {"+OK hi", "+ ", "+OK"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  std::vector<std::string> client;
  for (const auto& l : r.transcript)
    if (l.dir == reports::transcript_line::direction::client) client.push_back(l.text);
  EXPECT_EQ(client, (std::vector<std::string>{"AUTH PLAIN", "****"}));
}

TEST(Executor, RawSendsKeepTheirBytesAndChunking) {
  const auto s = parse_ok(
      "id: t/x\nrules: r/a\nlevel: MUST\nraw: \"NOOP\\n\" chunk=1\nS: -ERR | +OK\nC: USER ${'a'*300}\nS: "
      "-ERR\n");
  scripted_server srv;
  srv.reply("", {"+OK hi", "-ERR", "-ERR too long"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  const auto& raw = std::get<send_action>(srv.actions.at(2));
  EXPECT_EQ(raw.bytes, "NOOP\n");
  EXPECT_EQ(raw.chunk_size, 1u);
  EXPECT_EQ(std::get<send_action>(srv.actions.at(4)).bytes.size(), 5u + 300u + 2u);
  EXPECT_EQ(r.transcript.at(2).text, "NOOP\\n");
}

TEST(Executor, WaitForAnAnnouncedCapabilityUsesItsValueWithinMaxWait) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: +OK\nwait: LOGIN-DELAY + 1s\n");
  auto ctx = full_context();
  ctx.caps_authorization = protocol::capability_set::parse(std::vector<std::string>{"USER", "LOGIN-DELAY 900 USER"});
  ctx.caps_transaction = protocol::capability_set::parse(std::vector<std::string>{"USER", "LOGIN-DELAY 10"});
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK"});
  const auto r = srv.run(s, ctx);
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  // The user's own value (after login) plus the fixed second.
  EXPECT_EQ(std::get<wait_action>(srv.actions.at(4)).duration, std::chrono::milliseconds(11000));

  ctx.max_wait = std::chrono::seconds(5);
  scripted_server unused;
  const auto too_long = unused.run(s, ctx);
  EXPECT_EQ(too_long.outcome, verdict::skip);
  EXPECT_EQ(too_long.message, "waits 11s in total with the announced LOGIN-DELAY 10, more than --max-wait 5s");

  auto without = full_context();  // LOGIN-DELAY not announced at all
  scripted_server none;
  EXPECT_EQ(none.run(s, without).outcome, verdict::skip);
  EXPECT_EQ(parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nwait: 2s\n").steps.at(0).action.index(),
            parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nwait: LOGIN-DELAY\n").steps.at(0).action.index());
}

TEST(Executor, DeliverAndWaitAreActions) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: +OK\nwait: 1500ms\ndeliver: n.eml\n",
                          {{"n.eml", "Subject: n\n\nhi\n"}});
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK"});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_EQ(srv.delivered, (std::vector<std::string>{"Subject: n\n\nhi\n"}));
  EXPECT_EQ(std::get<wait_action>(srv.actions.at(4)).duration, std::chrono::milliseconds(1500));
  scripted_server broken;
  broken.reply("", {"+OK hi", "+OK"}).fail_next(deliver_index, failed_event{"maildir not writable", true});
  const auto e = broken.run(s, full_context());
  EXPECT_EQ(e.outcome, verdict::error);
  EXPECT_EQ(e.message, "t.pop3:7: fixture delivery failed: maildir not writable");
  (void)wait_index;
}

TEST(Executor, ProbesWarnWhenNotAdvertisedButWorkingAndSkipWhenFailing) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nprobe: XTND\nC: XTND\nS: +OK\n");
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK", "TOP", "."});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::pass);
    EXPECT_EQ(r.warnings, (std::vector<std::string>{"works but not advertised: XTND"}));
  }
  {
    scripted_server srv;
    srv.reply("", {"+OK hi", "-ERR unknown"});
    const auto r = srv.run(s, full_context());
    EXPECT_EQ(r.outcome, verdict::skip);
    EXPECT_EQ(r.message,
              "XTND not advertised, and the probe failed: t.pop3:6: expected +OK, got -ERR unknown "
              "(token 1: expected \"+OK\", got \"-ERR\")");
  }
  {
    // Not advertised, but its command answered +OK: the feature exists, so a later failure of
    // it is a fail (a LAST that always says "+OK 0"), with the probe's tag named as unadvertised.
    const auto two = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nprobe: XTND\nC: XTND XLIST\nS: +OK\nC: XTND XMIT\nS: +OK\n");
    scripted_server srv;
    srv.reply("", {"+OK hi", "+OK", "-ERR broken"});
    const auto r = srv.run(two, full_context());
    EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  }
  {
    // Advertised but broken: a fail, never a skip.
    const auto adv = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nprobe: TOP\nC: TOP 1 0\nS: +OK\n");
    scripted_server srv;
    srv.reply("", {"+OK hi", "-ERR no TOP"});
    EXPECT_EQ(srv.run(adv, full_context()).outcome, verdict::fail);
    const auto req = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nrequires: TOP\nC: TOP 1 0\nS: +OK\n");
    scripted_server srv2;
    srv2.reply("", {"+OK hi", "-ERR no TOP"});
    EXPECT_EQ(srv2.run(req, full_context()).outcome, verdict::fail);
  }
}

TEST(Executor, NextIsStableUntilOnIsCalledAndFinishedIsSticky) {
  const auto s = parse_ok("id: t/x\nrules: r/a\nlevel: MUST\nC: NOOP\nS: +OK\n");
  executor ex(s, full_context());
  const action first = ex.next();
  EXPECT_EQ(ex.next().index(), first.index());
  ex.on(ok_event{});
  EXPECT_EQ(ex.next().index(), read_index);
  ex.on(closed_event{});
  EXPECT_EQ(ex.next().index(), 7u);  // finished (the server closed, nothing left to close)
  EXPECT_EQ(ex.next().index(), 7u);
  ex.on(ok_event{});  // ignored
  EXPECT_EQ(ex.result().outcome, verdict::fail);
  executor moved(std::move(ex));
  EXPECT_EQ(moved.result().outcome, verdict::fail);
}

}  // namespace
}  // namespace pop3::harness
