// TRANSACTION commands and UPDATE semantics (RFC 1939 §5-7, DIGEST A36, A37, A39, A27).
#include <gtest/gtest.h>

#include "pop3/protocol/command.hpp"
#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::session_state;

class session_transaction : public ::testing::Test {
 protected:
  void SetUp() override { put_standard_mailbox(dir_.root(), "alice"); }
  static void log_in(driver& d) { ASSERT_TRUE(d.login("alice", "alice-pass").starts_with("+OK maildrop")); }
  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = base_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
};

TEST_F(session_transaction, retr_delivers_each_message_byte_exact_and_stuffed) {
  driver d(config_, store_);
  log_in(d);
  const auto& messages = standard_messages();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto reply = d.cmd("RETR " + std::to_string(i + 1));
    EXPECT_EQ(reply.substr(0, reply.find("\r\n")), "+OK " + std::to_string(messages[i].crlf.size()) + " octets");
    EXPECT_EQ(body_of(reply), messages[i].crlf) << "message " << i + 1;
  }
  // The wire form of message 1: "." goes out as "..", "..two" as "...two" (R1939-GEN-6).
  EXPECT_NE(d.cmd("RETR 1").find("\r\nfirst\r\n..\r\n...two\r\n..x\r\nlast\r\n.\r\n"), std::string::npos);
}

TEST_F(session_transaction, list_sizes_equal_retr_octets_and_stat_totals) {
  driver d(config_, store_);
  log_in(d);
  const auto lines = data_lines(d.cmd("LIST"));
  ASSERT_EQ(lines.size(), 4U);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto size = body_of(d.cmd("RETR " + std::to_string(i + 1))).size();
    EXPECT_EQ(lines[i], std::to_string(i + 1) + " " + std::to_string(size));
    EXPECT_EQ(d.cmd("LIST " + std::to_string(i + 1)), "+OK " + lines[i] + "\r\n");
    total += size;
  }
  EXPECT_EQ(d.cmd("STAT"), "+OK 4 " + std::to_string(total) + "\r\n");
}

TEST_F(session_transaction, deleted_messages_leave_gaps_and_refuse_every_reference) {
  driver d(config_, store_);
  log_in(d);
  const auto uids_before = data_lines(d.cmd("UIDL"));
  const auto size2 = standard_messages()[1].crlf.size();
  const auto stat_before = d.cmd("STAT");
  EXPECT_EQ(d.cmd("DELE 2"), "+OK message 2 deleted\r\n");
  for (const char* line : {"RETR 2", "LIST 2", "UIDL 2", "TOP 2 0", "DELE 2"}) {
    EXPECT_EQ(d.cmd(line), "-ERR message 2 is deleted\r\n") << line;
  }
  const auto list = data_lines(d.cmd("LIST"));
  ASSERT_EQ(list.size(), 3U);
  EXPECT_TRUE(list[0].starts_with("1 "));
  EXPECT_TRUE(list[1].starts_with("3 ")) << "numbers are never reassigned";
  const auto uids = data_lines(d.cmd("UIDL"));
  EXPECT_EQ(uids, (std::vector<std::string>{uids_before[0], uids_before[2], uids_before[3]}));
  std::uint64_t total = 0;
  for (const auto& m : standard_messages()) total += m.crlf.size();
  EXPECT_EQ(d.cmd("STAT"), "+OK 3 " + std::to_string(total - size2) + "\r\n");
  // RSET unmarks and keeps the snapshot.
  EXPECT_TRUE(d.cmd("RSET").starts_with("+OK maildrop has 4 messages"));
  EXPECT_EQ(d.cmd("STAT"), stat_before);
  EXPECT_EQ(data_lines(d.cmd("UIDL")), uids_before);
}

