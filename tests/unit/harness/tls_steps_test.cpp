// The `tls` step's options (min-version, max-version, ciphers, refused) and the <close-notify>
// marker: parsing, lint errors with line:column, and the executor's verdicts on scripted events.
#include <gtest/gtest.h>

#include <deque>

#include "harness_test_support.hpp"

namespace pop3::harness {
namespace {

using reports::verdict;
using testing::errors_of;
using testing::full_context;
using testing::parse_ok;
using testing::scripted_server;
using errors = std::vector<std::string>;

constexpr std::size_t tls_index = 3;
constexpr const char* header = "id: t/x\nrules: r/a\nlevel: MUST\n";  // steps start on line 4
std::string h(const std::string& body) { return std::string(header) + body; }
// STLS on lines 4-5, the tls step on line 6, `rest` after it.
std::string stls(const std::string& tls_line, const std::string& rest = "") {
  return h("C: STLS\nS: +OK\n" + tls_line + "\n" + rest);
}

const tls_step& tls_of(const scenario& s) {
  for (const step& st : s.steps) {
    if (const auto* t = std::get_if<tls_step>(&st.action)) return *t;
  }
  throw std::logic_error("no tls step");
}

std::string transcript(const reports::scenario_result& r) {
  std::string out;
  for (const auto& l : r.transcript) out += l.text + "\n";
  return out;
}

// ---- parsing ------------------------------------------------------------------------------

TEST(TlsOptions, PlainTlsKeepsTheDefaultOffer) {
  const auto s = parse_ok(stls("tls"));
  const tls_step& t = tls_of(s);
  EXPECT_TRUE(t.offer.is_default());
  EXPECT_FALSE(t.refused);
  EXPECT_EQ(t.offer.lowest(), tls_version::v1_2);
  EXPECT_EQ(t.offer.highest(), tls_version::v1_3);
  EXPECT_EQ(t.offer.to_string(), "");
}

TEST(TlsOptions, EveryOptionIsParsed) {
  const auto s = parse_ok(stls("tls   min-version=1.0 max-version=1.1  ciphers=ECDHE-ECDSA-AES128-SHA:!aNULL refused"));
  const tls_step& t = tls_of(s);
  EXPECT_TRUE(t.refused);
  EXPECT_EQ(t.offer.min_version, tls_version::v1_0);
  EXPECT_EQ(t.offer.max_version, tls_version::v1_1);
  EXPECT_EQ(t.offer.ciphers, "ECDHE-ECDSA-AES128-SHA:!aNULL");
  EXPECT_EQ(t.offer.to_string(), "min-version=1.0 max-version=1.1 ciphers=ECDHE-ECDSA-AES128-SHA:!aNULL");
  const auto prefixed = parse_ok(h("connections: a\na: C: STLS\na: S: +OK\na: tls max-version=1.2 # comment\n"));
  EXPECT_EQ(tls_of(prefixed).offer.max_version, tls_version::v1_2);
}

TEST(TlsOptions, UnsetBoundsFollowTheOtherOne) {
  auto offer = [](const std::string& options) {
    const auto s = parse_ok(stls("tls " + options));
    return tls_of(s).offer;
  };
  EXPECT_EQ(offer("max-version=1.0").lowest(), tls_version::v1_0);  // a handshake limited to legacy versions
  EXPECT_EQ(offer("max-version=1.1").lowest(), tls_version::v1_0);
  EXPECT_EQ(offer("max-version=1.2").lowest(), tls_version::v1_2);
  EXPECT_EQ(offer("min-version=1.1").lowest(), tls_version::v1_1);
  EXPECT_EQ(offer("min-version=1.1").highest(), tls_version::v1_3);
  EXPECT_TRUE(offer("refused").is_default());
  EXPECT_EQ(parse_tls_version("1.3"), tls_version::v1_3);
  EXPECT_EQ(parse_tls_version("1"), std::nullopt);
  EXPECT_EQ(tls_version_name(tls_version::v1_1), "1.1");
}

TEST(TlsOptions, BadOptionsAreLintErrorsWithColumns) {
  EXPECT_EQ(errors_of(stls("tls fast")), errors{"6:5: unknown tls option 'fast'"});
  EXPECT_EQ(errors_of(stls("tls version=1.2")), errors{"6:5: unknown tls option 'version=1.2'"});
  EXPECT_EQ(errors_of(stls("tls max-version=1.4")), errors{"6:17: bad TLS version '1.4' in max-version="});
  EXPECT_EQ(errors_of(stls("tls min-version=SSL3")), errors{"6:17: bad TLS version 'SSL3' in min-version="});
  EXPECT_EQ(errors_of(stls("tls refused refused")), errors{"6:13: tls option 'refused' given twice"});
  EXPECT_EQ(errors_of(stls("tls max-version=1.0 max-version=1.1")),
            errors{"6:21: tls option 'max-version' given twice"});
  EXPECT_EQ(errors_of(stls("tls min-version=1.2 max-version=1.0")),
            errors{"6:5: min-version=1.2 is above max-version=1.0"});
  EXPECT_EQ(errors_of(stls("tls ciphers=ECDHE-RSA-AES128-GCM-SHA256")),
            errors{"6:5: ciphers= chooses TLS 1.2 suites, but the offer includes TLS 1.3"});
  EXPECT_EQ(errors_of(stls("tls max-version=1.2 ciphers=")), errors{"6:29: empty cipher list in ciphers="});
  EXPECT_EQ(errors_of(stls("tls max-version=1.2 ciphers=AES;rm")), errors{"6:32: bad character in ciphers="});
}

TEST(TlsOptions, OnlyTlsTakesOptions) {
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK\nclose now\n")), errors{"6:7: 'close' takes no options"});
  EXPECT_EQ(errors_of(stls("tls: max-version=1.2")), errors{"6:1: 'tls' takes no value"});
  EXPECT_EQ(errors_of(h("C: NOOP\nS: +OK\nNOOP now\n")),
            errors{"6:1: expected `key: value` or a step such as `C: STAT`"});
}

TEST(TlsOptions, NothingButCloseFollowsARefusedHandshake) {
  EXPECT_EQ(errors_of(stls("tls max-version=1.0 refused", "C: NOOP\nS: +OK\n")),
            (errors{"7:1: the TLS handshake at line 6 is to be refused: nothing can follow it",
                    "8:1: the TLS handshake at line 6 is to be refused: nothing can follow it"}));
  EXPECT_EQ(errors_of(stls("tls max-version=1.0 refused", "close\n")), errors{});
  // Another connection carries on.
  EXPECT_EQ(errors_of(h("connections: a b\na: C: STLS\na: S: +OK\na: tls max-version=1.0 refused\n"
                        "b: C: NOOP\nb: S: +OK\na: C: NOOP\n")),
            errors{"10:4: the TLS handshake at line 7 is to be refused on connection a: nothing can follow it"});
}

TEST(CloseNotify, IsAMarkerOfItsOwn) {
  const auto r = parse_outcomes("+OK | <close-notify> | <closed>", 4);
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.alternatives.size(), 3u);
  EXPECT_EQ(r.alternatives[1].k, outcome::kind::close_notify);
  EXPECT_EQ(render_outcomes(r.alternatives, {}), "+OK | <close-notify> | <closed>");
  const auto bad = parse_outcomes("-ERR <close-notify>", 4);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].message, "<close-notify> must be an alternative on its own");
  EXPECT_EQ(parse_outcomes("<close-notify", 4).errors.at(0).message, "unknown marker <close-notify");
}

