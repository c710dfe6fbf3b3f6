// interrupt_cleanup: a sigwait() thread that cleans up and exits on SIGINT / SIGTERM.
#include "interrupt.hpp"

#include <cstdio>
#include <cstdlib>

#include <pthread.h>

namespace pop3::harness::cli {

interrupt_cleanup::interrupt_cleanup() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
  watcher_ = std::thread([this] { watch(); });
}

interrupt_cleanup::~interrupt_cleanup() {
  {
    const std::scoped_lock lock(mutex_);
    done_ = true;
  }
  // Wakes the watcher; it sees done_ and returns instead of exiting.
  pthread_kill(watcher_.native_handle(), SIGTERM);
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void interrupt_cleanup::remove_on_interrupt(const std::filesystem::path& dir) {
  const std::scoped_lock lock(mutex_);
  dirs_.push_back(dir);
}

void interrupt_cleanup::watch() {
  int received = 0;
  while (sigwait(&signals_, &received) != 0) {
  }
  const std::scoped_lock lock(mutex_);
  if (done_) return;
  std::fputs("\npop3spec: interrupted\n", stderr);
  std::error_code ignored;
  for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ignored);
  std::_Exit(130);
}

}  // namespace pop3::harness::cli
