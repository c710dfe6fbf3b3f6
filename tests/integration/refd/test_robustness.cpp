// Hostile or odd input through the real driver: it never crashes, never desynchronises, and
// the session carries on. Plus the timers and the session limit.
#include <chrono>
#include <string>
#include <thread>

#include "refd_test.hpp"

namespace pop3::refd_tests {
namespace {

using namespace std::chrono_literals;
using refd_robustness = refd_test;

TEST_F(refd_robustness, nul_octets_get_an_error_and_the_session_continues) {
  auto client = connect_and_login();
  client->send(std::string("NO\0OP\r\n", 7));
  EXPECT_TRUE(is_err(client->read_line()));
  client->send(std::string("STAT\0\r\n", 7));
  EXPECT_TRUE(is_err(client->read_line()));
  EXPECT_TRUE(is_ok(client->command("NOOP")));
}

TEST_F(refd_robustness, a_100_kb_line_gets_one_error_then_noop_works) {
  auto client = connect_and_login();
  client->send(std::string(100 * 1024, 'A') + "\r\nNOOP\r\n");
  const auto error = client->read_line();
  EXPECT_TRUE(is_err(error)) << error;
  EXPECT_LE(error.size(), 512U);
  EXPECT_TRUE(is_ok(client->read_line()));  // NOOP
  EXPECT_TRUE(client->command("STAT").starts_with("+OK 3 "));
}

TEST_F(refd_robustness, an_over_long_line_in_authorization_state_does_not_log_in) {
  auto client = connect();
  client->send("USER alice" + std::string(1000, ' ') + "\r\nPASS alice-pass\r\nSTAT\r\n");
  EXPECT_TRUE(is_err(client->read_line()));  // the long line
  EXPECT_TRUE(is_err(client->read_line()));  // PASS without a valid USER
  EXPECT_TRUE(is_err(client->read_line()));  // STAT: still not logged in
}

TEST_F(refd_robustness, bare_lf_lines_are_answered_once_each_and_framing_holds) {
  auto client = connect_and_login();
  client->send("NOOP\nNOOP\r\n");
  const auto first = client->read_line();
  EXPECT_TRUE(is_ok(first) || is_err(first)) << first;  // strict (-ERR) or lenient (+OK): a policy
  EXPECT_TRUE(is_ok(client->read_line()));
  EXPECT_EQ(client->read_for(100ms), "");
}

TEST_F(refd_robustness, binary_noise_and_a_half_line_then_drop_leave_the_server_serving) {
  {
    auto client = connect_and_login();
    std::string noise;
    for (int i = 0; i < 4096; ++i) noise += static_cast<char>((i * 131 + 7) % 256);
    client->send(noise);
    client->send("DELE 1\r\nRETR 9");  // a command split before its CRLF, then the client vanishes
    client->abort();
  }
  auto again = connect();
  for (auto deadline = std::chrono::steady_clock::now() + 5s;;) {  // the drop is seen asynchronously
    ASSERT_TRUE(is_ok(again->command("USER alice")));
    const auto pass = again->command("PASS alice-pass");
    if (is_ok(pass)) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "lock never released: " << pass;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(again->command("STAT").starts_with("+OK 3 "));
}

TEST_F(refd_robustness, autologout_closes_silently_and_deletes_nothing) {
  restart([](refd::server_config& config) { config.autologout = 1s; });
  auto client = connect_and_login();
  ASSERT_TRUE(is_ok(client->command("DELE 1")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client->read_until_closed(), "");  // no response of any kind
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
  EXPECT_EQ(maildir().message_count("alice"), 3U);
}

TEST_F(refd_robustness, any_command_resets_the_autologout_timer) {
  restart([](refd::server_config& config) { config.autologout = 2s; });
  auto client = connect_and_login();
  for (int i = 0; i < 6; ++i) {  // 3 s in all, never more than 0.5 s idle
    std::this_thread::sleep_for(500ms);
    ASSERT_TRUE(is_ok(client->command("NOOP"))) << "after " << (i + 1) * 500 << " ms";
  }
}

TEST_F(refd_robustness, autologout_also_ends_a_write_the_client_never_reads) {
  restart([](refd::server_config& config) { config.autologout = 1s; });
  auto client = connect_and_login();
  // ~25 MB of answers: more than the loopback socket buffers hold, so the server's write stalls.
  constexpr std::size_t count = 4000;
  std::string batch;
  for (std::size_t i = 0; i < count; ++i) batch += "RETR 3\r\n";
  client->send(batch);
  std::this_thread::sleep_for(3s);  // never reading: the stalled write must time out
  const auto received = client->read_until_closed();
  EXPECT_LT(received.size(), count * messages_[2].size()) << "the whole pipeline was written";
  auto again = connect();
  login(*again);  // the stalled session released the maildrop
}

TEST_F(refd_robustness, autologout_also_ends_a_stalled_tls_handshake) {
  restart([](refd::server_config& config) { config.autologout = 1s; });
  loopback_client client(server_->tls_port());  // connects, never sends a ClientHello
  EXPECT_EQ(client.read_until_closed(), "");
}

TEST_F(refd_robustness, sessions_over_the_limit_are_refused_with_sys_temp) {
  restart([](refd::server_config& config) { config.max_sessions = 2; });
  auto first = connect();
  auto second = connect();
  {
    loopback_client third(server_->port());
    EXPECT_EQ(third.read_line(), "-ERR [SYS/TEMP] too many sessions\r\n");
    EXPECT_EQ(third.read_until_closed(), "");
  }
  EXPECT_TRUE(is_ok(first->command("QUIT")));
  EXPECT_EQ(first->read_until_closed(), "");
  auto fourth = connect();  // the slot was freed when the first session ended
  EXPECT_TRUE(is_ok(fourth->command("USER alice")));
}

}  // namespace
}  // namespace pop3::refd_tests