TEST(CloseNotify, NeedsTlsOnItsConnection) {
  EXPECT_EQ(errors_of(h("C: QUIT\nS: +OK\nS: <close-notify>\n")),
            errors{"6:4: <close-notify> on a connection without TLS"});
  EXPECT_EQ(errors_of(stls("tls", "C: QUIT\nS: +OK\nS: <close-notify>\n")), errors{});
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a\nlevel: MUST\nrequires: FACT:TLS-ON-CONNECT\n"
                      "C: QUIT\nS: +OK\nS: <close-notify>\nC: NOOP\n"),
            errors{"8:1: the connection was closed at line 7"});
  EXPECT_EQ(errors_of("id: t/x\nrules: r/a\nlevel: MUST\nrequires: !FACT:TLS-ON-CONNECT\n"
                      "C: QUIT\nS: +OK\nS: <close-notify>\n"),
            errors{"7:4: <close-notify> on a connection without TLS"});
}

// ---- the executor ---------------------------------------------------------------------------

scripted_server stls_server() {
  scripted_server srv;
  srv.reply("", {"+OK hi", "+OK begin TLS"});
  return srv;
}

TEST(TlsRefused, TheOfferReachesTheRunner) {
  const auto s = parse_ok(stls("tls max-version=1.0 refused"));
  auto srv = stls_server();
  srv.fail_next(tls_index, failed_event{"TLS handshake: the server sent the alert \"protocol version\"", false, true});
  const auto r = srv.run(s, full_context());
  const start_tls_action* a = nullptr;
  for (const auto& x : srv.actions) a = a ? a : std::get_if<start_tls_action>(&x);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->refusal_expected);
  EXPECT_EQ(a->offer.max_version, tls_version::v1_0);
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_NE(transcript(r).find("TLS handshake (max-version=1.0 refused)"), std::string::npos) << transcript(r);
  EXPECT_NE(transcript(r).find("refused as expected: TLS handshake: the server sent the alert"), std::string::npos);
}

TEST(TlsRefused, ACloseIsARefusal) {
  auto srv = stls_server();
  srv.fail_next(tls_index, closed_event{});
  EXPECT_EQ(srv.run(parse_ok(stls("tls max-version=1.1 refused")), full_context()).outcome, verdict::pass);
}

