#pragma once
// A private temporary directory per test process, removed at the end of the test.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace pop3::reports::testing {

class scratch_dir {
 public:
  explicit scratch_dir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("pop3spec-reports-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ignored;  // cleanup must not throw from a destructor
    std::filesystem::remove_all(path_, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  [[nodiscard]] std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace pop3::reports::testing
