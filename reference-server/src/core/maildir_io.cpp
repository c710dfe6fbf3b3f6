// POSIX file helpers for the Maildir store.
#include "maildir_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace pop3::refd::detail {

namespace {

// Closes a descriptor on scope exit.
class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  // close(2) can report a deferred write error; callers that wrote data check it.
  [[nodiscard]] int release_and_close() noexcept {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

store_errc classify_errno(int error) noexcept {
  switch (error) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOTDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case EISDIR:
      return store_errc::permanent;
    default:
      return store_errc::temporary;
  }
}

std::optional<file_stat> stat_file(const std::filesystem::path& path, int& errno_out) noexcept {
  struct ::stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    errno_out = errno;
    return std::nullopt;
  }
  file_stat out;
  out.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.regular = S_ISREG(st.st_mode);
  return out;
}

std::optional<std::string> read_whole_file(const std::filesystem::path& path, int& errno_out) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    errno_out = errno;
    return std::nullopt;
  }
  // Straight into the string, sized from fstat (plus room to notice a file that grew meanwhile).
  struct stat info {};
  const std::size_t expected = ::fstat(fd.get(), &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
  std::string content(expected + 1, '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == content.size()) content.resize(content.size() * 2);
    const auto n = ::read(fd.get(), content.data() + used, content.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      errno_out = errno;
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  content.resize(used);
  return content;
}

store_errc sync_directory(const std::filesystem::path& dir) {
  fd_guard fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return classify_errno(errno);
  if (::fsync(fd.get()) != 0) return classify_errno(errno);
  return store_errc::ok;
}

store_errc write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto tmp = path;
  tmp += ".tmp";
  fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return classify_errno(errno);
  if (!write_all(fd.get(), content) || ::fsync(fd.get()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return classify_errno(error);
  }
  if (fd.release_and_close() != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return classify_errno(error);
  }
  return sync_directory(path.parent_path());
}

store_errc ensure_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return classify_errno(ec.value());
  if (!std::filesystem::is_directory(dir, ec)) return store_errc::permanent;
  return store_errc::ok;
}

std::string_view base_name(std::string_view file_name) noexcept { return file_name.substr(0, file_name.find(':')); }

std::optional<std::filesystem::path> locate_message(const std::filesystem::path& maildir, std::string_view key) {
  for (const char* sub : {"cur", "new"}) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(maildir / sub, ec), end; !ec && it != end; it.increment(ec)) {
      if (base_name(it->path().filename().string()) == key) return it->path();
    }
  }
  return std::nullopt;
}

}  // namespace pop3::refd::detail
