// Session ends through the real driver: UPDATE only after QUIT, maildrop locking across
// connections, and server shutdown with sessions open.
#include <chrono>
#include <string>
#include <thread>

#include "refd_test.hpp"

namespace pop3::refd_tests {
namespace {

using namespace std::chrono_literals;
using refd_lifecycle = refd_test;

TEST_F(refd_lifecycle, quit_commits_deletions) {
  auto client = connect_and_login();
  ASSERT_TRUE(is_ok(client->command("DELE 1")));
  ASSERT_TRUE(is_ok(client->command("DELE 3")));
  EXPECT_TRUE(is_ok(client->command("QUIT")));
  EXPECT_EQ(client->read_until_closed(), "");
  EXPECT_EQ(maildir().message_count("alice"), 1U);

  auto again = connect_and_login();
  again->send("RETR 1\r\n");
  EXPECT_EQ(unstuff(again->read_multiline()), messages_[1]);  // the survivor, renumbered
}

TEST_F(refd_lifecycle, a_drop_without_quit_deletes_nothing) {
  for (const bool reset : {true, false}) {
    SCOPED_TRACE(reset ? "reset" : "orderly close");
    auto client = connect_and_login();
    ASSERT_TRUE(is_ok(client->command("DELE 1")));
    ASSERT_TRUE(is_ok(client->command("DELE 2")));
    if (reset) {
      client->abort();
    } else {
      client->close();
    }
    // The next login may race the server noticing the drop: [IN-USE] until it has.
    auto again = connect();
    for (const auto deadline = std::chrono::steady_clock::now() + 5s;;) {
      ASSERT_TRUE(is_ok(again->command("USER alice")));
      const auto pass = again->command("PASS alice-pass");
      if (is_ok(pass)) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "lock never released: " << pass;
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(again->command("STAT").starts_with("+OK 3 "));
    EXPECT_TRUE(is_ok(again->command("QUIT")));
    EXPECT_EQ(again->read_until_closed(), "");
    EXPECT_EQ(maildir().message_count("alice"), 3U);
  }
}

TEST_F(refd_lifecycle, the_maildrop_is_locked_until_the_holder_quits) {
  auto holder = connect_and_login();
  auto other = connect();
  ASSERT_TRUE(is_ok(other->command("USER alice")));
  const auto refused = other->command("PASS alice-pass");
  EXPECT_TRUE(refused.starts_with("-ERR [IN-USE]")) << refused;

  // Another user's maildrop is independent.
  auto bob = connect();
  login(*bob, pop3::testing::bob);

  EXPECT_TRUE(is_ok(holder->command("QUIT")));
  EXPECT_EQ(holder->read_until_closed(), "");
  auto next = connect();
  login(*next);  // released at once: QUIT is handled before the next connection is served
}

TEST_F(refd_lifecycle, stop_with_sessions_open_returns_promptly_and_commits_nothing) {
  auto in_transaction = connect_and_login();
  ASSERT_TRUE(is_ok(in_transaction->command("DELE 1")));
  auto in_authorization = connect();
  auto tls_handshaking = std::make_unique<loopback_client>(server_->tls_port());  // no ClientHello yet
  auto other_user = connect();
  login(*other_user, pop3::testing::bob);

  const auto start = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);

  EXPECT_EQ(in_transaction->read_until_closed(), "");
  EXPECT_EQ(in_authorization->read_until_closed(), "");
  EXPECT_EQ(tls_handshaking->read_until_closed(), "");
  EXPECT_EQ(other_user->read_until_closed(), "");
  EXPECT_EQ(maildir().message_count("alice"), 3U);
  EXPECT_THROW(loopback_client(server_->port()), std::runtime_error);  // no longer listening
}

TEST(refd_lifecycle_server, stop_is_idempotent_and_safe_before_run) {
  pop3::testing::temp_maildir maildir;
  refd::server never_started(pop3::testing::default_refd_config(maildir));
  never_started.stop();
  never_started.stop();

  refd::server bound_only(pop3::testing::default_refd_config(maildir));
  bound_only.bind();
  const auto ports = bound_only.bound_ports();
  ASSERT_EQ(ports.size(), 2U);
  EXPECT_NE(ports[0], 0);
  EXPECT_NE(ports[1], 0);
  bound_only.stop();

  refd::server running(pop3::testing::default_refd_config(maildir));
  running.start_background();
  running.stop();
  running.stop();
}

TEST(refd_lifecycle_server, run_returns_after_stop_from_another_thread) {
  pop3::testing::temp_maildir maildir;
  refd::server server(pop3::testing::default_refd_config(maildir));
  server.bind();
  std::thread runner([&] { server.run(); });
  { loopback_client client(server.bound_ports()[0]); }
  server.stop();
  runner.join();  // would hang (and time out the test) if run() did not return
}

}  // namespace
}  // namespace pop3::refd_tests