TEST_F(session_transaction, uidl_lines_are_valid_unique_ids) {
  driver d(config_, store_);
  log_in(d);
  const auto lines = data_lines(d.cmd("UIDL"));
  ASSERT_EQ(lines.size(), 4U);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto sp = lines[i].find(' ');
    EXPECT_EQ(lines[i].substr(0, sp), std::to_string(i + 1));
    const auto uid = lines[i].substr(sp + 1);
    EXPECT_TRUE(pop3::protocol::is_valid_unique_id(uid)) << uid;
    EXPECT_EQ(d.cmd("UIDL " + std::to_string(i + 1)), "+OK " + lines[i] + "\r\n");
  }
}

TEST_F(session_transaction, top_variants) {
  driver d(config_, store_);
  log_in(d);
  // k = 0: headers and the blank line only.
  EXPECT_EQ(body_of(d.cmd("TOP 2 0")), "Subject: five\r\n\r\n");
  EXPECT_EQ(body_of(d.cmd("TOP 2 2")), "Subject: five\r\n\r\nl1\r\nl2\r\n");
  // k beyond the body: the whole message.
  EXPECT_EQ(body_of(d.cmd("TOP 2 1000")), standard_messages()[1].crlf);
  EXPECT_EQ(body_of(d.cmd("TOP 2 18446744073709551615")), standard_messages()[1].crlf);
  // No header/body separator: the whole message, no invented blank line (A36).
  EXPECT_EQ(body_of(d.cmd("TOP 3 0")), standard_messages()[2].crlf);
  // Stuffing applies to TOP too.
  EXPECT_NE(d.cmd("TOP 1 2").find("\r\nfirst\r\n..\r\n.\r\n"), std::string::npos);
  EXPECT_EQ(body_of(d.cmd("TOP 4 0")), "Subject: no final newline\r\n\r\n");
}

TEST_F(session_transaction, top_on_a_message_that_starts_with_the_blank_line) {
  put_message(dir_.root(), "alice", "new", "1700000009.M9P1.test", "\nbody1\nbody2\n");
  driver d(config_, store_);
  log_in(d);
  EXPECT_EQ(body_of(d.cmd("TOP 5 0")), "\r\n");
  EXPECT_EQ(body_of(d.cmd("TOP 5 1")), "\r\nbody1\r\n");
}

TEST_F(session_transaction, empty_maildrop_lists_nothing) {
  put_message(dir_.root(), "bob", "new", "placeholder", "x");
  std::filesystem::remove(dir_.root() / "bob" / "new" / "placeholder");
  driver d(config_, store_);
  EXPECT_EQ(d.login("bob", "b o  b"), "+OK maildrop has 0 messages (0 octets)\r\n");
  EXPECT_EQ(d.cmd("LIST"), "+OK 0 messages (0 octets)\r\n.\r\n");
  EXPECT_EQ(d.cmd("UIDL"), "+OK unique-id listing follows\r\n.\r\n");
  EXPECT_EQ(d.cmd("STAT"), "+OK 0 0\r\n");
  EXPECT_EQ(d.cmd("RETR 1"), "-ERR no such message\r\n");
}

TEST_F(session_transaction, snapshot_is_fixed_for_the_session) {
  driver d(config_, store_);
  log_in(d);
  put_message(dir_.root(), "alice", "new", "1700000010.M10P1.test", "Subject: late\n\nx\n");
  EXPECT_TRUE(d.cmd("STAT").starts_with("+OK 4 "));
  EXPECT_EQ(d.cmd("RETR 5"), "-ERR no such message\r\n");
}

TEST_F(session_transaction, quit_commits_deletions) {
  {
    driver d(config_, store_);
  log_in(d);
    const auto uids = data_lines(d.cmd("UIDL"));
    d.cmd("DELE 1");
    d.cmd("DELE 3");
    EXPECT_EQ(d.cmd("QUIT"), "+OK POP3 server signing off (2 messages deleted)\r\n");
    EXPECT_TRUE(d.closed());
  }
  EXPECT_EQ(maildir_files(dir_.root(), "alice"), (std::vector<std::string>{"1700000002.M2P1.test", "1700000004.M4P1.test"}));
  driver again(config_, store_);
  log_in(again);
  EXPECT_EQ(data_lines(again.cmd("LIST")).size(), 2U);
}

