// LAST (RFC 1460: "the highest message number accessed"), without sockets: RETR raises it, TOP
// does not, RSET resets it to 0, and it outlives the session through the Maildir seen flag.
#include <gtest/gtest.h>

#include "test_extensions_support.hpp"

namespace {

using namespace refd_test;

using last_command = extensions_test;

TEST_F(last_command, starts_at_the_highest_seen_message_and_follows_retr) {
  driver d(config_, store_);
  log_in(d);
  EXPECT_EQ(d.cmd("LAST"), "+OK 2\r\n") << "message 2 carries the Maildir S flag";
  d.cmd("RETR 3");
  EXPECT_EQ(d.cmd("LAST"), "+OK 3\r\n");
  d.cmd("RETR 1");
  EXPECT_EQ(d.cmd("LAST"), "+OK 3\r\n") << "the highest, not the latest";
  d.cmd("TOP 4 0");
  EXPECT_EQ(d.cmd("LAST"), "+OK 3\r\n") << "TOP is not an access in RFC 1460's sense";
  d.cmd("DELE 3");
  EXPECT_EQ(d.cmd("LAST"), "+OK 3\r\n");
  d.cmd("DELE 4");
  EXPECT_EQ(d.cmd("LAST"), "+OK 4\r\n") << "DELE is an access too (RFC 1460 §5 DELE)";
  EXPECT_EQ(d.cmd("RSET").substr(0, 3), "+OK");
  EXPECT_EQ(d.cmd("LAST"), "+OK 0\r\n") << "RSET resets it";
  d.cmd("RETR 1");
  EXPECT_EQ(d.cmd("LAST"), "+OK 1\r\n");
  EXPECT_EQ(d.cmd("LAST 1"), "-ERR wrong number of arguments for LAST\r\n");
}

TEST_F(last_command, a_fresh_maildrop_starts_at_zero) {
  fs::remove_all(dir_.root() / "alice");
  put_message(dir_.root(), "alice", "new", "1700000001.A.test", "Subject: a\r\n\r\n");
  driver d(config_, store_);
  log_in(d);
  EXPECT_EQ(d.cmd("LAST"), "+OK 0\r\n");
}

TEST_F(last_command, retrieved_messages_are_flagged_seen_at_update) {
  {
    driver d(config_, store_);
    log_in(d);
    d.cmd("RETR 3");  // in new/, no flags yet
    d.cmd("QUIT");
  }
  const auto& m3 = standard_messages()[2];
  EXPECT_TRUE(fs::exists(dir_.root() / "alice" / "cur" / (m3.name + ":2,S")));
  EXPECT_FALSE(fs::exists(dir_.root() / "alice" / "new" / m3.name));
  driver d(config_, store_);
  log_in(d);
  EXPECT_EQ(d.cmd("LAST"), "+OK 3\r\n");
  // Flags already there are kept, in ASCII order.
  const auto& m4 = standard_messages()[3];
  fs::rename(dir_.root() / "alice" / "cur" / m4.name,
             dir_.root() / "alice" / "cur" / (m4.name.substr(0, m4.name.find(':')) + ":2,FT"));
  d.cmd("QUIT");
  driver e(config_, store_);
  log_in(e);
  e.cmd("RETR 4");
  e.cmd("QUIT");
  EXPECT_TRUE(fs::exists(dir_.root() / "alice" / "cur" / (m4.name.substr(0, m4.name.find(':')) + ":2,FST")));
}

TEST_F(last_command, rset_and_a_drop_leave_no_seen_flag_and_without_last_nothing_is_flagged) {
  for (const bool last_on : {true, false}) {
    config_.caps.last = last_on;
    driver d(config_, store_);
    log_in(d);
    d.cmd("RETR 3");
    d.cmd("RSET");
    d.cmd("QUIT");
    driver e(config_, store_);
    log_in(e);
    e.cmd("RETR 4");
    e.session().on_disconnect();  // no UPDATE, no flags
    driver f(config_, store_);
    log_in(f);
    f.cmd("RETR 1");
    f.cmd("QUIT");
    EXPECT_TRUE(fs::exists(dir_.root() / "alice" / "new" / standard_messages()[2].name)) << last_on;
    EXPECT_TRUE(fs::exists(dir_.root() / "alice" / "cur" / standard_messages()[3].name)) << last_on;
    EXPECT_EQ(fs::exists(dir_.root() / "alice" / "new" / standard_messages()[0].name), !last_on) << last_on;
    fs::remove_all(dir_.root() / "alice");
    put_standard_mailbox(dir_.root(), "alice");
  }
}

TEST_F(last_command, carries_over_core_and_wake_in_the_new_numbering) {
  driver d(config_, store_);
  log_in(d);
  d.cmd("DELE 1");
  d.cmd("RETR 3");
  ASSERT_TRUE(d.cmd("CORE").starts_with("+OK"));
  EXPECT_EQ(d.cmd("LAST"), "+OK 2\r\n") << "old message 3 is now message 2";
  d.cmd("RETR 3");
  d.cmd("SLEE");
  d.cmd("WAKE");
  EXPECT_EQ(d.cmd("LAST"), "+OK 3\r\n");
}

}  // namespace
