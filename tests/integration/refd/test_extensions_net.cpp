// The extensions through the real driver on 127.0.0.1: the maildrop lock across SLEE/WAKE with
// two connections, pipelining around SLEE and CORE, real deliveries into the Maildir while a
// session is open, DELI surviving a dropped connection, and the SLEEP state's own autologout.
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "refd_test.hpp"

namespace pop3::refd_tests {
namespace {

using namespace std::chrono_literals;

class refd_extensions : public refd_test {
 protected:
  void SetUp() override { restart_with_extensions(); }
  void restart_with_extensions(const pop3::testing::refd_instance::customize& more = {}) {
    restart([&more](refd::server_config& config) {
      auto& c = config.caps;
      c.sleeping = c.core = c.deli = c.uid_param = true;
      if (more) more(config);
    });
  }
  /// Logs in as alice and puts the connection to sleep.
  std::unique_ptr<loopback_client> sleeping_client() {
    auto client = connect_and_login();
    const auto slee = client->command("SLEE");
    EXPECT_TRUE(is_ok(slee)) << slee;
    return client;
  }
};

TEST_F(refd_extensions, a_sleeping_connection_gives_the_lock_away_and_wake_waits_for_it) {
  auto a = connect_and_login();
  ASSERT_TRUE(is_ok(a->command("DELE 1")));
  EXPECT_EQ(a->command("SLEE"), "+OK 1 messages deleted; maildrop released, sleeping\r\n");
  EXPECT_EQ(maildir().message_count("alice"), 2U) << "committed before the +OK";

  auto b = connect();
  login(*b);  // not [IN-USE]: SLEE released the lock
  const auto refused = a->command("WAKE");
  EXPECT_TRUE(refused.starts_with("-ERR [IN-USE]")) << refused;
  EXPECT_TRUE(is_ok(a->command("NOOP")));
  EXPECT_TRUE(is_err(a->command("STAT"))) << "still asleep";
  EXPECT_TRUE(is_ok(b->command("QUIT")));
  EXPECT_EQ(b->read_until_closed(), "");
  const auto woken = a->command("WAKE");
  EXPECT_TRUE(woken.starts_with("+OK [ACTIVITY/NONE] maildrop has 2 messages")) << woken;
  a->send("RETR 1\r\n");
  EXPECT_EQ(unstuff(a->read_multiline()), messages_[1]) << "renumbered";
}

TEST_F(refd_extensions, two_sleepers_racing_to_wake_get_exactly_one_lock) {
  auto a = sleeping_client();
  auto b = sleeping_client();
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Both WAKEs leave at the same moment; the server serves them in some order.
    auto wake_a = std::async(std::launch::async, [&a] { return a->command("WAKE"); });
    auto wake_b = std::async(std::launch::async, [&b] { return b->command("WAKE"); });
    const auto ra = wake_a.get();
    const auto rb = wake_b.get();
    ASSERT_NE(is_ok(ra), is_ok(rb)) << ra << rb;
    auto& winner = is_ok(ra) ? a : b;
    const auto& loser_reply = is_ok(ra) ? rb : ra;
    EXPECT_TRUE(loser_reply.starts_with("-ERR [IN-USE]")) << loser_reply;
    EXPECT_TRUE(winner->command("STAT").starts_with("+OK 3 "));
    ASSERT_TRUE(is_ok(winner->command("SLEE")));
  }
}

TEST_F(refd_extensions, commands_pipelined_after_slee_and_core_run_in_order_in_the_new_state) {
  auto client = connect_and_login();
  client->send("DELE 1\r\nSLEE\r\nSTAT\r\nCAPA\r\nNOOP\r\nWAKE\r\nSTAT\r\n");  // one write
  EXPECT_TRUE(is_ok(client->read_line()));
  EXPECT_EQ(client->read_line(), "+OK 1 messages deleted; maildrop released, sleeping\r\n");
  EXPECT_EQ(client->read_line(), "-ERR STAT is not valid in this state\r\n");
  EXPECT_EQ(client->read_line(), "-ERR CAPA is not valid in this state\r\n");
  EXPECT_EQ(client->read_line(), "+OK\r\n");
  EXPECT_TRUE(client->read_line().starts_with("+OK [ACTIVITY/NONE] maildrop has 2 messages"));
  EXPECT_TRUE(client->read_line().starts_with("+OK 2 "));

  client->send("DELE 1\r\nCORE\r\nRETR 1\r\n");  // DIGEST A32: RETR 1 means the new message 1
  EXPECT_TRUE(is_ok(client->read_line()));
  EXPECT_TRUE(
      client->read_line().starts_with("+OK [ACTIVITY/NONE] 1 messages deleted; maildrop has 1 messages"));
  EXPECT_EQ(unstuff(client->read_multiline()), messages_[2]);
  EXPECT_EQ(client->read_for(100ms), "");
}

TEST_F(refd_extensions, a_delivery_during_the_session_shows_up_after_core_wake_or_a_new_login) {
  auto client = connect_and_login();
  const auto late = pop3::testing::make_message(4, "late", "Arrived mid-session.\r\n");
  maildir().deliver("alice", late);
  EXPECT_TRUE(client->command("STAT").starts_with("+OK 3 "));
  EXPECT_TRUE(is_err(client->command("LIST 4")));
  {
    auto other = connect();  // a new login would see it, but the maildrop is locked
    ASSERT_TRUE(is_ok(other->command("USER alice")));
    EXPECT_TRUE(other->command("PASS alice-pass").starts_with("-ERR [IN-USE]"));
  }
  EXPECT_TRUE(
      client->command("CORE").starts_with("+OK [ACTIVITY/NEW] 0 messages deleted; maildrop has 4 messages"));
  client->send("RETR 4\r\n");
  EXPECT_EQ(unstuff(client->read_multiline()), late);

  maildir().deliver("alice", pop3::testing::make_message(5, "later", "Arrived while asleep.\r\n"));
  ASSERT_TRUE(is_ok(client->command("SLEE")));
  {
    auto other = connect_and_login();  // the lock is free while asleep: a new login sees 5
    EXPECT_TRUE(other->command("STAT").starts_with("+OK 5 "));
    EXPECT_TRUE(is_ok(other->command("QUIT")));
    EXPECT_EQ(other->read_until_closed(), "");
  }
  EXPECT_TRUE(client->command("WAKE").starts_with("+OK [ACTIVITY/NEW] maildrop has 5 messages"));
}

TEST_F(refd_extensions, deli_is_final_even_if_the_connection_drops) {
  auto client = connect_and_login();
  const auto uidl = client->command("UIDL 2");
  const auto uid = uidl.substr(6, uidl.size() - 8);  // "+OK 2 <uid>\r\n"
  EXPECT_EQ(client->command("DELI UID:" + uid), "+OK message 2 (UID:" + uid + ") deleted and committed\r\n");
  EXPECT_EQ(maildir().message_count("alice"), 2U);
  client->abort();
  auto again = connect();
  for (const auto deadline = std::chrono::steady_clock::now() + 5s;;) {  // the drop is seen asynchronously
    ASSERT_TRUE(is_ok(again->command("USER alice")));
    if (is_ok(again->command("PASS alice-pass"))) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "lock never released";
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(again->command("STAT").starts_with("+OK 2 "));
  EXPECT_TRUE(again->command("RETR UID:" + uid).starts_with("-ERR [UID]"));
}

TEST_F(refd_extensions, the_sleep_state_has_its_own_autologout) {
  restart_with_extensions([](refd::server_config& config) {
    config.autologout = 30s;
    config.sleep_autologout = 1s;
  });
  auto client = sleeping_client();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client->read_until_closed(), "") << "closed silently";
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 10s);
  EXPECT_EQ(maildir().message_count("alice"), 3U);
  auto again = connect_and_login();  // nothing was held
}

}  // namespace
}  // namespace pop3::refd_tests
