// Maildir storage: scanning new/ and cur/, unique ids, CRLF sizes, durable removal, flock() locking.
#include "pop3/refd/maildir_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "maildir_changes.hpp"
#include "maildir_io.hpp"
#include "maildir_uidlist.hpp"
#include "pop3/protocol/multiline.hpp"

namespace pop3::refd {

namespace {

constexpr const char* lock_file_name = "pop3refd.lock";
constexpr const char* uidlist_file_name = "pop3refd-uidlist";

// The lock is the open file description: flock() locks taken through separate open() calls
// conflict even inside one process, so two sessions of one server exclude each other too.
class flock_lock final : public maildrop_lock {
 public:
  explicit flock_lock(int fd) noexcept : fd_(fd) {}
  ~flock_lock() override { ::close(fd_); }  // closing the last descriptor releases the lock
  flock_lock(const flock_lock&) = delete;
  flock_lock& operator=(const flock_lock&) = delete;

 private:
  int fd_;
};

// Delivery order: Maildir names start with the delivery time in seconds ("1700000000.M1P2.host").
std::uint64_t leading_timestamp(std::string_view name) {
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; digits < name.size() && digits < 19 && name[digits] >= '0' && name[digits] <= '9'; ++digits) {
    value = value * 10 + static_cast<std::uint64_t>(name[digits] - '0');
  }
  return digits == 0 ? UINT64_MAX : value;  // names without a time sort after the others
}

struct found_file {
  std::string key;
  std::filesystem::path path;
  detail::file_stat stat;
};

// Lists the messages of new/ and cur/. new/ is listed first: a file that an MDA or another server
// moves from new/ to cur/ during the scan is then seen at least once (and a duplicate resolves to cur/).
std::vector<found_file> list_messages(const std::filesystem::path& maildir, store_errc& err) {
  std::map<std::string, found_file> by_key;
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(maildir / sub, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const std::string key(detail::base_name(name));
      // Dot files are not messages; a line break in a name could not be stored in the uidlist.
      if (key.empty() || name.front() == '.' || name.find('\n') != std::string::npos) continue;
      int error = 0;
      const auto st = detail::stat_file(it->path(), error);
      if (!st || !st->regular) continue;  // vanished since listed, or not a file
      by_key[key] = found_file{key, it->path(), *st};
    }
    if (ec) {
      err = detail::classify_errno(ec.value());
      return {};
    }
  }
  std::vector<found_file> files;
  files.reserve(by_key.size());
  for (auto& [key, f] : by_key) files.push_back(std::move(f));
  std::ranges::sort(files, [](const found_file& a, const found_file& b) {
    const auto ta = leading_timestamp(a.key), tb = leading_timestamp(b.key);
    return ta != tb ? ta < tb : a.key < b.key;
  });
  return files;
}

// Reads a message, following it if it moved since it was listed; error is the errno on failure
// (ENOENT: the message is gone).
std::optional<std::string> read_message(const std::filesystem::path& path, std::string_view key, int& error) {
  auto raw = detail::read_whole_file(path, error);
  if (!raw && error == ENOENT) {
    const auto moved = detail::locate_message(path.parent_path().parent_path(), key);
    if (moved) raw = detail::read_whole_file(*moved, error);
  }
  return raw;
}

// Unlinks a message wherever it is now. A message that is already gone counts as removed:
// someone else deleted it, which is what was asked.
store_errc unlink_message(const std::filesystem::path& maildir, const message_entry& entry) {
  if (::unlink(entry.path.c_str()) == 0) return store_errc::ok;
  if (errno != ENOENT) return detail::classify_errno(errno);
  const auto moved = detail::locate_message(maildir, entry.file_key);
  if (!moved || ::unlink(moved->c_str()) == 0) return store_errc::ok;
  return detail::classify_errno(errno);
}

store_errc load_uidlist(const std::filesystem::path& file, detail::uidlist& list) {
  int error = 0;
  const auto text = detail::read_whole_file(file, error);
  if (!text) {
    if (error != ENOENT) return detail::classify_errno(error);
    list = detail::uidlist::create();
    return store_errc::ok;
  }
  auto parsed = detail::uidlist::parse(*text);
  if (!parsed) return store_errc::permanent;  // a corrupt maildrop needs an administrator
  list = std::move(*parsed);
  return store_errc::ok;
}

// Drops the uidlist records of removed messages, so that a file reappearing under the same name
// is a new message with a new id (ids are never reused: RFC 1939 §7, UID-PARAM). Best effort:
// the next scan drops records of missing files anyway.
void forget_removed(const std::filesystem::path& dir, const std::vector<message_entry>& removed) {
  detail::uidlist list;
  if (load_uidlist(dir / uidlist_file_name, list) != store_errc::ok) return;
  std::size_t erased = 0;
  for (const auto& entry : removed) erased += list.records.erase(entry.file_key);
  if (erased > 0) (void)detail::write_file_atomically(dir / uidlist_file_name, list.serialize());
}

}  // namespace

