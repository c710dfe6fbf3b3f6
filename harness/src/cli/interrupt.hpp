#pragma once
// Ctrl-C and SIGTERM during a run: remove the embedded server's temp directory, then exit 130.
//
// Flow: construct before any other thread starts (SIGINT/SIGTERM get blocked, and threads
// inherit the mask; a watcher thread sigwait()s for them); remove_on_interrupt(dir) once each
// directory exists; destruction stops the watcher and restores the mask.
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <signal.h>

namespace pop3::harness::cli {

class interrupt_cleanup {
 public:
  interrupt_cleanup();
  ~interrupt_cleanup();
  interrupt_cleanup(const interrupt_cleanup&) = delete;
  interrupt_cleanup& operator=(const interrupt_cleanup&) = delete;

  void remove_on_interrupt(const std::filesystem::path& dir);

 private:
  void watch();

  sigset_t signals_{}, previous_{};
  std::mutex mutex_;
  std::vector<std::filesystem::path> dirs_;
  bool done_ = false;
  std::thread watcher_;
};

}  // namespace pop3::harness::cli
