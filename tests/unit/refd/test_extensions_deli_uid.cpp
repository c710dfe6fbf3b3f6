// DELI (delete immediately) and UID-PARAM ("UID:" references) without sockets: durability,
// numbering, RSET/DELE interplay, failures, and the uid matching rules (DELI draft §2, blog
// posts; DIGEST A5-A10, A12, A13, A15).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "test_extensions_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::store_errc;

using deli_and_uids = extensions_test;

TEST_F(deli_and_uids, deli_removes_the_file_before_answering_and_leaves_a_gap) {
  driver d(config_, store_);
  log_in(d);
  const auto uids = all_uids(d);
  const auto file2 = standard_messages()[1].name;
  ASSERT_TRUE(fs::exists(dir_.root() / "alice" / "cur" / file2));
  EXPECT_EQ(d.cmd("DELI 2"), "+OK message 2 (UID:" + uids[1] + ") deleted and committed\r\n");
  EXPECT_FALSE(fs::exists(dir_.root() / "alice" / "cur" / file2)) << "gone when +OK is sent";
  // A6: never renumbered within the session; the DELI'd number stays refused.
  EXPECT_EQ(d.cmd("RETR 2"), "-ERR message 2 is deleted\r\n");
  EXPECT_EQ(body_of(d.cmd("RETR 3")), standard_messages()[2].crlf) << "3 still means the same message";
  const auto list = data_lines(d.cmd("LIST"));
  ASSERT_EQ(list.size(), 3U);
  EXPECT_TRUE(list[1].starts_with("3 "));
  EXPECT_EQ(all_uids(d), (std::vector<std::string>{uids[0], uids[2], uids[3]}));
  EXPECT_TRUE(first_line(d.cmd("STAT")).starts_with("+OK 3 "));
  // Committed without QUIT: a drop does not bring it back (BPG-DELI-2).
  d.session().on_disconnect();
  driver again(config_, store_);
  log_in(again);
  EXPECT_EQ(all_uids(again), (std::vector<std::string>{uids[0], uids[2], uids[3]}));
}

TEST_F(deli_and_uids, rset_cannot_bring_back_a_deli_and_quit_does_not_count_it_twice) {
  driver d(config_, store_);
  log_in(d);
  const auto uid2 = uid_of(d, 2);
  d.cmd("DELI 2");
  d.cmd("DELE 3");
  EXPECT_EQ(d.cmd("RSET"),
            "+OK maildrop has 3 messages (" +
                std::to_string(standard_messages()[0].crlf.size() + standard_messages()[2].crlf.size() +
                               standard_messages()[3].crlf.size()) +
                " octets)\r\n");  // A7
  EXPECT_EQ(d.cmd("RETR 2"), "-ERR message 2 is deleted\r\n");
  EXPECT_EQ(first_line(d.cmd("RETR UID:" + uid2)), "-ERR [UID] no such message with that unique-id");
  d.cmd("DELE 1");
  EXPECT_EQ(d.cmd("QUIT"), "+OK POP3 server signing off (1 messages deleted)\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 2U);
}

TEST_F(deli_and_uids, deli_refuses_dele_marked_and_unknown_messages) {
  driver d(config_, store_);
  log_in(d);
  const auto uid2 = uid_of(d, 2);
  d.cmd("DELE 2");
  EXPECT_EQ(d.cmd("DELI 2"), "-ERR message 2 is deleted\r\n");  // A8: nothing RSET could undo is committed
  EXPECT_EQ(first_line(d.cmd("DELI UID:" + uid2)), "-ERR [UID] no such message with that unique-id");
  EXPECT_EQ(d.cmd("DELI 5"), "-ERR no such message\r\n");
  EXPECT_EQ(d.cmd("DELI"), "-ERR wrong number of arguments for DELI\r\n");
  EXPECT_EQ(d.cmd("DELI 1 2"), "-ERR wrong number of arguments for DELI\r\n");
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 4U);
  EXPECT_TRUE(d.cmd("RSET").starts_with("+OK maildrop has 4 messages"));
  EXPECT_TRUE(d.cmd("DELI 2").starts_with("+OK"));
  EXPECT_EQ(d.cmd("DELI 2"), "-ERR message 2 is deleted\r\n");
}

TEST_F(deli_and_uids, a_failed_deli_leaves_the_message_listed) {
  failing_commit_store store(dir_.root());
  store.fail_remove_all = store_errc::permanent;
  driver d(config_, store);
  log_in(d);
  EXPECT_EQ(d.cmd("DELI 1"), "-ERR [SYS/PERM] message not deleted\r\n");  // A10
  EXPECT_TRUE(first_line(d.cmd("STAT")).starts_with("+OK 4 "));
  EXPECT_EQ(body_of(d.cmd("RETR 1")), standard_messages()[0].crlf);
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 4U);
}

