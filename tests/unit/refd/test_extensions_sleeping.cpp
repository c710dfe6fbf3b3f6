// SLEE, WAKE and CORE without sockets: what they commit, the lock, the fresh snapshot, ACTIVITY
// codes, failures, and the policies around WAKE (SLEEPING draft §3-§8, CORE blog post,
// DIGEST A1, A4, A26, A27, A29-A32).
#include <gtest/gtest.h>

#include "test_extensions_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::session_state;
using pop3::refd::store_errc;

constexpr const char* in_use = "-ERR [IN-USE] maildrop is locked by another session";

std::vector<std::string> standard_keys(std::initializer_list<int> numbers) {
  std::vector<std::string> keys;
  for (const int n : numbers) {
    const auto& name = standard_messages()[static_cast<std::size_t>(n - 1)].name;
    keys.push_back(name.substr(0, name.find(':')));
  }
  return keys;
}

using sleeping = extensions_test;

TEST_F(sleeping, slee_commits_the_dele_marks_left_after_rset_and_releases_the_lock) {
  driver a(config_, store_);
  log_in(a);
  a.cmd("DELE 1");
  a.cmd("DELE 2");
  a.cmd("RSET");
  a.cmd("DELE 3");
  EXPECT_EQ(a.cmd("SLEE"), "+OK 1 messages deleted; maildrop released, sleeping\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice"), standard_keys({1, 2, 4}));

  // BPG-SLP-5: another session gets the maildrop while A sleeps; A's WAKE then fails and A
  // stays asleep (BPG-SLP-6, BPG-WAK-2).
  driver b(config_, store_);
  EXPECT_TRUE(b.login("alice", "alice-pass").starts_with("+OK maildrop has 3 messages"));
  EXPECT_EQ(first_line(a.cmd("WAKE")), in_use);
  EXPECT_EQ(a.session().state(), session_state::sleep);
  EXPECT_EQ(a.cmd("NOOP"), "+OK\r\n");
  EXPECT_EQ(a.cmd("STAT"), "-ERR STAT is not valid in this state\r\n");
  b.cmd("QUIT");

  // WAKE: a fresh TRANSACTION, numbered 1..n, nothing marked (BPG-WAK-1).
  EXPECT_TRUE(a.cmd("WAKE").starts_with("+OK [ACTIVITY/NONE] maildrop has 3 messages"));
  EXPECT_EQ(a.session().state(), session_state::transaction);
  const auto list = data_lines(a.cmd("LIST"));
  ASSERT_EQ(list.size(), 3U);
  for (std::size_t i = 0; i < list.size(); ++i)
    EXPECT_TRUE(list[i].starts_with(std::to_string(i + 1) + " ")) << list[i];
  EXPECT_EQ(body_of(a.cmd("RETR 3")), standard_messages()[3].crlf) << "old message 4 is now 3";
  // And it holds the lock again.
  driver c(config_, store_);
  EXPECT_EQ(first_line(c.login("alice", "alice-pass")), in_use);
}

