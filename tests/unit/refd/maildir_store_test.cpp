// The Maildir store: unique ids, order, sizes, removal, locking, corruption.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "pop3/protocol/command.hpp"
#include "pop3/protocol/multiline.hpp"
#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::maildir_store;
using pop3::refd::message_entry;
using pop3::refd::store_errc;

std::vector<message_entry> scan_ok(maildir_store& store, const std::string& user) {
  store_errc err = store_errc::permanent;
  auto entries = store.scan(user, err);
  EXPECT_EQ(err, store_errc::ok);
  return entries;
}

std::vector<std::string> uids(const std::vector<message_entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.uid);
  return out;
}

class maildir_store_test : public ::testing::Test {
 protected:
  pop3::testing::temp_maildir dir_;
  maildir_store store_{dir_.root()};
};

TEST_F(maildir_store_test, creates_the_maildir_and_scans_it_empty) {
  EXPECT_TRUE(scan_ok(store_, "alice").empty());
  for (const char* sub : {"new", "cur", "tmp"}) EXPECT_TRUE(std::filesystem::is_directory(dir_.root() / "alice" / sub));
}

TEST_F(maildir_store_test, delivery_order_and_crlf_sizes) {
  put_standard_mailbox(dir_.root(), "alice");
  put_message(dir_.root(), "alice", "new", "1600000000.M0P1.test", "old\n");  // earlier delivery time
  put_message(dir_.root(), "alice", "new", "zzz-no-time", "x");               // no time: last
  const auto entries = scan_ok(store_, "alice");
  ASSERT_EQ(entries.size(), 6U);
  EXPECT_EQ(entries[0].file_key, "1600000000.M0P1.test");
  EXPECT_EQ(entries[5].file_key, "zzz-no-time");
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& m = standard_messages()[i];
    EXPECT_EQ(entries[i + 1].file_key, m.name.substr(0, m.name.find(':')));
    EXPECT_EQ(entries[i + 1].size, m.crlf.size()) << m.name;
    store_errc err = store_errc::permanent;
    EXPECT_EQ(store_.read(entries[i + 1], err), m.crlf);
    EXPECT_EQ(err, store_errc::ok);
  }
}

TEST_F(maildir_store_test, uids_are_valid_unique_and_stable_across_scans) {
  put_standard_mailbox(dir_.root(), "alice");
  const auto first = scan_ok(store_, "alice");
  const auto second = scan_ok(store_, "alice");
  maildir_store other(dir_.root());  // another process's view of the same Maildir
  EXPECT_EQ(uids(first), uids(second));
  EXPECT_EQ(uids(first), uids(scan_ok(other, "alice")));
  std::set<std::string> distinct;
  for (const auto& uid : uids(first)) {
    EXPECT_TRUE(pop3::protocol::is_valid_unique_id(uid)) << uid;
    distinct.insert(uid);
  }
  EXPECT_EQ(distinct.size(), first.size());
}

TEST_F(maildir_store_test, uid_survives_a_move_from_new_to_cur) {
  put_standard_mailbox(dir_.root(), "alice");
  const auto before = scan_ok(store_, "alice");
  const auto& moved = before[0];
  ASSERT_EQ(moved.path.parent_path().filename(), "new");
  std::filesystem::rename(moved.path, dir_.root() / "alice" / "cur" / (moved.file_key + ":2,S"));
  const auto after = scan_ok(store_, "alice");
  EXPECT_EQ(uids(after), uids(before));
  EXPECT_EQ(after[0].path.parent_path().filename(), "cur");
}

TEST_F(maildir_store_test, read_and_remove_follow_a_message_moved_after_the_scan) {
  put_standard_mailbox(dir_.root(), "alice");
  const auto entries = scan_ok(store_, "alice");
  std::filesystem::rename(entries[0].path, dir_.root() / "alice" / "cur" / (entries[0].file_key + ":2,S"));
  store_errc err = store_errc::permanent;
  EXPECT_EQ(store_.read(entries[0], err), standard_messages()[0].crlf);
  EXPECT_EQ(store_.remove("alice", {entries[0]}, err), 1U);
  EXPECT_EQ(err, store_errc::ok);
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 3U);
}

TEST_F(maildir_store_test, uids_are_never_reused_after_delete) {
  put_message(dir_.root(), "alice", "new", "1700000001.A.test", "same\n");
  const auto first = scan_ok(store_, "alice");
  store_errc err = store_errc::permanent;
  EXPECT_EQ(store_.remove("alice", first, err), 1U);
  EXPECT_EQ(err, store_errc::ok);
  EXPECT_TRUE(scan_ok(store_, "alice").empty());
  // The same name and content again: a new message, a new id.
  put_message(dir_.root(), "alice", "new", "1700000001.A.test", "same\n");
  put_message(dir_.root(), "alice", "new", "1700000002.B.test", "same\n");
  const auto again = scan_ok(store_, "alice");
  ASSERT_EQ(again.size(), 2U);
  EXPECT_NE(again[0].uid, first[0].uid);
  EXPECT_NE(again[0].uid, again[1].uid) << "identical content still gets distinct ids";
}

