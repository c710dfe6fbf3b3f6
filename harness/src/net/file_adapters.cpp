// The file-based fixture adapters: maildir:PATH and mbox:PATH. What they create belongs to the
// mailbox's owner (mailbox_files.hpp), and mbox rewrites take the mailbox's dot-lock.
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "adapters.hpp"
#include "mailbox_files.hpp"

namespace pop3::harness::detail {
namespace {

namespace fs = std::filesystem;

class file_descriptor {
 public:
  file_descriptor(const fs::path& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC, 0600)) {
    if (fd_ < 0) throw fixture_error("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  ~file_descriptor() { ::close(fd_); }
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  std::string out;
  // Maildir reserves '/' and ':' in file names.
  for (const char c : std::string(name.data())) out += (c == '/' || c == ':') ? '_' : c;
  return out;
}

// "<sec>.M<usec>P<pid>Q<n>.<host>": unique, and strictly increasing in time and in name order
// within the process, so a server that orders by name or by timestamp sees delivery order.
std::string unique_maildir_name() {
  static std::mutex mutex;
  static std::int64_t last_micros = 0;
  static std::uint64_t sequence = 0;
  static const std::string host = host_name();
  const std::scoped_lock lock(mutex);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  if (micros <= last_micros) micros = last_micros + 1;
  last_micros = micros;
  std::array<char, 96> head{};
  std::snprintf(head.data(), head.size(), "%lld.M%06lldP%ldQ%llu.", static_cast<long long>(micros / 1000000),
                static_cast<long long>(micros % 1000000), static_cast<long>(::getpid()),
                static_cast<unsigned long long>(++sequence));
  return std::string(head.data()) + host;
}

class maildir_adapter final : public fixture_adapter {
 public:
  explicit maildir_adapter(std::string path_template) : template_(std::move(path_template)) {}

  [[nodiscard]] bool can_clear() const noexcept override { return true; }

  void replace(const mailbox_owner& owner, std::span<const std::string> messages) override {
    const fs::path root = expand_user(template_, owner.user);
    const auto ownership = prepare(root);
    remove_messages(root);
    for (const auto& message : messages) write_message(root, ownership, message);
  }

  void deliver(const mailbox_owner& owner, const std::string& message) override {
    const fs::path root = expand_user(template_, owner.user);
    write_message(root, prepare(root), message);
  }

  [[nodiscard]] std::string describe() const override { return "maildir:" + template_; }

 private:
  // The Maildir's ownership (of its nearest existing ancestor, if it is new), and its three
  // subdirectories, created with that ownership if missing.
  static mailbox_ownership prepare(const fs::path& root) {
    const auto ownership = ownership_from_directory(root);
    for (const char* sub : {"new", "cur", "tmp"}) create_owned_directories(root / sub, ownership);
    return ownership;
  }

  // Empties new/ and cur/. A server process still finishing an earlier session may rename a
  // message between the listing and the unlink (Courier marks a retrieved message seen, X:2, ->
  // X:2,S, after it has sent it; a login moves new/X to cur/X:2,), and the renamed file would
  // survive into the next scenario's mailbox. So sweep again until a listing finds nothing.
  static void remove_messages(const fs::path& root) {
    constexpr int max_sweeps = 100;
    for (int sweep = 0; sweep < max_sweeps; ++sweep) {
      bool found = false;
      for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(root / sub, ec)) {
          std::error_code removed;
          const bool regular = entry.is_regular_file(removed);
          if (!removed && regular) {
            found = true;
            fs::remove(entry.path(), removed);
          }
          // Gone already (renamed or removed by someone else): the next sweep looks again.
          if (removed == std::errc::no_such_file_or_directory) {
            found = true;
            continue;
          }
          if (removed) throw fixture_error("cannot remove " + entry.path().string() + ": " + removed.message());
        }
        if (ec) throw fixture_error("cannot list " + (root / sub).string() + ": " + ec.message());
      }
      if (!found) return;
    }
    throw fixture_error("cannot empty " + root.string() + ": its messages were still being renamed after " +
                        std::to_string(max_sweeps) + " sweeps (is a server process still working on it?)");
  }

  static void write_message(const fs::path& root, const mailbox_ownership& ownership, const std::string& message) {
    // Maildir delivery protocol: write under tmp/, then rename into new/ (atomic for readers).
    const auto name = unique_maildir_name();
    const auto temporary = root / "tmp" / name;
    {
      const owned_new_file file(temporary, ownership);
      write_fully(file.get(), to_lf(message), temporary);
    }
    std::error_code ec;
    fs::rename(temporary, root / "new" / name, ec);
    if (ec) throw fixture_error("cannot move " + temporary.string() + " into new/: " + ec.message());
  }

