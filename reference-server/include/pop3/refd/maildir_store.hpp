#pragma once
// Maildir storage shared with real MDAs: <root>/<user>/{new,cur,tmp}. Unique ids are assigned
// once per message file, persisted in <maildir>/pop3refd-uidlist and never reused; sizes are the
// CRLF-normalised octet counts RETR sends. The exclusive maildrop lock is an flock() on
// <maildir>/pop3refd.lock, so it holds across connections and across pop3refd processes.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::refd {

struct message_entry {
  std::string file_key;        ///< Maildir base name (before ":2,"), stable across new/ -> cur/
  std::filesystem::path path;  ///< current location
  std::string uid;             ///< RFC 1939 unique-id
  std::uint64_t size = 0;      ///< octets with CRLF line ends (what LIST reports)
  bool seen = false;           ///< the Maildir "S" flag was set when the snapshot was taken (LAST)
};

/// Held while a session owns the maildrop; releases on destruction.
class maildrop_lock {
 public:
  virtual ~maildrop_lock() = default;
};

enum class store_errc { ok, in_use, temporary, permanent };

/// Flow (one session): try_lock() at login -> scan() under the lock (the session's snapshot)
/// -> read() per RETR/TOP -> remove() at UPDATE (remove_all_or_nothing() for DELI, SLEE and
/// CORE; mark_seen() where LAST is on) -> the lock object is destroyed. One store is shared by
/// every session of a server; it also remembers login times for LOGIN-DELAY.
class maildir_store {
 public:
  explicit maildir_store(std::filesystem::path root);
  virtual ~maildir_store() = default;

  /// Takes the exclusive lock on the user's maildrop (creating the Maildir if needed).
  virtual std::unique_ptr<maildrop_lock> try_lock(const std::string& user, store_errc& err);
  /// Snapshot of the maildrop in a stable order (delivery order), uids assigned. Call it while
  /// holding the lock: it rewrites the uidlist.
  virtual std::vector<message_entry> scan(const std::string& user, store_errc& err);
  /// The message's content, CRLF-normalised (size == entry.size).
  virtual std::optional<std::string> read(const message_entry& entry, store_errc& err);
  /// Removes the given messages durably (fsync of the directory). Returns how many were removed;
  /// err is set if any could not be removed.
  virtual std::size_t remove(const std::string& user, const std::vector<message_entry>& entries, store_errc& err);
  /// Removes the given messages as one unit, durably: true means every one is gone and the
  /// directories are synced; false (err set) means none is. Call it under the lock. Meanwhile
  /// the files wait in <maildir>/pop3refd-trash; after a crash the next scan() or removal puts
  /// them back if the commit point (a marker file) was not reached, and finishes otherwise.
  virtual bool remove_all_or_nothing(const std::string& user, const std::vector<message_entry>& entries, store_errc& err);
  /// Sets the Maildir "S" (seen) flag of the given messages, moving them from new/ to cur/.
  /// Best effort (the flag is advisory): err reports the last failure.
  virtual void mark_seen(const std::string& user, const std::vector<message_entry>& entries, store_errc& err);

  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
  [[nodiscard]] std::filesystem::path maildir(const std::string& user) const;

  /// True if name can be a Maildir folder under root(): 1..255 octets of 0x21-0x7E, no '/',
  /// not starting with '.'.
  [[nodiscard]] static bool valid_user_name(std::string_view name) noexcept;

  /// LOGIN-DELAY bookkeeping (RFC 2449 §6.5), shared by every session on this store. In memory:
  /// one pop3refd process is one store, and the steady clock means nothing across processes.
  void record_login(const std::string& user, std::chrono::steady_clock::time_point when);
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> last_login(const std::string& user) const;

 private:
  std::filesystem::path root_;
  mutable std::mutex logins_mutex_;  // sessions of several servers (test threads) may share a store
  std::map<std::string, std::chrono::steady_clock::time_point> last_logins_;
};

}  // namespace pop3::refd
