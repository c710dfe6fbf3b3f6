// The store's all-or-nothing removal (DELI, SLEE, CORE), its recovery from a crash at any point,
// the seen flag, and id non-reuse after removal (SLEEPING draft §5, DIGEST A15, A31).
#include <gtest/gtest.h>

#include <fstream>

#include "test_extensions_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::maildir_store;
using pop3::refd::message_entry;
using pop3::refd::store_errc;

class extension_store : public ::testing::Test {
 protected:
  void SetUp() override { put_standard_mailbox(dir_.root(), "alice"); }

  std::vector<message_entry> scan() {
    store_errc err = store_errc::permanent;
    auto entries = store_.scan("alice", err);
    EXPECT_EQ(err, store_errc::ok);
    return entries;
  }
  static std::vector<std::string> uids(const std::vector<message_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.uid);
    return out;
  }
  fs::path trash() const { return dir_.root() / "alice" / "pop3refd-trash"; }
  /// Regular files left anywhere under the staging folder.
  std::size_t staged_files() const {
    std::size_t n = 0;
    if (!fs::exists(trash())) return 0;
    for (const auto& e : fs::recursive_directory_iterator(trash())) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
  /// Moves a message into the staging folder as an interrupted removal would have left it.
  void stage_by_hand(const message_entry& entry) const {
    const auto sub = entry.path.parent_path().filename();
    fs::create_directories(trash() / sub);
    fs::rename(entry.path, trash() / sub / entry.path.filename());
  }

  pop3::testing::temp_maildir dir_;
  maildir_store store_{dir_.root()};
};

TEST_F(extension_store, removes_every_message_and_leaves_nothing_staged) {
  const auto entries = scan();
  store_errc err = store_errc::permanent;
  EXPECT_TRUE(store_.remove_all_or_nothing("alice", {entries[0], entries[1]}, err));
  EXPECT_EQ(err, store_errc::ok);
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 2U);
  EXPECT_EQ(staged_files(), 0U);
  EXPECT_EQ(uids(scan()), (std::vector<std::string>{entries[2].uid, entries[3].uid}));
  EXPECT_TRUE(store_.remove_all_or_nothing("alice", {}, err)) << "nothing to do is a success";
}

TEST_F(extension_store, a_failure_half_way_puts_everything_back) {
  const auto entries = scan();
  // rename(2) of a file onto a non-empty directory fails (EISDIR/ENOTEMPTY) even for root: the
  // second message cannot be staged, after the first one was.
  const auto blocker = trash() / "cur" / entries[1].path.filename();
  fs::create_directories(blocker / "x");
  store_errc err = store_errc::ok;
  EXPECT_FALSE(store_.remove_all_or_nothing("alice", entries, err));
  EXPECT_NE(err, store_errc::ok);
  for (const auto& e : entries) EXPECT_TRUE(fs::exists(e.path)) << e.path;
  EXPECT_EQ(staged_files(), 0U);
  EXPECT_FALSE(fs::exists(trash() / "committed"));
  fs::remove_all(blocker);
  EXPECT_EQ(uids(scan()), uids(entries)) << "same messages, same ids";
}

TEST_F(extension_store, a_crash_before_the_commit_point_is_undone_by_the_next_scan) {
  const auto entries = scan();
  stage_by_hand(entries[0]);
  stage_by_hand(entries[1]);
  // A marker write cut short (only its temporary file) is no marker.
  std::ofstream(trash() / "committed.tmp") << "";
  EXPECT_EQ(uids(scan()), uids(entries));
  for (const auto& e : entries) EXPECT_TRUE(fs::exists(e.path)) << e.path;
  EXPECT_EQ(staged_files(), 0U);
}

TEST_F(extension_store, a_crash_after_the_commit_point_is_finished_by_the_next_scan) {
  const auto entries = scan();
  stage_by_hand(entries[0]);
  stage_by_hand(entries[3]);
  std::ofstream(trash() / "committed") << "";
  EXPECT_EQ(uids(scan()), (std::vector<std::string>{entries[1].uid, entries[2].uid}));
  EXPECT_EQ(staged_files(), 0U);
  EXPECT_FALSE(fs::exists(trash() / "committed"));
  // The same recovery runs before a removal, so a half-finished one never mixes with the next.
  stage_by_hand(scan()[0]);
  store_errc err = store_errc::permanent;
  EXPECT_TRUE(store_.remove_all_or_nothing("alice", {}, err));
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 2U);
}

TEST_F(extension_store, follows_moved_messages_and_counts_vanished_ones_as_removed) {
  const auto entries = scan();
  fs::rename(entries[0].path,
             dir_.root() / "alice" / "cur" / (entries[0].file_key + ":2,S"));  // an IMAP server read it
  fs::remove(entries[2].path);                                                 // someone else deleted it
  store_errc err = store_errc::permanent;
  EXPECT_TRUE(store_.remove_all_or_nothing("alice", {entries[0], entries[2]}, err));
  EXPECT_EQ(uids(scan()), (std::vector<std::string>{entries[1].uid, entries[3].uid}));
}

TEST_F(extension_store, a_name_that_reappears_after_a_removal_gets_a_new_id) {
  for (const bool all_or_nothing : {true, false}) {
    const auto entries = scan();
    store_errc err = store_errc::permanent;
    if (all_or_nothing) {
      ASSERT_TRUE(store_.remove_all_or_nothing("alice", {entries[0]}, err));
    } else {
      ASSERT_EQ(store_.remove("alice", {entries[0]}, err), 1U);
    }
    // Same name, same bytes, before any scan noticed the removal.
    const auto& m = standard_messages()[0];
    put_message(dir_.root(), "alice", m.sub, m.name, m.stored);
    const auto again = scan();
    ASSERT_EQ(again.size(), 4U);
    EXPECT_EQ(again[0].file_key, entries[0].file_key);
    EXPECT_NE(again[0].uid, entries[0].uid) << (all_or_nothing ? "remove_all_or_nothing" : "remove");
  }
}

TEST_F(extension_store, seen_flags_are_read_and_set) {
  const auto entries = scan();
  EXPECT_EQ((std::vector<bool>{entries[0].seen, entries[1].seen, entries[2].seen, entries[3].seen}),
            (std::vector<bool>{false, true, false, false}));
  // An info part we do not know is left alone.
  const auto odd =
      put_message(dir_.root(), "alice", "cur", "1700000005.M5P1.test:1,experimental", "Subject: x\r\n\r\n");
  const auto with_odd = scan();
  store_errc err = store_errc::permanent;
  store_.mark_seen("alice", with_odd, err);
  EXPECT_EQ(err, store_errc::ok);
  EXPECT_TRUE(fs::exists(odd));
  const auto after = scan();
  ASSERT_EQ(after.size(), 5U);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(after[i].seen) << i;
    EXPECT_EQ(after[i].uid, with_odd[i].uid) << "a flag change keeps the id";
    EXPECT_EQ(after[i].path.parent_path().filename(), "cur");
  }
  EXPECT_FALSE(after[4].seen);
  EXPECT_EQ(maildir_files(dir_.root(), "alice").size(), 5U);
}

}  // namespace
