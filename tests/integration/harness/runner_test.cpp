// The runner against deliberately broken fake servers: a broken behaviour is caught (fail, with
// the right message and a transcript) and a hostile one cannot hang or bloat the harness.
#include <gtest/gtest.h>

#include <thread>

#include "fake_server.hpp"
#include "harness_test_support.hpp"

namespace pop3::testing {
namespace {

using namespace std::chrono_literals;
using harness::run_scenario;
using reports::verdict;
using steady = std::chrono::steady_clock;

constexpr std::string_view stat_scenario = R"(id: fake/stat
rules: rfc1939/stat/count
level: MUST
state: transaction

C: STAT
S: +OK 2 320
C: QUIT
S: +OK ...
)";

constexpr std::string_view greeting_scenario = R"(id: fake/greeting
rules: rfc1939/greeting/ok
level: MUST
state: authorization

C: NOOP
S: -ERR ...
)";

constexpr std::string_view list_scenario = R"(id: fake/list
rules: rfc1939/list/all
level: MUST
state: transaction

C: LIST
S: +OK ...
S: 1 120
S: 2 200
S: .
)";

double seconds_since(steady::time_point start) { return std::chrono::duration<double>(steady::now() - start).count(); }

TEST(HarnessRunner, CorrectServerPasses) {
  fake_server server(fake_pop3::with({}));
  const auto r = run_scenario(parse_valid(stat_scenario), loopback(server.port()), fake_account(), quick());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  EXPECT_EQ(r.id, "fake/stat");
  EXPECT_GT(r.elapsed.count(), 0);
  EXPECT_NE(transcript_of(r).find("STAT"), std::string::npos);
}

TEST(HarnessRunner, WrongStatNumbersFailWithExpectedAndActual) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line == "STAT") return peer.send("+OK 3 999\r\n");
    return std::nullopt;
  }));
  const auto r = run_scenario(parse_valid(stat_scenario), loopback(server.port()), fake_account(), quick());
  ASSERT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_NE(r.message.find("test.pop3:7"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("+OK 3 999"), std::string::npos) << r.message;
  EXPECT_NE(transcript_of(r).find("+OK 3 999"), std::string::npos);
}

TEST(HarnessRunner, PasswordNeverInTheTranscript) {
  fake_server server(fake_pop3::with({}));
  const auto r = run_scenario(parse_valid(stat_scenario), loopback(server.port()), fake_account(), quick());
  EXPECT_EQ(transcript_of(r).find("secret-pass"), std::string::npos) << transcript_of(r);
}

TEST(HarnessRunner, SilentServerFailsWithinTheReadTimeout) {
  fake_server server([](fake_peer& peer) { peer.read_line(30s); });  // accepts, never greets
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(greeting_scenario), loopback(server.port()), fake_account(), quick(500ms));
  EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_LT(seconds_since(start), 3.0);
}

TEST(HarnessRunner, ServerThatStopsAnsweringMidScenarioFails) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line == "STAT") return peer.read_line(30s).has_value();  // swallow it, say nothing
    return std::nullopt;
  }));
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(stat_scenario), loopback(server.port()), fake_account(), quick(500ms));
  EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_LT(seconds_since(start), 3.0);
}

TEST(HarnessRunner, HundredMegabyteLineFailsAndMemoryStaysBounded) {
  std::atomic<std::size_t> sent{0};
  fake_server server([&](fake_peer& peer) {
    const std::string chunk(64 * 1024, 'x');
    if (!peer.send("+OK ")) return;
    for (std::size_t i = 0; i < 1600 && peer.send(chunk); ++i) sent += chunk.size();  // 100 MiB, no LF
  });
  reset_peak_rss();
  const long before = peak_rss_kib();
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(greeting_scenario), loopback(server.port()), fake_account(), quick(2s));
  EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_LT(seconds_since(start), 10.0);
  // Far below the 100 MiB the server tries to push (the line is cut at its limit); the margin
  // covers AddressSanitizer's quarantine in the sanitizer build.
  EXPECT_LT(peak_rss_kib() - before, 64 * 1024) << "peak RSS grew by " << (peak_rss_kib() - before) << " KiB";
}