maildir_store::maildir_store(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path maildir_store::maildir(const std::string& user) const { return root_ / user; }

bool maildir_store::valid_user_name(std::string_view name) noexcept {
  // 255 octets: RFC 4616 §2 lets an authcid be that long, and it is the usual file-name limit.
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  return std::ranges::all_of(name, [](char c) { return c > 0x20 && c < 0x7F && c != '/'; });
}

std::unique_ptr<maildrop_lock> maildir_store::try_lock(const std::string& user, store_errc& err) {
  err = store_errc::ok;
  if (!valid_user_name(user)) {
    err = store_errc::permanent;
    return nullptr;
  }
  const auto dir = maildir(user);
  for (const char* sub : {"new", "cur", "tmp"}) {
    if (err = detail::ensure_directory(dir / sub); err != store_errc::ok) return nullptr;
  }
  const int fd = ::open((dir / lock_file_name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = detail::classify_errno(errno);
    return nullptr;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    err = error == EWOULDBLOCK ? store_errc::in_use : detail::classify_errno(error);
    return nullptr;
  }
  return std::make_unique<flock_lock>(fd);
}

std::vector<message_entry> maildir_store::scan(const std::string& user, store_errc& err) {
  err = store_errc::ok;
  if (!valid_user_name(user)) {
    err = store_errc::permanent;
    return {};
  }
  const auto dir = maildir(user);
  for (const char* sub : {"new", "cur", "tmp"}) {
    if (err = detail::ensure_directory(dir / sub); err != store_errc::ok) return {};
  }
  // A removal that a crash interrupted is settled before anyone sees the maildrop.
  if (err = detail::recover_interrupted_removal(dir); err != store_errc::ok) return {};
  detail::uidlist list;
  if (err = load_uidlist(dir / uidlist_file_name, list); err != store_errc::ok) return {};
  const auto files = list_messages(dir, err);
  if (err != store_errc::ok) return {};

  std::map<std::string, detail::uidlist_record> records;
  std::vector<message_entry> entries;
  bool changed = false;
  for (const auto& f : files) {
    const auto known = list.records.find(f.key);
    detail::uidlist_record record;
    if (known != list.records.end()) record = known->second;
    if (known == list.records.end() || record.mtime_ns != f.stat.mtime_ns || record.file_size != f.stat.size) {
      int error = 0;
      const auto raw = read_message(f.path, f.key, error);
      if (!raw && error == ENOENT) continue;  // deleted by someone else since it was listed
      if (!raw) {
        err = detail::classify_errno(error);
        return {};
      }
      record.mtime_ns = f.stat.mtime_ns;
      record.file_size = f.stat.size;
      record.size = protocol::normalized_size(*raw);
      changed = true;
    }
    if (known == list.records.end()) record.number = list.next_number++;
    entries.push_back(message_entry{f.key, f.path, list.uid_of(record), record.size,
                                    detail::has_seen_flag(f.path.filename().string())});
    records.emplace(f.key, record);
  }
  // Records of messages removed by anyone are dropped; next_number keeps their ids from coming back.
  changed = changed || records.size() != list.records.size();
  if (changed) {
    list.records = std::move(records);
    if (err = detail::write_file_atomically(dir / uidlist_file_name, list.serialize()); err != store_errc::ok) return {};
  }
  return entries;
}

std::optional<std::string> maildir_store::read(const message_entry& entry, store_errc& err) {
  err = store_errc::ok;
  int error = 0;
  const auto raw = read_message(entry.path, entry.file_key, error);
  if (!raw) {
    // A message that is nowhere any more will not come back: a retry cannot help.
    err = error == ENOENT ? store_errc::permanent : detail::classify_errno(error);
    return std::nullopt;
  }
  // A message stored with CRLF already is its own normal form: no second copy.
  auto content = protocol::normalized_size(*raw) == raw->size() ? std::move(*raw) : protocol::normalize_crlf(*raw);
  // Maildir messages are immutable; a changed one would make LIST lie about its size.
  if (content.size() != entry.size) {
    err = store_errc::permanent;
    return std::nullopt;
  }
  return content;
}

std::size_t maildir_store::remove(const std::string& user, const std::vector<message_entry>& entries, store_errc& err) {
  err = store_errc::ok;
  std::vector<message_entry> removed;
  for (const auto& entry : entries) {
    if (const auto outcome = unlink_message(maildir(user), entry); outcome == store_errc::ok) {
      removed.push_back(entry);
    } else {
      err = outcome;
    }
  }
  // The removal is only durable once the directory entries are on disk.
  for (const char* sub : {"new", "cur"}) {
    if (const auto sync = detail::sync_directory(maildir(user) / sub); sync != store_errc::ok && err == store_errc::ok) err = sync;
  }
  // Only then are the ids forgotten: a crash before must not give a surviving file a new id.
  forget_removed(maildir(user), removed);
  return removed.size();
}

bool maildir_store::remove_all_or_nothing(const std::string& user, const std::vector<message_entry>& entries,
                                          store_errc& err) {
  err = valid_user_name(user) ? detail::remove_all_or_nothing(maildir(user), entries) : store_errc::permanent;
  if (err != store_errc::ok) return false;
  forget_removed(maildir(user), entries);
  return true;
}

void maildir_store::mark_seen(const std::string& user, const std::vector<message_entry>& entries, store_errc& err) {
  err = valid_user_name(user) ? detail::mark_seen(maildir(user), entries) : store_errc::permanent;
}

void maildir_store::record_login(const std::string& user, std::chrono::steady_clock::time_point when) {
  const std::lock_guard lock(logins_mutex_);
  last_logins_[user] = when;
}

std::optional<std::chrono::steady_clock::time_point> maildir_store::last_login(const std::string& user) const {
  const std::lock_guard lock(logins_mutex_);
  const auto it = last_logins_.find(user);
  if (it == last_logins_.end()) return std::nullopt;
  return it->second;
}

}  // namespace pop3::refd
