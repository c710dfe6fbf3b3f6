// kill -9 of the pop3refd program (a child process of this test, and nothing else) right after
// DELI's +OK and in the middle of SLEE: a DELI'd message stays gone, and a SLEE is all or
// nothing: no message is lost, none of its deletions is half done, once the next login has
// looked at the maildrop.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "refd_test.hpp"

extern char** environ;  // NOLINT: POSIX gives the environment only this way

namespace pop3::refd_tests {
namespace {

using namespace std::chrono_literals;

/// pop3refd running as a child process on 127.0.0.1:<ephemeral>, found through --print-ports.
/// Flow: the constructor spawns it and waits (at most 10 s) for its "listening" line;
/// kill_hard() sends SIGKILL to that child and reaps it; the destructor does the same if needed.
class refd_process {
 public:
  explicit refd_process(const pop3::testing::temp_maildir& dir) {
    const std::vector<std::string> args = {POP3SPEC_POP3REFD_PROGRAM,
                                           "--maildir-root",
                                           dir.root().string(),
                                           "--users",
                                           (dir.base() / "users").string(),
                                           "--listen",
                                           "127.0.0.1:0",
                                           "--print-ports",
                                           "--capability",
                                           "SLEEPING",
                                           "--capability",
                                           "CORE",
                                           "--capability",
                                           "DELI",
                                           "--capability",
                                           "UID-PARAM"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);  // dup2 clears CLOEXEC
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    stdout_ = out[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + args[0]);
    }
    port_ = read_port();
  }
  ~refd_process() {
    kill_hard();
    ::close(stdout_);
  }
  refd_process(const refd_process&) = delete;
  refd_process& operator=(const refd_process&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  /// SIGKILL to this child only, then waits for it to be gone.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  // "listening 127.0.0.1:PORT\n" on stdout, within 10 s.
  std::uint16_t read_port() {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (text.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{stdout_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        throw std::runtime_error("pop3refd did not report its port");
      char chunk[256];
      const auto n = ::read(stdout_, chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("pop3refd exited before listening: '" + text + "'");
      text.append(chunk, static_cast<std::size_t>(n));
    }
    const auto line = text.substr(0, text.find('\n'));
    if (!line.starts_with("listening 127.0.0.1:")) throw std::runtime_error("unexpected output: " + line);
    return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }

  pid_t pid_ = -1;
  int stdout_ = -1;
  std::uint16_t port_ = 0;
};

std::unique_ptr<loopback_client> logged_in(std::uint16_t port) {
  auto client = std::make_unique<loopback_client>(port);
  EXPECT_TRUE(is_ok(client->read_line()));
  EXPECT_TRUE(is_ok(client->command("USER alice")));
  const auto pass = client->command("PASS alice-pass");
  EXPECT_TRUE(is_ok(pass)) << pass;
  return client;
}

std::vector<std::string> uidl(loopback_client& client) {
  client.send("UIDL\r\n");
  const auto block = client.read_multiline();
  std::vector<std::string> uids;
  std::size_t pos = block.find("\r\n") + 2;
  for (std::size_t end;
       (end = block.find("\r\n", pos)) != std::string::npos && block.compare(pos, 3, ".\r\n") != 0;
       pos = end + 2) {
    const auto line = block.substr(pos, end - pos);
    uids.push_back(line.substr(line.find(' ') + 1));
  }
  return uids;
}

// Regular files left in the staging folder of alice's Maildir.
std::size_t staged_files(const pop3::testing::temp_maildir& dir) {
  const auto trash = dir.maildir("alice") / "pop3refd-trash";
  std::size_t n = 0;
  if (std::filesystem::exists(trash)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(trash))
      n += e.is_regular_file() ? 1 : 0;
  }
  return n;
}

pop3::testing::temp_maildir& prepare(pop3::testing::temp_maildir& dir, int messages) {
  dir.write_file("users", "alice:alice-pass\n");
  for (int i = 1; i <= messages; ++i)
    dir.deliver("alice", pop3::testing::make_message(i, "m" + std::to_string(i), "Body.\r\n"));
  return dir;
}

TEST(refd_extensions_crash, a_deli_acknowledged_just_before_kill_9_stays_done) {
  pop3::testing::temp_maildir dir;
  prepare(dir, 3);
  std::string uid2;
  {
    refd_process server(dir);
    auto client = logged_in(server.port());
    uid2 = uidl(*client).at(1);
    ASSERT_TRUE(is_ok(client->command("DELI 2")));
    server.kill_hard();  // right after the +OK: nothing after it may be needed for durability
  }
  EXPECT_EQ(dir.message_count("alice"), 2U);
  refd_process server(dir);
  auto client = logged_in(server.port());
  const auto uids = uidl(*client);
  EXPECT_EQ(uids.size(), 2U);
  EXPECT_EQ(std::ranges::count(uids, uid2), 0);
  EXPECT_TRUE(client->command("RETR UID:" + uid2).starts_with("-ERR [UID]"));
  EXPECT_EQ(staged_files(dir), 0U);
}

TEST(refd_extensions_crash, kill_9_during_slee_loses_nothing_and_deletes_all_or_none) {
  constexpr int total = 240, doomed = 120;
  std::string dele_batch;
  for (int i = 1; i <= doomed; ++i) dele_batch += "DELE " + std::to_string(i) + "\r\n";

  // One SLEE that runs to completion measures how long one takes here; the kills then land at
  // spread-out moments inside that span (and some before the command is even read).
  std::chrono::microseconds slee_time{0};
  {
    pop3::testing::temp_maildir dir;
    refd_process server(prepare(dir, total));
    auto client = logged_in(server.port());
    client->send(dele_batch);
    for (int i = 0; i < doomed; ++i) ASSERT_TRUE(is_ok(client->read_line()));
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(is_ok(client->command("SLEE")));
    slee_time =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    EXPECT_EQ(dir.message_count("alice"), static_cast<std::size_t>(total - doomed));
  }
  constexpr int rounds = 12;
  int committed = 0, rolled_back = 0, interrupted = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    pop3::testing::temp_maildir dir;
    std::vector<std::string> before;
    {
      refd_process server(prepare(dir, total));
      auto client = logged_in(server.port());
      before = uidl(*client);
      ASSERT_EQ(before.size(), static_cast<std::size_t>(total));
      client->send(dele_batch);
      for (int i = 0; i < doomed; ++i) ASSERT_TRUE(is_ok(client->read_line()));
      client->send("SLEE\r\n");
      std::this_thread::sleep_for(slee_time * round / (rounds - 2));
      server.kill_hard();
    }
    // Killed between staging and clean-up: the next login must settle it.
    interrupted += staged_files(dir) > 0 ||
                   std::filesystem::exists(dir.maildir("alice") / "pop3refd-trash" / "committed");
    refd_process server(dir);
    auto client = logged_in(server.port());
    const auto after = uidl(*client);
    const std::set<std::string> present(after.begin(), after.end());
    for (int i = doomed; i < total; ++i)
      ASSERT_TRUE(present.contains(before[static_cast<std::size_t>(i)])) << "lost message " << i + 1;
    const auto doomed_present = std::count_if(before.begin(), before.begin() + doomed,
                                              [&](const std::string& u) { return present.contains(u); });
    ASSERT_TRUE(doomed_present == 0 || doomed_present == doomed)
        << doomed_present << " of " << doomed << " deletions survived";
    EXPECT_EQ(after.size(), present.size());
    EXPECT_EQ(dir.message_count("alice"), after.size());
    EXPECT_EQ(staged_files(dir), 0U);
    (doomed_present == 0 ? committed : rolled_back) += 1;
  }
  RecordProperty("slee_microseconds", static_cast<int>(slee_time.count()));
  RecordProperty("rounds_committed", committed);
  RecordProperty("rounds_rolled_back", rolled_back);
  RecordProperty("rounds_interrupted_mid_commit", interrupted);
}

}  // namespace
}  // namespace pop3::refd_tests