TEST(HarnessRunner, HugeDataLineInsideMultiLineFails) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "LIST") return std::nullopt;
    if (!peer.send("+OK\r\n1 ")) return false;
    const std::string chunk(64 * 1024, '7');
    for (int i = 0; i < 1600 && peer.send(chunk); ++i) {
    }
    return false;
  }));
  reset_peak_rss();
  const long before = peak_rss_kib();
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(list_scenario), loopback(server.port()), fake_account(), quick(2s));
  // The executor reads data lines up to a large limit and reports a longer one as beyond what the
  // harness reads (an error, since POP3 sets no data-line limit); never a pass, never a hang.
  EXPECT_NE(r.outcome, verdict::pass) << r.message;
  EXPECT_NE(r.message.find("longer"), std::string::npos) << r.message;
  EXPECT_LT(seconds_since(start), 10.0);
  EXPECT_LT(peak_rss_kib() - before, 64 * 1024) << "peak RSS grew by " << (peak_rss_kib() - before) << " KiB";
}

TEST(HarnessRunner, GarbageBytesFailWithoutCrashing) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "STAT") return std::nullopt;
    std::string garbage;
    for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);  // NUL, CR, LF, 0xFF, ...
    return peer.send(garbage);
  }));
  const auto r = run_scenario(parse_valid(stat_scenario), loopback(server.port()), fake_account(), quick(500ms));
  EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_FALSE(r.transcript.empty());
}

TEST(HarnessRunner, DropInTheMiddleOfAMultiLineResponseFails) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "LIST") return std::nullopt;
    peer.send("+OK 2 messages\r\n1 120\r\n");
    peer.abort();
    return false;
  }));
  const auto r = run_scenario(parse_valid(list_scenario), loopback(server.port()), fake_account(), quick());
  EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_NE(transcript_of(r).find("1 120"), std::string::npos) << transcript_of(r);
}

TEST(HarnessRunner, GarbageInsteadOfTlsHandshakeFailsTheServer) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "STLS") return std::nullopt;
    peer.send("+OK begin TLS\r\n");
    peer.send(std::string("\x15\x03\x03\x00\x02garbage instead of a ServerHello\r\n", 40));
    peer.read_line(2s);
    return false;
  }));
  auto who = fake_account();
  const std::vector<std::string> capa{"USER", "STLS"};
  who.caps.before_login = protocol::capability_set::parse(capa);
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(R"(id: fake/stls
rules: rfc2595/stls/handshake
level: MUST
state: authorization

C: STLS
S: +OK ...
tls
C: NOOP
S: -ERR ...
)"),
                              loopback(server.port(), harness::tls_mode::stls), who, quick(1s));
  EXPECT_EQ(r.outcome, verdict::fail) << r.message << "\n" << transcript_of(r);
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(HarnessRunner, ImplicitTlsPortTalkingPlaintextFailsTheServer) {
  fake_server server(fake_pop3::with({}));  // greets in plaintext where TLS is expected
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(greeting_scenario), loopback(server.port(), harness::tls_mode::implicit),
                              fake_account(), quick(1s));
  EXPECT_NE(r.outcome, verdict::pass) << r.message;
  EXPECT_NE(r.message.find("TLS handshake"), std::string::npos) << r.message << "\n" << transcript_of(r);
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(HarnessRunner, NothingListeningIsAnError) {
  std::uint16_t port = 0;
  {
    fake_server gone([](fake_peer&) {});
    port = gone.port();
  }
  const auto r = run_scenario(parse_valid(greeting_scenario), loopback(port), fake_account(), quick());
  EXPECT_EQ(r.outcome, verdict::error) << r.message;
}