  std::string template_;
};

bool is_from_line(std::string_view line) {
  const auto first = line.find_first_not_of('>');
  return first != std::string_view::npos && line.substr(first).starts_with("From ");
}

// The empty line local delivery appends after each message (Postfix local(8): "appends an empty
// line"; exim appendfile's message_suffix "\n"; mail.local: "a trailing blank line"). Readers strip
// it again; Solid POP3 serves it as part of the message, so its lab writes mbox-no-blank.
enum class mbox_dialect { blank_line_after, no_blank_line };

bool has_header_separator(std::string_view lf_message) {
  return lf_message.starts_with("\n") || lf_message.find("\n\n") != std::string_view::npos;
}

// mboxrd: one "From " separator line per message; body lines matching ^>*From get one more '>'.
std::string mbox_entry(std::string_view message, mbox_dialect dialect) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 64> date{};
  std::strftime(date.data(), date.size(), "%a %b %e %H:%M:%S %Y", &utc);
  std::string out = "From pop3spec@localhost " + std::string(date.data()) + "\n";
  const std::string body = to_lf(message);
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    const std::string_view line(body.data() + start, end - start);
    if (is_from_line(line)) out += '>';
    out.append(line).append("\n");
    start = end + 1;
  }
  if (dialect == mbox_dialect::blank_line_after) out += "\n";
  return out;
}

class mbox_adapter final : public fixture_adapter {
 public:
  mbox_adapter(std::string path_template, std::chrono::milliseconds lock_wait, mbox_dialect dialect)
      : template_(std::move(path_template)), lock_wait_(lock_wait), dialect_(dialect) {}

  [[nodiscard]] bool can_clear() const noexcept override { return true; }

  // With the empty line after each message, a message that has no empty line of its own (no
  // header/body separator) would be read with that line as its separator: two octets more.
  [[nodiscard]] std::string unrepresentable(std::string_view message) const override {
    if (dialect_ == mbox_dialect::blank_line_after && !has_header_separator(to_lf(message)))
      return "mbox cannot represent a message without a header/body separator";
    return "";
  }

  void replace(const mailbox_owner& owner, std::span<const std::string> messages) override {
    const fs::path path = expand_user(template_, owner.user);
    std::string content;
    for (const auto& message : messages) content += entry(message);
    const auto ownership = ownership_from_file(path);
    const mbox_dot_lock lock(path, lock_wait_, ownership);
    // Write beside it and rename over it, so a reader never sees half a mailbox. A copy left by
    // an interrupted run is ours to remove.
    const fs::path temporary = path.string() + ".pop3spec-tmp";
    ::unlink(temporary.c_str());
    {
      const owned_new_file file(temporary, ownership);
      write_fully(file.get(), content, temporary);
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) throw fixture_error("cannot replace " + path.string() + ": " + ec.message());
  }

  void deliver(const mailbox_owner& owner, const std::string& message) override {
    const std::string text = entry(message);
    const fs::path path = expand_user(template_, owner.user);
    const auto ownership = ownership_from_file(path);
    const mbox_dot_lock lock(path, lock_wait_, ownership);
    const file_descriptor file(path, O_WRONLY | O_APPEND | O_CREAT);
    give_ownership(file.get(), path, ownership);
    // Servers that lock with flock() instead of (or as well as) the dot-lock; bounded like it.
    lock_bounded(file.get(), path);
    write_fully(file.get(), text, path);
  }

  [[nodiscard]] std::string describe() const override {
    return (dialect_ == mbox_dialect::no_blank_line ? "mbox-no-blank:" : "mbox:") + template_;
  }

  // A server session holds the dot-lock (Mailutils: from login until its process ends, also after
  // a dropped connection, while it writes the mailbox back), or flock() on the mbox.
  bool settle(const mailbox_owner& owner) override {
    const fs::path path = expand_user(template_, owner.user);
    const fs::path lock = mbox_dot_lock::path_for(path);
    const auto deadline = std::chrono::steady_clock::now() + lock_wait_;
    std::error_code ec;
    while (fs::exists(lock, ec)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;  // no mailbox yet: nobody holds it
    bool free = false;
    for (;;) {
      if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        ::flock(fd, LOCK_UN);
        free = true;
        break;
      }
      if ((errno != EWOULDBLOCK && errno != EINTR) || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::close(fd);
    return free;
  }

 private:
  [[nodiscard]] std::string entry(std::string_view message) const {
    if (auto why = unrepresentable(message); !why.empty()) throw fixture_unrepresentable(why);
    return mbox_entry(message, dialect_);
  }

  void lock_bounded(int fd, const fs::path& path) const {
    const auto deadline = std::chrono::steady_clock::now() + lock_wait_;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR)
        throw fixture_error("cannot lock " + path.string() + ": " + std::strerror(errno));
      if (std::chrono::steady_clock::now() >= deadline)
        throw fixture_error("the mbox is locked: another process holds flock() on " + path.string());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string template_;
  std::chrono::milliseconds lock_wait_;
  mbox_dialect dialect_;
};

}  // namespace

std::shared_ptr<fixture_adapter> make_maildir_adapter(std::string path_template) {
  return std::make_shared<maildir_adapter>(std::move(path_template));
}

std::shared_ptr<fixture_adapter> make_mbox_adapter(std::string path_template, std::chrono::milliseconds lock_wait,
                                                   bool blank_line_after) {
  return std::make_shared<mbox_adapter>(std::move(path_template), lock_wait,
                                        blank_line_after ? mbox_dialect::blank_line_after : mbox_dialect::no_blank_line);
}

}  // namespace pop3::harness::detail
