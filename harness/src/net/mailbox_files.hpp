#pragma once
// What the maildir: and mbox: adapters need so that the server under test can read their files.
// pop3spec usually runs as root while the server reads the mailbox as the mail user (Dovecot's
// mail process as uid 20000 in the lab): a root-owned 0600 file is then unreadable, and the
// server answers -ERR [SYS/TEMP]. So every file and directory a fixture creates takes the owner,
// group and a matching mode of the mailbox it belongs to, and a chown that fails is a
// fixture_error (an error of the run), never a file left for the server to fail on.
#include <chrono>
#include <filesystem>

#include <sys/types.h>

namespace pop3::harness::detail {

/// Owner, group and modes that new files and directories of one mailbox get.
struct mailbox_ownership {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t directory_mode = 0700;  ///< permission bits (and setgid) for directories we create
  mode_t file_mode = 0600;       ///< permission bits for files we create
};

/// The ownership of `dir` or, if it does not exist yet, of its nearest existing ancestor. Files
/// get the directory's read/write bits: a 0755 Maildir holds 0644 messages, a 0700 one 0600.
/// Throws fixture_error.
[[nodiscard]] mailbox_ownership ownership_from_directory(const std::filesystem::path& dir);

/// The ownership of an existing mbox file (its owner, group and mode, exactly), else as
/// ownership_from_directory() of its parent. Throws fixture_error.
[[nodiscard]] mailbox_ownership ownership_from_file(const std::filesystem::path& file);

/// Creates `dir` and its missing parents, each with `owner`'s uid, gid and directory mode.
/// Directories that already exist are left as they are. Throws fixture_error.
void create_owned_directories(const std::filesystem::path& dir, const mailbox_ownership& owner);

/// Gives an open file `owner`'s uid, gid and file mode (chown only when they differ, so an
/// unprivileged run on its own files works). Throws fixture_error naming `what`.
void give_ownership(int fd, const std::filesystem::path& what, const mailbox_ownership& owner);

/// An open file created with O_EXCL (it must not exist) and given `owner`'s ownership before
/// anything is written to it; closed by the destructor. Throws fixture_error.
class owned_new_file {
 public:
  owned_new_file(const std::filesystem::path& path, const mailbox_ownership& owner);
  ~owned_new_file();
  owned_new_file(const owned_new_file&) = delete;
  owned_new_file& operator=(const owned_new_file&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

/// The mbox dot-lock "PATH.lock" that liblockfile, Mailutils, popa3d and Solid POP3 take while
/// they read or rewrite PATH. The constructor waits (polling, at most `wait`) until no one else
/// holds it, then creates it; the destructor removes it. A lock held longer than `wait` is a
/// fixture_error: pop3spec never breaks another process's lock, since the holder may be the
/// server in the middle of an update.
class mbox_dot_lock {
 public:
  mbox_dot_lock(const std::filesystem::path& mbox, std::chrono::milliseconds wait, const mailbox_ownership& owner);
  ~mbox_dot_lock();
  mbox_dot_lock(const mbox_dot_lock&) = delete;
  mbox_dot_lock& operator=(const mbox_dot_lock&) = delete;

  [[nodiscard]] static std::filesystem::path path_for(const std::filesystem::path& mbox);

 private:
  std::filesystem::path lock_;
};

}  // namespace pop3::harness::detail
