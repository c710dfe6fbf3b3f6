// The maildir: and mbox: adapters leave files the server can read (the mailbox's owner, group
// and mode, not root's 0600), and the mbox adapter honours the dot-lock PATH.lock.
#include <gtest/gtest.h>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

#include "pop3/harness/net/fixture_adapter.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using harness::fixture_error;
using harness::make_fixture_adapter;
using harness::mailbox_owner;

const mailbox_owner alice{"alice", ""};
const std::string message = "Subject: one\r\n\r\nbody\r\n";
// Ids no account on the test machine needs to have: chown takes any number.
constexpr uid_t mail_uid = 20000;
constexpr gid_t mail_gid = 20000;
constexpr gid_t mail_group = 8;

struct ownership {
  uid_t uid;
  gid_t gid;
  mode_t mode;
  bool operator==(const ownership&) const = default;
};

std::ostream& operator<<(std::ostream& out, const ownership& o) {
  return out << o.uid << ':' << o.gid << " mode " << std::oct << o.mode << std::dec;
}

ownership of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return {0, 0, 0};
  return {st.st_uid, st.st_gid, st.st_mode & 07777};
}

void set_ownership(const fs::path& p, const ownership& o) {
  ASSERT_EQ(::chown(p.c_str(), o.uid, o.gid), 0) << p;
  ASSERT_EQ(::chmod(p.c_str(), o.mode), 0) << p;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

#define REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the files must be given another user's ownership"

TEST(MaildirOwnership, FilesAndSubdirectoriesTakeTheMaildirsOwnerGroupAndMode) {
  REQUIRE_ROOT();
  temp_maildir dir;
  const auto maildir = dir.maildir("alice");
  fs::create_directories(maildir);
  set_ownership(maildir, {mail_uid, mail_gid, 0750});
  auto adapter = make_fixture_adapter("maildir:" + (dir.root() / "{user}").string(), 5s);
  const std::vector<std::string> messages{message, message};
  adapter->replace(alice, messages);
  adapter->deliver(alice, message);

  for (const char* sub : {"new", "cur", "tmp"}) EXPECT_EQ(of(maildir / sub), (ownership{mail_uid, mail_gid, 0750})) << sub;
  const auto delivered = files_in(maildir / "new");
  ASSERT_EQ(delivered.size(), 3u);
  // The directory's read and write bits, without search: readable exactly as the Maildir is.
  for (const auto& f : delivered) EXPECT_EQ(of(f), (ownership{mail_uid, mail_gid, 0640})) << f;
}

TEST(MaildirOwnership, NewMaildirTakesItsNearestExistingParentsOwner) {
  REQUIRE_ROOT();
  temp_maildir dir;
  const auto home = dir.base() / "home";
  fs::create_directories(home / "alice");
  set_ownership(home / "alice", {mail_uid, mail_gid, 0700});
  auto adapter = make_fixture_adapter("maildir:" + (home / "{user}" / "Mail" / "Maildir").string(), 5s);
  adapter->deliver(alice, message);

  EXPECT_EQ(of(home / "alice" / "Mail"), (ownership{mail_uid, mail_gid, 0700}));
  EXPECT_EQ(of(home / "alice" / "Mail" / "Maildir"), (ownership{mail_uid, mail_gid, 0700}));
  EXPECT_EQ(of(home / "alice" / "Mail" / "Maildir" / "tmp"), (ownership{mail_uid, mail_gid, 0700}));
  const auto delivered = files_in(home / "alice" / "Mail" / "Maildir" / "new");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(of(delivered[0]), (ownership{mail_uid, mail_gid, 0600}));
}

TEST(MaildirOwnership, OwnerThatCannotBeGivenIsAFixtureErrorAndLeavesNoFile) {
  REQUIRE_ROOT();
  temp_maildir dir;
  // The unprivileged user must reach the Maildir (mkdtemp made the base 0700).
  set_ownership(dir.base(), {0, 0, 0755});
  set_ownership(dir.root(), {0, 0, 0755});
  const auto maildir = dir.maildir("alice");
  for (const char* sub : {"new", "cur", "tmp"}) {
    fs::create_directories(maildir / sub);
    set_ownership(maildir / sub, {mail_uid, mail_gid, 0777});
  }
  set_ownership(maildir, {mail_uid, mail_gid, 0777});
  // As an unprivileged user (in a child process: privileges cannot come back), the file would
  // be left owned by that user; the server, as mail_uid, might not read it.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 1;
    if (::setgroups(0, nullptr) == 0 && ::setresgid(65534, 65534, 65534) == 0 && ::setresuid(65534, 65534, 65534) == 0) {
      try {
        make_fixture_adapter("maildir:" + maildir.string(), 1s)->deliver(alice, message);
        code = 2;  // no error
      } catch (const fixture_error& e) {
        code = std::string(e.what()).find("owner") != std::string::npos ? 0 : 3;
        if (code != 0) std::fprintf(stderr, "fixture_error: %s\n", e.what());
      } catch (...) {
        code = 4;
      }
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: could not drop privileges, 2: no error, 3: wrong message, 4: other";
  EXPECT_TRUE(files_in(maildir / "tmp").empty());
  EXPECT_TRUE(files_in(maildir / "new").empty());
}

TEST(MboxOwnership, ReplaceAndDeliverKeepTheMboxsOwnerGroupAndMode) {
  REQUIRE_ROOT();
  temp_maildir dir;
  const auto mbox = dir.base() / "alice";
  std::ofstream(mbox) << "From old@example Mon Jan  1 00:00:00 2024\nSubject: old\n\nold\n\n";
  set_ownership(mbox, {mail_uid, mail_group, 0660});
  auto adapter = make_fixture_adapter("mbox:" + (dir.base() / "{user}").string(), 5s);
  const std::vector<std::string> messages{message};
  adapter->replace(alice, messages);
  EXPECT_EQ(of(mbox), (ownership{mail_uid, mail_group, 0660}));
  adapter->deliver(alice, message);
  EXPECT_EQ(of(mbox), (ownership{mail_uid, mail_group, 0660}));
  EXPECT_EQ(read_file(mbox).find("Subject: old"), std::string::npos);
  // Neither the temporary copy nor the dot-lock stays behind.
  EXPECT_EQ(files_in(dir.base()).size(), 2u);  // the mbox and temp_maildir's maildirs/
}

TEST(MboxOwnership, NewMboxTakesItsDirectorysOwnerAndGroup) {
  REQUIRE_ROOT();
  temp_maildir dir;
  const auto spool = dir.base() / "spool";
  fs::create_directories(spool);
  set_ownership(spool, {mail_uid, mail_gid, 0750});
  make_fixture_adapter("mbox:" + (spool / "{user}").string(), 5s)->deliver(alice, message);
  EXPECT_EQ(of(spool / "alice"), (ownership{mail_uid, mail_gid, 0640}));
}

TEST(MboxDotLock, DeliveryWaitsUntilTheOtherHolderRemovesTheLock) {
  temp_maildir dir;
  const auto mbox = dir.base() / "alice";
  const std::string before = "From old@example Mon Jan  1 00:00:00 2024\nSubject: old\n\nold\n\n";
  std::ofstream(mbox) << before;
  std::ofstream(dir.base() / "alice.lock") << "4242\n";  // another process holds the mailbox
  auto adapter = make_fixture_adapter("mbox:" + mbox.string(), 5s);

  std::atomic<bool> done = false;
  std::thread delivery([&] {
    adapter->deliver(alice, message);
    done = true;
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(done);
  EXPECT_EQ(read_file(mbox), before);
  fs::remove(dir.base() / "alice.lock");
  delivery.join();
  EXPECT_TRUE(read_file(mbox).ends_with("Subject: one\n\nbody\n\n"));
  EXPECT_FALSE(fs::exists(dir.base() / "alice.lock"));
}

TEST(MboxDotLock, LockHeldPastTheWaitIsAFixtureErrorAndIsNotBroken) {
  temp_maildir dir;
  const auto mbox = dir.base() / "alice";
  std::ofstream(mbox) << "";
  std::ofstream(dir.base() / "alice.lock") << "4242\n";
  auto adapter = make_fixture_adapter("mbox:" + mbox.string(), 300ms);
  const std::vector<std::string> messages{message};
  const auto start = std::chrono::steady_clock::now();
  try {
    adapter->replace(alice, messages);
    FAIL() << "no fixture_error";
  } catch (const fixture_error& e) {
    EXPECT_NE(std::string(e.what()).find("alice.lock"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(fs::exists(dir.base() / "alice.lock"));
  EXPECT_EQ(read_file(mbox), "");
  EXPECT_FALSE(fs::exists(dir.base() / "alice.pop3spec-tmp"));
}

TEST(MboxDotLock, ConcurrentWritersEachTakeTheLockInTurn) {
  temp_maildir dir;
  const auto mbox = dir.base() / "alice";
  std::ofstream(mbox) << "";
  auto adapter = make_fixture_adapter("mbox:" + mbox.string(), 5s);
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&] {
      for (int n = 0; n < 10; ++n) adapter->deliver(alice, message);
    });
  }
  for (auto& t : writers) t.join();
  const auto text = read_file(mbox);
  std::size_t count = 0;
  for (auto at = text.find("From pop3spec@localhost "); at != std::string::npos;
       at = text.find("From pop3spec@localhost ", at + 1))
    ++count;
  EXPECT_EQ(count, 40u);
  EXPECT_FALSE(fs::exists(dir.base() / "alice.lock"));
}

}  // namespace
}  // namespace pop3::testing
