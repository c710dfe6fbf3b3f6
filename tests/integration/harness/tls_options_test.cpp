// The `tls` step's options and the <close-notify> marker against fake TLS servers: each check
// passes against a server that keeps the rule and fails against one that breaks it, the client
// really offers (and completes) TLS 1.0 and 1.1 when asked, and an offer the client cannot make
// is an error of the harness, never a pass.
#include <gtest/gtest.h>

#include "fake_tls_server.hpp"
#include "harness_test_support.hpp"
#include "pop3/harness/net/certificate.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

using harness::run_scenario;
using reports::verdict;
using fake_tls_ending = fake_tls_options::ending;

/// `tls` with `options` after STLS, then (unless refused) NOOP inside TLS.
std::string stls_scenario(const std::string& options) {
  const bool refused = options.find("refused") != std::string::npos;
  return "id: fake/tls\nrules: tls/server/no-legacy-versions\nlevel: SHOULD\n\nC: STLS\nS: +OK\ntls " + options +
         (refused ? "\n" : "\nC: NOOP\nS: +OK\n");
}

/// QUIT, its +OK, then `marker`; over implicit TLS or (stls) after STLS.
std::string quit_scenario(const std::string& marker, bool stls) {
  return "id: fake/quit\nrules: tls/close/close-notify\nlevel: SHOULD\n" +
         std::string(stls ? "\nC: STLS\nS: +OK\ntls\n" : "requires: FACT:TLS-ON-CONNECT\n\n") +
         "C: QUIT\nS: +OK\nS: " + marker + "\n";
}

class HarnessTlsOptions : public ::testing::Test {
 protected:
  HarnessTlsOptions() : files_(harness::generate_self_signed_certificate(dir_.base())) {}

  fake_tls_pop3 server(fake_tls_options options) { return {files_.cert, files_.key, std::move(options)}; }

  reports::scenario_result run(const std::string& text, std::uint16_t port, bool implicit = false) {
    auto where = loopback(port, implicit ? harness::tls_mode::implicit : harness::tls_mode::stls);
    where.ca_file = files_.cert.string();
    auto who = fake_account();
    const std::vector<std::string> capa{"USER", "STLS"};
    who.caps.before_login = protocol::capability_set::parse(capa);
    return run_scenario(parse_valid(text), where, who, quick());
  }

  static fake_tls_options legacy_only(int version) {
    fake_tls_options o;
    o.min_version = o.max_version = version;
    o.security_level = 0;  // OpenSSL 3 completes TLS 1.0/1.1 only at level 0 (SHA-1 signatures)
    return o;
  }

  temp_maildir dir_;
  harness::certificate_files files_;
};

TEST_F(HarnessTlsOptions, TheClientReallyOffersAndCompletesTls10) {
  auto srv = server(legacy_only(TLS1_VERSION));
  const auto r = run(stls_scenario("max-version=1.0"), srv.port());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  const auto log = srv.handshakes();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_TRUE(log[0].starts_with("TLSv1 ")) << log[0];  // what the server negotiated
  EXPECT_NE(transcript_of(r).find("TLS established (TLSv1 "), std::string::npos) << transcript_of(r);
}

TEST_F(HarnessTlsOptions, RefusedFailsAgainstAServerThatAcceptsTls10) {
  auto srv = server(legacy_only(TLS1_VERSION));
  const auto r = run(stls_scenario("max-version=1.0 refused"), srv.port());
  ASSERT_EQ(r.outcome, verdict::fail) << r.message << "\n" << transcript_of(r);
  EXPECT_NE(r.message.find("expected the TLS handshake to be refused"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("TLSv1 "), std::string::npos) << r.message;
  EXPECT_TRUE(srv.handshakes().at(0).starts_with("TLSv1 "));
}

TEST_F(HarnessTlsOptions, RefusedFailsAgainstAServerThatAcceptsTls11) {
  auto srv = server(legacy_only(TLS1_1_VERSION));
  const auto r = run(stls_scenario("min-version=1.1 max-version=1.1 refused"), srv.port());
  ASSERT_EQ(r.outcome, verdict::fail) << r.message << "\n" << transcript_of(r);
  EXPECT_TRUE(srv.handshakes().at(0).starts_with("TLSv1.1 ")) << srv.handshakes().at(0);
}

TEST_F(HarnessTlsOptions, RefusedPassesWhenTheServerRefusesWithAnAlert) {
  auto srv = server(fake_tls_options{});  // TLS 1.2 and later only
  const auto r = run(stls_scenario("max-version=1.0 refused"), srv.port());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  EXPECT_NE(transcript_of(r).find("alert \"protocol version\""), std::string::npos) << transcript_of(r);
  EXPECT_TRUE(srv.handshakes().at(0).starts_with("failed: ")) << srv.handshakes().at(0);
}

TEST_F(HarnessTlsOptions, RefusedPassesWhenTheServerJustCloses) {
  fake_server srv(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "STLS") return std::nullopt;
    peer.send("+OK begin TLS\r\n");
    return false;  // hangs up instead of a handshake
  }));
  const auto r = run(stls_scenario("max-version=1.0 refused"), srv.port());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  EXPECT_NE(transcript_of(r).find("closed the connection"), std::string::npos) << transcript_of(r);
}