TEST_F(sleeping, a_failed_slee_changes_nothing_and_keeps_the_lock) {
  failing_commit_store store(dir_.root());
  store.fail_remove_all = store_errc::temporary;
  driver a(config_, store);
  log_in(a);
  const auto uids = all_uids(a);
  a.cmd("DELE 1");
  EXPECT_EQ(a.cmd("SLEE"), "-ERR [SYS/TEMP] deletions not committed; nothing changed\r\n");
  EXPECT_EQ(a.session().state(), session_state::transaction);
  EXPECT_EQ(first_line(a.cmd("STAT")).substr(0, 6), "+OK 3 ") << "message 1 is still marked";
  EXPECT_EQ(a.cmd("RETR 1"), "-ERR message 1 is deleted\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 4U);
  driver b(config_, store_);
  EXPECT_EQ(first_line(b.login("alice", "alice-pass")), in_use);

  store.fail_remove_all = store_errc::ok;
  EXPECT_EQ(a.cmd("SLEE"), "+OK 1 messages deleted; maildrop released, sleeping\r\n");
  a.cmd("WAKE");
  EXPECT_EQ(all_uids(a), std::vector<std::string>(uids.begin() + 1, uids.end()));
}

TEST_F(sleeping, slee_and_core_apply_expire_zero_like_quit) {
  config_.users["alice"].expire_days = 0;  // A27: the full UPDATE semantics
  for (const char* commit : {"SLEE", "CORE"}) {
    SCOPED_TRACE(commit);
    fs::remove_all(dir_.root() / "alice");
    put_standard_mailbox(dir_.root(), "alice");
    driver d(config_, store_);
    log_in(d);
    d.cmd("RETR 2");
    d.cmd("TOP 3 0");  // TOP is not retrieval (RFC 2449 §6.7 names RETR)
    EXPECT_TRUE(d.cmd(commit).find(" 1 messages deleted") != std::string::npos);
    EXPECT_EQ(maildir_files(dir_.root(), "alice"), standard_keys({1, 3, 4}));
    d.cmd("QUIT");
  }
}

TEST_F(sleeping, mail_delivered_during_a_session_appears_only_after_wake) {
  driver d(config_, store_);
  log_in(d);
  deliver("1700000005.M5P1.test", "Subject: late\r\n\r\nhello\r\n");
  EXPECT_EQ(first_line(d.cmd("STAT")).substr(0, 6), "+OK 4 ");
  EXPECT_EQ(d.cmd("LIST 5"), "-ERR no such message\r\n");
  d.cmd("SLEE");
  EXPECT_TRUE(d.cmd("WAKE").starts_with("+OK [ACTIVITY/NEW] maildrop has 5 messages"));
  EXPECT_EQ(body_of(d.cmd("RETR 5")), "Subject: late\r\n\r\nhello\r\n");
  d.cmd("SLEE");
  EXPECT_TRUE(d.cmd("WAKE").starts_with("+OK [ACTIVITY/NONE] maildrop has 5 messages"))
      << "nothing new since";
}

TEST_F(sleeping, deletions_by_others_are_not_activity) {
  driver a(config_, store_);
  log_in_and_sleep(a);
  driver b(config_, store_);
  log_in(b);
  b.cmd("DELE 1");
  b.cmd("QUIT");
  EXPECT_TRUE(a.cmd("WAKE").starts_with("+OK [ACTIVITY/NONE] maildrop has 3 messages"));  // A30
}

TEST_F(sleeping, wake_revalidates_the_account) {
  driver a(config_, store_);
  log_in_and_sleep(a);
  config_.users["alice"].enabled = false;  // A29: as if re-authenticated
  EXPECT_EQ(a.cmd("WAKE"), "-ERR [AUTH] account no longer valid\r\n");
  EXPECT_EQ(a.session().state(), session_state::sleep);
  config_.caps.auth_resp_code = false;
  EXPECT_EQ(a.cmd("WAKE"), "-ERR account no longer valid\r\n") << "[AUTH] only with AUTH-RESP-CODE";
  config_.users["alice"].enabled = true;
  EXPECT_TRUE(a.cmd("WAKE").starts_with("+OK"));
}

TEST_F(sleeping, login_delay_applies_to_wake_only_when_configured) {
  fake_environment clock;
  config_.login_delay = std::chrono::seconds(60);
  put_standard_mailbox(dir_.root(), "bob");
  {
    driver d(config_, store_, {}, clock.make());
    ASSERT_TRUE(d.login("bob", "b o  b").starts_with("+OK"));
    d.cmd("SLEE");
    clock.now += std::chrono::seconds(10);
    EXPECT_TRUE(d.cmd("WAKE").starts_with("+OK")) << "by default WAKE is not a login (A26)";
    d.cmd("QUIT");
  }
  config_.login_delay_on_wake = true;
  clock.now += std::chrono::seconds(120);
  driver d(config_, store_, {}, clock.make());
  ASSERT_TRUE(d.login("bob", "b o  b").starts_with("+OK"));
  d.cmd("SLEE");
  clock.now += std::chrono::seconds(10);
  EXPECT_EQ(first_line(d.cmd("WAKE")),
            "-ERR [LOGIN-DELAY] login delay: last login was less than 60 seconds ago");
  EXPECT_EQ(d.session().state(), session_state::sleep);
  clock.now += std::chrono::seconds(51);
  EXPECT_TRUE(d.cmd("WAKE").starts_with("+OK"));
  d.cmd("SLEE");
  EXPECT_TRUE(d.cmd("WAKE").starts_with("-ERR [LOGIN-DELAY]")) << "the WAKE counted as a login";
}

TEST_F(sleeping, without_resp_codes_the_answers_carry_no_codes) {
  config_.caps.resp_codes = false;
  driver a(config_, store_);
  log_in_and_sleep(a);
  driver b(config_, store_);
  log_in(b);
  EXPECT_EQ(first_line(a.cmd("WAKE")), "-ERR maildrop is locked by another session");
  b.cmd("QUIT");
  EXPECT_TRUE(a.cmd("WAKE").starts_with("+OK maildrop has 4 messages"));
  EXPECT_TRUE(a.cmd("CORE").starts_with("+OK 0 messages deleted; maildrop has 4 messages"));
  EXPECT_EQ(first_line(a.cmd("RETR UID:nope")), "-ERR no such message with that unique-id");
}

TEST_F(sleeping, quit_or_a_drop_while_asleep_commits_nothing_more) {
  driver a(config_, store_);
  log_in(a);
  a.cmd("DELE 1");
  a.cmd("SLEE");
  EXPECT_EQ(a.cmd("QUIT"), "+OK POP3 server signing off\r\n");
  EXPECT_TRUE(a.closed());
  driver b(config_, store_);
  log_in_and_sleep(b);
  b.session().on_disconnect();
  EXPECT_EQ(b.session().state(), session_state::closed);
  EXPECT_EQ(maildir_files(dir_.root(), "alice"), standard_keys({2, 3, 4}));
  driver c(config_, store_);
  log_in(c);  // nobody holds the lock
}

TEST_F(sleeping, core_commits_refreshes_and_keeps_the_lock) {
  driver a(config_, store_);
  log_in(a);
  a.cmd("DELE 1");
  a.cmd("DELE 2");
  a.cmd("RSET");
  a.cmd("DELE 1");
  EXPECT_TRUE(a.cmd("CORE").starts_with("+OK [ACTIVITY/NONE] 1 messages deleted; maildrop has 3 messages"));
  EXPECT_EQ(a.session().state(), session_state::transaction);
  EXPECT_EQ(maildir_files(dir_.root(), "alice"), standard_keys({2, 3, 4}));
  EXPECT_EQ(body_of(a.cmd("RETR 1")), standard_messages()[1].crlf) << "renumbered from 1";
  EXPECT_EQ(first_line(a.cmd("STAT")).substr(0, 6), "+OK 3 ") << "nothing marked";
  driver b(config_, store_);
  EXPECT_EQ(first_line(b.login("alice", "alice-pass")), in_use) << "CORE never lets go of the lock (A1)";
}

TEST_F(sleeping, core_reports_new_mail_truthfully) {
  driver d(config_, store_);
  log_in(d);
  EXPECT_TRUE(d.cmd("CORE").starts_with("+OK [ACTIVITY/NONE] 0 messages deleted; maildrop has 4 messages"));
  deliver("1700000005.M5P1.test", "Subject: late\r\n\r\nhello\r\n");
  EXPECT_EQ(d.cmd("LIST 5"), "-ERR no such message\r\n");
  EXPECT_TRUE(d.cmd("CORE").starts_with("+OK [ACTIVITY/NEW] 0 messages deleted; maildrop has 5 messages"));
  EXPECT_EQ(body_of(d.cmd("RETR 5")), "Subject: late\r\n\r\nhello\r\n");
  EXPECT_TRUE(d.cmd("CORE").starts_with("+OK [ACTIVITY/NONE]"));
}

TEST_F(sleeping, a_failed_core_changes_nothing) {
  failing_commit_store store(dir_.root());
  driver d(config_, store);
  log_in(d);
  const auto uids = all_uids(d);
  d.cmd("DELE 1");
  deliver("1700000005.M5P1.test", "Subject: late\r\n\r\n");
  store.fail_scan = store_errc::permanent;  // the refresh fails before anything is committed
  EXPECT_EQ(d.cmd("CORE"), "-ERR [SYS/PERM] cannot refresh the maildrop; nothing changed\r\n");
  EXPECT_EQ(store.remove_all_calls, 0);
  store.fail_scan = store_errc::ok;
  store.fail_remove_all = store_errc::temporary;  // the commit fails
  EXPECT_EQ(d.cmd("CORE"), "-ERR [SYS/TEMP] deletions not committed; nothing changed\r\n");
  // A31: same numbers, the mark kept, nothing removed, the new message still invisible.
  EXPECT_EQ(d.session().state(), session_state::transaction);
  EXPECT_EQ(d.cmd("RETR 1"), "-ERR message 1 is deleted\r\n");
  EXPECT_EQ(all_uids(d), std::vector<std::string>(uids.begin() + 1, uids.end()));
  EXPECT_EQ(d.cmd("LIST 5"), "-ERR no such message\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 5U);
}

TEST_F(sleeping, pipelined_numbers_after_core_use_the_new_numbering) {
  driver d(config_, store_);
  log_in(d);
  const auto replies = d.send("DELE 1\r\nCORE\r\nRETR 1\r\n");  // A32
  EXPECT_NE(replies.find("\r\n+OK [ACTIVITY/NONE] 1 messages deleted"), std::string::npos) << replies;
  const auto retr_start = replies.find("\r\n", replies.find("ACTIVITY")) + 2;  // after CORE's answer
  EXPECT_EQ(body_of(replies.substr(retr_start)), standard_messages()[1].crlf);
}

}  // namespace