TEST_F(deli_and_uids, every_command_takes_a_uid_where_it_takes_a_number) {
  driver d(config_, store_);
  log_in(d);
  const auto uid3 = uid_of(d, 3);
  const auto with = [](std::string line, const std::string& message) {
    return line.replace(line.find('%'), 1, message);
  };
  for (const char* line : {"RETR %", "TOP % 1", "TOP % 0", "LIST %", "UIDL %"}) {
    const auto by_number = d.cmd(with(line, "3"));
    EXPECT_TRUE(by_number.starts_with("+OK")) << line;
    EXPECT_EQ(d.cmd(with(line, "UID:" + uid3)), by_number) << line;  // BPG-UIDP-1, -2
  }
  EXPECT_EQ(d.cmd("DELE UID:" + uid3), "+OK message 3 deleted\r\n");
  EXPECT_EQ(d.cmd("RETR 3"), "-ERR message 3 is deleted\r\n");
  d.cmd("RSET");
  EXPECT_EQ(d.cmd("DELI UID:" + uid3), "+OK message 3 (UID:" + uid3 + ") deleted and committed\r\n");
  EXPECT_EQ(d.cmd("LIST 3"), "-ERR message 3 is deleted\r\n");
}

TEST_F(deli_and_uids, the_prefix_is_case_insensitive_and_the_uid_is_not) {
  // A uidlist with a known prefix, so that the uids contain letters.
  std::ofstream(dir_.root() / "alice" / "pop3refd-uidlist") << "pop3refd-uidlist 1 abcdef 1\n";
  driver d(config_, store_);
  log_in(d);
  ASSERT_EQ(uid_of(d, 1), "abcdef.1");
  const auto expected = d.cmd("LIST 1");
  for (const char* prefix : {"UID:", "uid:", "Uid:", "uId:"})
    EXPECT_EQ(d.cmd(std::string("LIST ") + prefix + "abcdef.1"), expected) << prefix;
  EXPECT_EQ(first_line(d.cmd("LIST UID:ABCDEF.1")), "-ERR [UID] no such message with that unique-id");  // A13
  EXPECT_EQ(first_line(d.cmd("LIST UIDabcdef.1")), "-ERR invalid message number");
  EXPECT_EQ(first_line(d.cmd("LIST UID-abcdef.1")), "-ERR invalid message number");
}

TEST_F(deli_and_uids, unknown_deleted_and_odd_uids_get_the_uid_code) {
  driver d(config_, store_);
  log_in(d);
  const auto uid1 = uid_of(d, 1);
  EXPECT_EQ(d.cmd("DELE UID:" + uid1), "+OK message 1 deleted\r\n");
  const std::string not_found = "-ERR [UID] no such message with that unique-id";
  for (const std::string& line :
       {"RETR UID:" + uid1, "TOP UID:" + uid1 + " 0", "LIST UID:" + uid1, "UIDL UID:" + uid1,
        "DELE UID:" + uid1, "DELI UID:" + uid1, std::string("RETR UID:"), std::string("RETR UID:1"),
        "RETR UID:" + std::string(70, 'x'), "RETR UID:" + std::string(240, 'y')}) {
    EXPECT_EQ(first_line(d.cmd(line)), not_found) << line.substr(0, 40);  // A5, BPG-UIDP-3, -6
  }
  EXPECT_EQ(first_line(d.cmd("RETR UID:" + std::string(260, 'z'))), "-ERR line too long");
  EXPECT_EQ(first_line(d.cmd("TOP UID:" + uid_of(d, 2) + " x")), "-ERR invalid line count");
  EXPECT_EQ(d.cmd("RSET").substr(0, 3), "+OK");
  EXPECT_EQ(body_of(d.cmd("RETR UID:" + uid1)), standard_messages()[0].crlf)
      << "RSET unmarks it for UID: too";
}

TEST_F(deli_and_uids, mail_that_arrived_later_is_unknown_by_uid_until_core) {
  driver d(config_, store_);
  log_in(d);
  deliver("1700000005.M5P1.test", "Subject: late\r\n\r\n");
  store_errc err = store_errc::permanent;
  const auto entries = store_.scan("alice", err);  // what a second reader of the Maildir would see
  ASSERT_EQ(err, store_errc::ok);
  ASSERT_EQ(entries.size(), 5U);
  const auto late = entries.back().uid;
  EXPECT_EQ(first_line(d.cmd("LIST UID:" + late)), "-ERR [UID] no such message with that unique-id");  // A12
  d.cmd("CORE");
  EXPECT_EQ(first_line(d.cmd("UIDL UID:" + late)), "+OK 5 " + late) << "a real number, never 0";
}

TEST_F(deli_and_uids, unique_ids_are_never_reused) {
  driver d(config_, store_);
  log_in(d);
  const auto& m4 = standard_messages()[3];
  const auto old_uid = uid_of(d, 4);
  ASSERT_TRUE(d.cmd("DELI 4").starts_with("+OK"));
  // The same file name and bytes delivered again, plus an identical twin (BPG-UIDP-5).
  put_message(dir_.root(), "alice", m4.sub, m4.name, m4.stored);
  put_message(dir_.root(), "alice", "new", "1700000009.twin.test", m4.stored);
  ASSERT_TRUE(d.cmd("CORE").starts_with("+OK [ACTIVITY/NEW]"));
  const auto uids = all_uids(d);
  ASSERT_EQ(uids.size(), 5U);
  EXPECT_EQ(std::ranges::count(uids, old_uid), 0);
  EXPECT_NE(uids[3], uids[4]);
  EXPECT_EQ(first_line(d.cmd("RETR UID:" + old_uid)), "-ERR [UID] no such message with that unique-id");
  EXPECT_EQ(body_of(d.cmd("RETR UID:" + uids[3])), m4.crlf);
}

}  // namespace