TEST_F(HarnessTlsOptions, AnOfferTheClientCannotSendIsAnErrorNotAPass) {
  auto srv = server(fake_tls_options{});
  // NULL suites exist in OpenSSL, but its security level keeps them out of every ClientHello.
  const auto no_hello = run(stls_scenario("max-version=1.2 ciphers=eNULL refused"), srv.port());
  EXPECT_EQ(no_hello.outcome, verdict::error) << no_hello.message << "\n" << transcript_of(no_hello);
  EXPECT_NE(no_hello.message.find("could not send its ClientHello"), std::string::npos) << no_hello.message;

  const auto typo = run(stls_scenario("max-version=1.2 ciphers=ECDHE-RSA-AES128-GCM-SHA265 refused"), srv.port());
  EXPECT_EQ(typo.outcome, verdict::error) << typo.message;
  EXPECT_NE(typo.message.find("knows no cipher suite 'ECDHE-RSA-AES128-GCM-SHA265'"), std::string::npos)
      << typo.message;
}

TEST_F(HarnessTlsOptions, OnlyTheOfferedSuitesAreNegotiated) {
  auto srv = server(fake_tls_options{});
  const auto r = run(stls_scenario("max-version=1.2 ciphers=ECDHE-ECDSA-AES256-GCM-SHA384"), srv.port());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  EXPECT_EQ(srv.handshakes().at(0), "TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384");
}

TEST_F(HarnessTlsOptions, GcmSuitesFailAgainstAServerWithOnlyCbcSuites) {
  fake_tls_options cbc_only;
  cbc_only.max_version = TLS1_2_VERSION;
  cbc_only.ciphers = "ECDHE-ECDSA-AES128-SHA";
  auto srv = server(cbc_only);
  const auto r = run(stls_scenario("max-version=1.2 ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"),
                     srv.port());
  ASSERT_EQ(r.outcome, verdict::fail) << r.message << "\n" << transcript_of(r);
  EXPECT_NE(r.message.find("TLS handshake"), std::string::npos) << r.message;
}

TEST_F(HarnessTlsOptions, CloseNotifyPassesWhenTheServerSendsIt) {
  fake_tls_options o;
  o.implicit = true;
  auto srv = server(o);
  const auto r = run(quit_scenario("<close-notify>", false), srv.port(), true);
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  EXPECT_NE(transcript_of(r).find("<closed> (TLS close_notify)"), std::string::npos) << transcript_of(r);
}

TEST_F(HarnessTlsOptions, CloseNotifyFailsOnATcpCloseWithoutIt) {
  fake_tls_options o;
  o.implicit = true;
  o.quit_ending = fake_tls_ending::tcp_close;
  auto srv = server(o);
  const auto r = run(quit_scenario("<close-notify>", false), srv.port(), true);
  ASSERT_EQ(r.outcome, verdict::fail) << r.message << "\n" << transcript_of(r);
  EXPECT_NE(r.message.find("expected <close-notify>, got <closed> (TLS without close_notify)"), std::string::npos)
      << r.message;
  // <closed> still accepts that close.
  auto plain = server(o);
  const auto closed = run(quit_scenario("<closed>", false), plain.port(), true);
  EXPECT_EQ(closed.outcome, verdict::pass) << closed.message << "\n" << transcript_of(closed);
}

TEST_F(HarnessTlsOptions, CloseNotifyAfterStlsToo) {
  auto good = server(fake_tls_options{});
  EXPECT_EQ(run(quit_scenario("<close-notify>", true), good.port()).outcome, verdict::pass);
  fake_tls_options o;
  o.quit_ending = fake_tls_ending::tcp_close;
  auto bad = server(o);
  EXPECT_EQ(run(quit_scenario("<close-notify>", true), bad.port()).outcome, verdict::fail);
}

}  // namespace
}  // namespace pop3::testing