TEST_F(maildir_store_test, size_cache_follows_file_changes) {
  const auto path = put_message(dir_.root(), "alice", "new", "1700000001.A.test", "a\nb\n");
  EXPECT_EQ(scan_ok(store_, "alice")[0].size, 6U);
  put_message(dir_.root(), "alice", "new", "1700000001.A.test", "a\nb\nccc\n");
  const auto later = std::filesystem::last_write_time(path) + std::chrono::seconds(5);
  std::filesystem::last_write_time(path, later);
  EXPECT_EQ(scan_ok(store_, "alice")[0].size, 11U);
}

TEST_F(maildir_store_test, dot_lines_are_stuffed_and_sizes_equal_retr_octets) {
  put_message(dir_.root(), "alice", "new", "1700000001.A.test", ".\n..\n.x\nplain\n.");
  const auto entries = scan_ok(store_, "alice");
  store_errc err = store_errc::permanent;
  const auto content = store_.read(entries[0], err);
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, ".\r\n..\r\n.x\r\nplain\r\n.\r\n");
  EXPECT_EQ(entries[0].size, content->size());
  EXPECT_EQ(pop3::protocol::dot_stuff(*content), "..\r\n...\r\n..x\r\nplain\r\n..\r\n.\r\n");
}

TEST_F(maildir_store_test, ignores_dot_files_directories_and_tmp) {
  put_message(dir_.root(), "alice", "new", ".hidden", "x\n");
  put_message(dir_.root(), "alice", "tmp", "1700000001.T.test", "in delivery\n");
  std::filesystem::create_directory(dir_.root() / "alice" / "cur" / "subdir");
  put_message(dir_.root(), "alice", "cur", "1700000002.C.test:2,", "real\n");
  const auto entries = scan_ok(store_, "alice");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].file_key, "1700000002.C.test");
}

TEST_F(maildir_store_test, a_corrupt_uidlist_is_a_permanent_error) {
  put_standard_mailbox(dir_.root(), "alice");
  scan_ok(store_, "alice");
  std::ofstream(dir_.root() / "alice" / "pop3refd-uidlist", std::ios::trunc) << "garbage\n";
  store_errc err = store_errc::ok;
  EXPECT_TRUE(store_.scan("alice", err).empty());
  EXPECT_EQ(err, store_errc::permanent);
}

TEST_F(maildir_store_test, lock_excludes_a_second_holder_until_released) {
  store_errc err = store_errc::permanent;
  auto first = store_.try_lock("alice", err);
  ASSERT_TRUE(first);
  EXPECT_EQ(err, store_errc::ok);
  maildir_store other(dir_.root());
  EXPECT_FALSE(other.try_lock("alice", err));
  EXPECT_EQ(err, store_errc::in_use);
  EXPECT_FALSE(store_.try_lock("alice", err)) << "the same store object conflicts too";
  EXPECT_TRUE(store_.try_lock("bob", err)) << "other maildrops are independent";
  first.reset();
  EXPECT_TRUE(other.try_lock("alice", err));
}

TEST_F(maildir_store_test, unsafe_user_names_are_refused) {
  const std::string too_long(256, 'a');
  for (const char* name : {"", "..", ".hidden", "a/b", "with space", too_long.c_str()}) {
    EXPECT_FALSE(maildir_store::valid_user_name(name)) << name;
    store_errc err = store_errc::ok;
    EXPECT_FALSE(store_.try_lock(name, err));
    EXPECT_EQ(err, store_errc::permanent);
  }
  EXPECT_TRUE(maildir_store::valid_user_name("alice.smith@example.org"));
  EXPECT_TRUE(maildir_store::valid_user_name(std::string(255, 'a'))) << "RFC 4616 allows 255-octet names";
}

TEST_F(maildir_store_test, remove_reports_failures_and_removes_the_rest) {
  put_standard_mailbox(dir_.root(), "alice");
  auto entries = scan_ok(store_, "alice");
  // unlink(2) of a directory fails (EISDIR) even for root: a deterministic failure.
  const auto trap = dir_.root() / "alice" / "cur" / "1700000002.M2P1.test:2,S";
  std::filesystem::remove(trap);
  std::filesystem::create_directory(trap);
  store_errc err = store_errc::ok;
  EXPECT_EQ(store_.remove("alice", entries, err), 3U);
  EXPECT_EQ(err, store_errc::permanent);
  EXPECT_TRUE(std::filesystem::exists(trap));
  EXPECT_EQ(maildir_files(dir_.root(), "alice"), std::vector<std::string>{"1700000002.M2P1.test"});
}

TEST_F(maildir_store_test, login_times_are_remembered_per_user) {
  EXPECT_FALSE(store_.last_login("alice"));
  const auto t = std::chrono::steady_clock::now();
  store_.record_login("alice", t);
  EXPECT_EQ(store_.last_login("alice"), t);
  EXPECT_FALSE(store_.last_login("bob"));
}

}  // namespace
