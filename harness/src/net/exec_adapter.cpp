// exec:COMMAND: a user's script provisions the mailbox. The message goes to its stdin; the
// environment says whose mailbox (POP3SPEC_USER) and what to do (POP3SPEC_ACTION=deliver|clear).
// The script runs under a deadline and is killed if it overstays.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters.hpp"

extern char** environ;  // NOLINT: POSIX

namespace pop3::harness::detail {
namespace {

using steady = std::chrono::steady_clock;
constexpr std::size_t max_output_kept = 4096;

struct process_outcome {
  int status = 0;          // waitpid status
  bool timed_out = false;
  std::string output;      // stdout + stderr, the last max_output_kept octets
};

// Blocks SIGPIPE in this thread while we write to a child that may not read its stdin, then
// swallows a pending one, so a script that exits early cannot kill the harness.
class sigpipe_guard {
 public:
  sigpipe_guard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~sigpipe_guard() {
    const timespec zero{};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

 private:
  sigset_t pipe_{}, previous_{};
};

class pipe_pair {
 public:
  pipe_pair() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw fixture_error(std::string("pipe: ") + std::strerror(errno));
  }
  ~pipe_pair() {
    close_read();
    close_write();
  }
  pipe_pair(const pipe_pair&) = delete;
  pipe_pair& operator=(const pipe_pair&) = delete;
  [[nodiscard]] int read_end() const noexcept { return fds_[0]; }
  [[nodiscard]] int write_end() const noexcept { return fds_[1]; }
  void close_read() noexcept { close_one(fds_[0]); }
  void close_write() noexcept { close_one(fds_[1]); }

 private:
  static void close_one(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view item(*entry);
    if (!item.starts_with("POP3SPEC_USER=") && !item.starts_with("POP3SPEC_ACTION=")) env.emplace_back(item);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Feeds stdin and collects output until the child closes its output, or the deadline.
void pump(pipe_pair& input, pipe_pair& output, std::string_view stdin_data, steady::time_point deadline,
          process_outcome& out) {
  ::fcntl(input.write_end(), F_SETFL, O_NONBLOCK);
  if (stdin_data.empty()) input.close_write();
  std::array<char, 4096> buffer{};
  while (output.read_end() >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) {
      out.timed_out = true;
      return;
    }
    pollfd fds[2] = {{output.read_end(), POLLIN, 0}, {input.write_end(), POLLOUT, 0}};
    const nfds_t count = input.write_end() >= 0 ? 2 : 1;
    if (::poll(fds, count, static_cast<int>(left)) < 0 && errno != EINTR) return;
    if (count == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const auto n = ::write(input.write_end(), stdin_data.data(), stdin_data.size());
      if (n > 0) stdin_data.remove_prefix(static_cast<std::size_t>(n));
      if (stdin_data.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) input.close_write();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const auto n = ::read(output.read_end(), buffer.data(), buffer.size());
      if (n > 0) {
        out.output.append(buffer.data(), static_cast<std::size_t>(n));
        if (out.output.size() > max_output_kept) out.output.erase(0, out.output.size() - max_output_kept);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        output.close_read();
      }
    }
  }
}

process_outcome run_shell(const std::string& command, const std::vector<std::string>& extra_env,
                          std::string_view stdin_data, std::chrono::milliseconds timeout) {
  const sigpipe_guard guard;
  pipe_pair input, output;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input.read_end(), 0);
  posix_spawn_file_actions_adddup2(&actions, output.write_end(), 1);
  posix_spawn_file_actions_adddup2(&actions, output.write_end(), 2);

  auto env = child_environment(extra_env);
  std::vector<char*> envp;
  for (auto& item : env) envp.push_back(item.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", flag = "-c", script = command;
  char* argv[] = {shell.data(), flag.data(), script.data(), nullptr};

  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw fixture_error("cannot run /bin/sh: " + std::string(std::strerror(spawned)));
  input.close_read();
  output.close_write();

  process_outcome out;
  const auto deadline = steady::now() + timeout;
  pump(input, output, stdin_data, deadline, out);
  // The child may have closed its output but not exited yet.
  while (!out.timed_out && ::waitpid(pid, &out.status, WNOHANG) == 0) {
    if (steady::now() >= deadline) {
      out.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (out.timed_out) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &out.status, 0);
  }
  return out;
}

class exec_adapter final : public fixture_adapter {
 public:
  exec_adapter(std::string command, std::chrono::milliseconds timeout) : command_(std::move(command)), timeout_(timeout) {}

  [[nodiscard]] bool can_clear() const noexcept override { return true; }

  void replace(const mailbox_owner& owner, std::span<const std::string> messages) override {
    run("clear", owner, "");
    for (const auto& message : messages) run("deliver", owner, message);
  }

  void deliver(const mailbox_owner& owner, const std::string& message) override { run("deliver", owner, message); }

  [[nodiscard]] std::string describe() const override { return "exec:" + command_; }

 private:
  void run(std::string_view action, const mailbox_owner& owner, std::string_view message) const {
    auto out = run_shell(command_, {"POP3SPEC_USER=" + owner.user, "POP3SPEC_ACTION=" + std::string(action)},
                         message, timeout_);
    std::string problem;
    if (out.timed_out) {
      problem = "did not finish within " + std::to_string(timeout_.count()) + " ms (killed)";
    } else if (WIFSIGNALED(out.status)) {
      problem = "was killed by signal " + std::to_string(WTERMSIG(out.status));
    } else if (WEXITSTATUS(out.status) != 0) {
      problem = "exited with status " + std::to_string(WEXITSTATUS(out.status));
    }
    if (problem.empty()) return;
    while (!out.output.empty() && (out.output.back() == '\n' || out.output.back() == '\r')) out.output.pop_back();
    throw fixture_error(describe() + " (POP3SPEC_ACTION=" + std::string(action) + ") " + problem +
                        (out.output.empty() ? "" : ": " + out.output));
  }

  std::string command_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::shared_ptr<fixture_adapter> make_exec_adapter(std::string command, std::chrono::milliseconds timeout) {
  return std::make_shared<exec_adapter>(std::move(command), timeout);
}

}  // namespace pop3::harness::detail