TEST(HarnessRunner, ScenarioTimeLimitCutsAnEndlessResponse) {
  // Every line arrives within the read timeout, but the response never ends.
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "LIST") return std::nullopt;
    if (!peer.send("+OK\r\n")) return false;
    for (int n = 1; peer.send(std::to_string(n) + " 100\r\n"); ++n) std::this_thread::sleep_for(50ms);
    return false;
  }));
  const auto start = steady::now();
  const auto r = run_scenario(parse_valid(list_scenario), loopback(server.port()), fake_account(), quick(1s, 1500ms));
  EXPECT_EQ(r.outcome, verdict::fail) << r.message;
  EXPECT_LT(seconds_since(start), 5.0);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("time limit of 1.500 s"), std::string::npos) << r.warnings[0];
}

TEST(HarnessRunner, ByteAtATimeWritesArriveIntact) {
  std::atomic<bool> saw_whole_line{false};
  fake_server server(fake_pop3::with([&](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line != "NOOP extra") return std::nullopt;
    saw_whole_line = true;
    return peer.send("+OK\r\n");
  }));
  const auto r = run_scenario(parse_valid(R"(id: fake/bytewise
rules: rfc1939/noop/ok
level: MUST
state: transaction

raw: "NOOP extra\r\n" chunk=1
S: +OK
)"),
                              loopback(server.port()), fake_account(), quick());
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  EXPECT_TRUE(saw_whole_line);
}

// ---- the capability probe -------------------------------------------------------------------

TEST(HarnessProbe, ReadsCapaBeforeAndAfterLogin) {
  fake_server server([](fake_peer& peer) {
    bool logged_in = false;
    peer.send(fake_pop3::greeting);
    while (auto line = peer.read_line()) {
      if (*line == "CAPA") {
        peer.send(logged_in ? "+OK\r\nTOP\r\nEXPIRE 30\r\n.\r\n" : "+OK\r\nUSER\r\nSTLS\r\n.\r\n");
      } else if (line->starts_with("PASS")) {
        logged_in = true;
        peer.send("+OK\r\n");
      } else if (!fake_pop3::default_answer(peer, *line)) {
        return;
      }
    }
  });
  const auto who = fake_account();
  const auto result = harness::probe_account(loopback(server.port()), who.acct, quick());
  EXPECT_TRUE(result.logged_in);
  EXPECT_TRUE(result.before_login.has("STLS"));
  EXPECT_FALSE(result.before_login.has("EXPIRE"));
  EXPECT_TRUE(result.after_login.has("EXPIRE"));
  EXPECT_NE(result.greeting.find("<1896.697170952@fake.example>"), std::string::npos);
}

TEST(HarnessProbe, NothingListeningIsUnreachable) {
  std::uint16_t port = 0;
  {
    fake_server gone([](fake_peer&) {});
    port = gone.port();
  }
  EXPECT_THROW((void)harness::probe_account(loopback(port), fake_account().acct, quick()), harness::unreachable_error);
}

TEST(HarnessProbe, SilentServerIsUnreachableWithinTheTimeout) {
  fake_server server([](fake_peer& peer) { peer.read_line(30s); });
  const auto start = steady::now();
  EXPECT_THROW((void)harness::probe_account(loopback(server.port()), fake_account().acct, quick(500ms)),
               harness::unreachable_error);
  EXPECT_LT(seconds_since(start), 3.0);
}

TEST(HarnessProbe, RefusedCredentialsAreASetupError) {
  fake_server server(fake_pop3::with([](fake_peer& peer, const std::string& line) -> std::optional<bool> {
    if (line.starts_with("PASS")) return peer.send("-ERR [AUTH] invalid password\r\n");
    return std::nullopt;
  }));
  try {
    (void)harness::probe_account(loopback(server.port()), fake_account().acct, quick());
    FAIL() << "no setup_error";
  } catch (const harness::setup_error& e) {
    EXPECT_NE(std::string(e.what()).find("[AUTH] invalid password"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pop3::testing
