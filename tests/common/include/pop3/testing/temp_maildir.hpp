#pragma once
// A throw-away directory holding a Maildir root (<base>/maildirs/<user>/{new,cur,tmp}) and
// any side files a test needs (users file, config file). Messages are delivered the way an
// MDA does it (write to tmp/, rename into new/), in a deterministic delivery order.
//
// Flow: the constructor makes the directory; deliver()/create_user()/write_file() fill it;
// every deliver() gets the next sequence number (file name and mtime both increase, so
// any order a store uses, by name or by time, is the delivery order); the destructor
// removes everything.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::testing {

class temp_maildir {
 public:
  /// Creates a fresh, empty directory under the system temp directory.
  temp_maildir() {
    auto pattern = (std::filesystem::temp_directory_path() / "pop3spec-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    base_ = pattern;
    std::filesystem::create_directory(root());
  }
  ~temp_maildir() {
    std::error_code ignored;
    std::filesystem::remove_all(base_, ignored);
  }
  temp_maildir(const temp_maildir&) = delete;
  temp_maildir& operator=(const temp_maildir&) = delete;

  /// The temp directory itself (side files go here).
  [[nodiscard]] const std::filesystem::path& base() const noexcept { return base_; }
  /// The Maildir root to configure as server_config::maildir_root.
  [[nodiscard]] std::filesystem::path root() const { return base_ / "maildirs"; }
  [[nodiscard]] std::filesystem::path maildir(std::string_view user) const {
    return root() / std::string(user);
  }

  /// Creates <root>/<user>/{new,cur,tmp}; harmless if they exist.
  std::filesystem::path create_user(std::string_view user) const {
    const auto dir = maildir(user);
    for (const char* sub : {"new", "cur", "tmp"}) std::filesystem::create_directories(dir / sub);
    return dir;
  }

  /// Delivers one message into new/ (content is stored byte for byte, line ends untouched).
  /// Each delivery gets a later file name and modification time than the previous one.
  std::filesystem::path deliver(std::string_view user, std::string_view content) {
    const auto dir = create_user(user);
    const auto seq = ++sequence_;
    std::ostringstream name;
    name << (first_delivery_seconds + seq) << ".M" << std::setw(6) << std::setfill('0') << seq << 'P'
         << ::getpid() << ".pop3spec-test";
    const auto tmp = dir / "tmp" / name.str();
    write_bytes(tmp, content);
    const auto when =
        std::filesystem::file_time_type::clock::now() - std::chrono::hours(1) + std::chrono::seconds(seq);
    std::filesystem::last_write_time(tmp, when);
    const auto target = dir / "new" / name.str();
    std::filesystem::rename(tmp, target);
    return target;
  }

  /// Message files currently in new/ and cur/, in delivery (file name) order.
  [[nodiscard]] std::vector<std::filesystem::path> messages(std::string_view user) const {
    std::vector<std::filesystem::path> files;
    for (const char* sub : {"new", "cur"}) {
      const auto dir = maildir(user) / sub;
      if (!std::filesystem::is_directory(dir)) continue;
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
    return files;
  }
  [[nodiscard]] std::size_t message_count(std::string_view user) const { return messages(user).size(); }

  /// Writes a side file (users file, config file) under base(); returns its path.
  std::filesystem::path write_file(std::string_view name, std::string_view content) const {
    const auto path = base_ / std::string(name);
    write_bytes(path, content);
    return path;
  }

  static std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  // Base of the "<seconds>.M<seq>P<pid>" names: unique names that sort in delivery order.
  static constexpr long long first_delivery_seconds = 1700000000;

  static void write_bytes(const std::filesystem::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
  }

  std::filesystem::path base_;
  int sequence_ = 0;
};

}  // namespace pop3::testing
