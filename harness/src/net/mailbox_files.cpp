// Ownership and dot-locking of the files the maildir: and mbox: fixture adapters create.
#include "mailbox_files.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters.hpp"

namespace pop3::harness::detail {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

std::string owner_text(const mailbox_ownership& owner) {
  return std::to_string(owner.uid) + ":" + std::to_string(owner.gid);
}

// A new file is as readable as its directory, minus the execute (search) bits, so the server
// reads it under the same permissions it reads the directory with.
mailbox_ownership from_directory_stat(const struct stat& st) {
  mailbox_ownership out;
  out.uid = st.st_uid;
  out.gid = st.st_gid;
  out.directory_mode = st.st_mode & (S_ISGID | 0777);
  out.file_mode = st.st_mode & 0666;
  return out;
}

fs::path parent_of(const fs::path& p) { return p.has_parent_path() ? p.parent_path() : fs::path("."); }

// The nearest existing directory at or above `dir`.
fs::path existing_ancestor(fs::path dir) {
  struct stat st {};
  while (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) throw fixture_error("cannot inspect " + dir.string() + ": " + errno_text());
    if (!dir.has_relative_path()) throw fixture_error("no existing directory above " + dir.string());
    dir = parent_of(dir);
  }
  if (!S_ISDIR(st.st_mode)) throw fixture_error(dir.string() + " is not a directory");
  return dir;
}

}  // namespace

mailbox_ownership ownership_from_directory(const fs::path& dir) {
  const fs::path found = existing_ancestor(dir.empty() ? fs::path(".") : dir);
  struct stat st {};
  if (::stat(found.c_str(), &st) != 0) throw fixture_error("cannot inspect " + found.string() + ": " + errno_text());
  return from_directory_stat(st);
}

mailbox_ownership ownership_from_file(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) throw fixture_error(file.string() + " is not a regular file");
    // Its siblings (the temporary copy, the dot-lock) get exactly what the mbox has.
    mailbox_ownership out = ownership_from_directory(parent_of(file));
    out.uid = st.st_uid;
    out.gid = st.st_gid;
    out.file_mode = st.st_mode & 0777;
    return out;
  }
  if (errno != ENOENT) throw fixture_error("cannot inspect " + file.string() + ": " + errno_text());
  return ownership_from_directory(parent_of(file));
}

void create_owned_directories(const fs::path& dir, const mailbox_ownership& owner) {
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) throw fixture_error(p.string() + " is not a directory");
      break;
    }
    if (errno != ENOENT) throw fixture_error("cannot inspect " + p.string() + ": " + errno_text());
    missing.push_back(p);
    if (!p.has_relative_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    // 0700 until it has its owner: nobody else may use it in between.
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
      throw fixture_error("cannot create " + it->string() + ": " + errno_text());
    const int fd = ::open(it->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw fixture_error("cannot open " + it->string() + ": " + errno_text());
    try {
      mailbox_ownership as_directory = owner;
      as_directory.file_mode = owner.directory_mode;
      give_ownership(fd, *it, as_directory);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
}

void give_ownership(int fd, const fs::path& what, const mailbox_ownership& owner) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw fixture_error("cannot inspect " + what.string() + ": " + errno_text());
  if ((st.st_uid != owner.uid || st.st_gid != owner.gid) && ::fchown(fd, owner.uid, owner.gid) != 0) {
    throw fixture_error("cannot give " + what.string() + " the mailbox's owner " + owner_text(owner) + " (" +
                        errno_text() + "): the server could not read it; run pop3spec as root or as that user");
  }
  if ((st.st_mode & 07777) != owner.file_mode && ::fchmod(fd, owner.file_mode) != 0)
    throw fixture_error("cannot set the mode of " + what.string() + ": " + errno_text());
}

owned_new_file::owned_new_file(const fs::path& path, const mailbox_ownership& owner)
    : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) {
  if (fd_ < 0) throw fixture_error("cannot create " + path.string() + ": " + errno_text());
  try {
    give_ownership(fd_, path, owner);
  } catch (...) {
    ::close(fd_);
    ::unlink(path.c_str());
    throw;
  }
}

owned_new_file::~owned_new_file() { ::close(fd_); }

fs::path mbox_dot_lock::path_for(const fs::path& mbox) { return mbox.string() + ".lock"; }

mbox_dot_lock::mbox_dot_lock(const fs::path& mbox, std::chrono::milliseconds wait, const mailbox_ownership& owner)
    : lock_(path_for(mbox)) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + wait;
  for (;;) {
    // O_EXCL creation is atomic on local file systems: exactly one contender gets the lock.
    const int fd = ::open(lock_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      try {
        mailbox_ownership as_lock = owner;
        as_lock.file_mode = 0644;  // lock holders write their PID for others to read
        give_ownership(fd, lock_, as_lock);
        write_fully(fd, std::to_string(::getpid()) + "\n", lock_);
      } catch (...) {
        ::close(fd);
        ::unlink(lock_.c_str());
        throw;
      }
      ::close(fd);
      return;
    }
    if (errno != EEXIST) throw fixture_error("cannot create the dot-lock " + lock_.string() + ": " + errno_text());
    if (clock::now() >= deadline) {
      throw fixture_error("the mbox is locked: " + lock_.string() + " still exists after " +
                          std::to_string(wait.count()) + " ms (the server holds it, or it is stale)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

mbox_dot_lock::~mbox_dot_lock() { ::unlink(lock_.c_str()); }

}  // namespace pop3::harness::detail