TEST(TlsRefused, ACompletedHandshakeFails) {
  auto srv = stls_server();
  srv.fail_next(tls_index, ok_event{"TLSv1 ECDHE-ECDSA-AES256-SHA"});
  const auto r = srv.run(parse_ok(stls("tls max-version=1.0 refused")), full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_EQ(r.message, "t.pop3:6: expected the TLS handshake to be refused, got a completed handshake "
                       "(TLSv1 ECDHE-ECDSA-AES256-SHA)");
  EXPECT_NE(transcript(r).find("TLS established (TLSv1 ECDHE-ECDSA-AES256-SHA)"), std::string::npos);
}

TEST(TlsRefused, ASilentServerDidNotRefuse) {
  auto srv = stls_server();
  srv.fail_next(tls_index, timeout_event{});
  const auto r = srv.run(parse_ok(stls("tls max-version=1.0 refused")), full_context());
  EXPECT_EQ(r.outcome, verdict::fail);
  EXPECT_NE(r.message.find("neither completed nor refused"), std::string::npos) << r.message;
}

TEST(TlsRefused, AHarnessFailureIsAnErrorNotAPass) {
  auto srv = stls_server();
  srv.fail_next(tls_index, failed_event{"TLS handshake: the client could not send its ClientHello", true});
  const auto r = srv.run(parse_ok(stls("tls max-version=1.2 ciphers=eNULL refused")), full_context());
  EXPECT_EQ(r.outcome, verdict::error);
  EXPECT_NE(r.message.find("could not send its ClientHello"), std::string::npos) << r.message;
}

TEST(TlsRefused, RecordModeNotesACompletedHandshake) {
  auto ctx = full_context();
  ctx.record_responses = true;
  executor ex(parse_ok(stls("tls max-version=1.1 refused")), ctx);
  std::deque<std::string> replies{"+OK hi", "+OK begin TLS"};
  for (int i = 0; i < 100; ++i) {
    const action a = ex.next();
    if (std::holds_alternative<finished_action>(a)) break;
    if (std::holds_alternative<read_line_action>(a) && !replies.empty()) {
      ex.on(testing::line(replies.front()));
      replies.pop_front();
    } else if (std::holds_alternative<read_line_action>(a)) {
      ex.on(timeout_event{});
    } else {
      ex.on(std::holds_alternative<start_tls_action>(a) ? event{ok_event{"TLSv1.1 X"}} : event{ok_event{}});
    }
  }
  EXPECT_EQ(ex.result().outcome, verdict::fail);
  ASSERT_FALSE(ex.recording().empty());
  const recorded_response& last = ex.recording().back();
  EXPECT_EQ(last.command, "tls");
  EXPECT_EQ(last.k, recorded_response::kind::failed);
  EXPECT_NE(last.mismatch.find("expected the TLS handshake to be refused"), std::string::npos) << last.mismatch;
}

TEST(TlsPlain, TheNegotiatedSessionIsInTheTranscript) {
  auto srv = stls_server();
  srv.fail_next(tls_index, ok_event{"TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"});
  const auto r = srv.run(parse_ok(stls("tls max-version=1.2 ciphers=ECDHE-ECDSA-AES128-GCM-SHA256")), full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_NE(transcript(r).find("TLS established (TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256)"), std::string::npos);
  const auto* a = std::get_if<start_tls_action>(&srv.actions.at(4));
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->refusal_expected);
}

TEST(CloseNotify, PassesOnlyAfterAClose_notify) {
  const auto s = parse_ok(stls("tls", "C: QUIT\nS: +OK\nS: <close-notify>\n"));
  auto run = [&](close_kind kind) {
    auto srv = stls_server();
    srv.reply("", {"+OK bye"}).reply("", closed_event{kind});
    return srv.run(s, full_context());
  };
  const auto good = run(close_kind::tls_close_notify);
  EXPECT_EQ(good.outcome, verdict::pass) << good.message;
  EXPECT_NE(transcript(good).find("<closed> (TLS close_notify)"), std::string::npos) << transcript(good);
  EXPECT_EQ(run(close_kind::tls_truncated).message,
            "t.pop3:9: expected <close-notify>, got <closed> (TLS without close_notify)");
  EXPECT_EQ(run(close_kind::tcp).message, "t.pop3:9: expected <close-notify>, got <closed>");
}

TEST(CloseNotify, ClosedStillTakesEveryClose) {
  const auto s = parse_ok(stls("tls", "C: QUIT\nS: +OK\nS: <closed>\n"));
  auto srv = stls_server();
  srv.reply("", {"+OK bye"}).reply("", closed_event{close_kind::tls_truncated});
  const auto r = srv.run(s, full_context());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message;
  EXPECT_NE(transcript(r).find("<closed> (TLS without close_notify)"), std::string::npos) << transcript(r);
}

}  // namespace
}  // namespace pop3::harness