TEST_F(session_transaction, disconnect_without_quit_deletes_nothing) {
  driver d(config_, store_);
  log_in(d);
  for (int i = 1; i <= 4; ++i) d.cmd("DELE " + std::to_string(i));
  d.session().on_disconnect();
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 4U);
  driver again(config_, store_);
  log_in(again);
  EXPECT_TRUE(again.cmd("STAT").starts_with("+OK 4 "));
}

TEST_F(session_transaction, quit_in_authorization_does_not_update) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("QUIT"), "+OK POP3 server signing off\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 4U);
}

TEST_F(session_transaction, expire_zero_deletes_retrieved_messages_at_update) {
  config_.expire_days = 0;
  driver d(config_, store_);
  log_in(d);
  d.cmd("RETR 1");
  d.cmd("TOP 2 1");  // TOP is not retrieval
  EXPECT_EQ(d.cmd("QUIT"), "+OK POP3 server signing off (1 messages deleted)\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 3U);
}

TEST_F(session_transaction, expire_zero_is_undone_by_rset_and_not_applied_on_drop) {
  config_.expire_days = 0;
  {
    driver d(config_, store_);
  log_in(d);
    d.cmd("RETR 1");
    d.session().on_disconnect();
  }
  driver d(config_, store_);
  log_in(d);
  d.cmd("RETR 1");
  d.cmd("RSET");
  EXPECT_EQ(d.cmd("QUIT"), "+OK POP3 server signing off (0 messages deleted)\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 4U);
}

TEST_F(session_transaction, failed_removal_reports_and_still_closes) {
  faulty_store store(dir_.root());
  store.remove_only = 1;
  driver d(config_, store);
  log_in(d);
  d.cmd("DELE 1");
  d.cmd("DELE 2");
  EXPECT_EQ(d.cmd("QUIT"), "-ERR some deleted messages not removed\r\n");
  EXPECT_TRUE(d.closed());
  // Message 1 went, message 2 stayed; unmarked messages are intact; the lock is released.
  EXPECT_EQ(maildir_files(dir_.root(), "alice"),
            (std::vector<std::string>{"1700000002.M2P1.test", "1700000003.M3P1.test", "1700000004.M4P1.test"}));
  driver again(config_, store_);
  EXPECT_TRUE(again.login("alice", "alice-pass").starts_with("+OK maildrop has 3 messages"));
}

TEST_F(session_transaction, read_failures_give_sys_codes_and_the_session_goes_on) {
  faulty_store store(dir_.root());
  driver d(config_, store);
  log_in(d);
  store.fail_read = pop3::refd::store_errc::temporary;
  EXPECT_EQ(d.cmd("RETR 1"), "-ERR [SYS/TEMP] cannot read message\r\n");
  store.fail_read = pop3::refd::store_errc::permanent;
  EXPECT_EQ(d.cmd("TOP 1 0"), "-ERR [SYS/PERM] cannot read message\r\n");
  store.fail_read = pop3::refd::store_errc::ok;
  EXPECT_TRUE(d.cmd("RETR 1").starts_with("+OK"));
  EXPECT_EQ(d.session().state(), session_state::transaction);
}

TEST_F(session_transaction, a_message_deleted_behind_our_back_is_a_sys_perm_error) {
  driver d(config_, store_);
  log_in(d);
  std::filesystem::remove(dir_.root() / "alice" / "new" / "1700000001.M1P1.test");
  EXPECT_EQ(d.cmd("RETR 1"), "-ERR [SYS/PERM] cannot read message\r\n");
  EXPECT_TRUE(d.cmd("RETR 2").starts_with("+OK"));
}

}  // namespace
