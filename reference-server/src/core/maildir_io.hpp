#pragma once
// Internal: small POSIX file helpers for the Maildir store, each reporting a store_errc.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pop3/refd/maildir_store.hpp"

namespace pop3::refd::detail {

/// Maps an errno value to temporary (retry may help) or permanent (needs intervention).
[[nodiscard]] store_errc classify_errno(int error) noexcept;

struct file_stat {
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  bool regular = false;
};
/// stat(2); nullopt with errno_out set on failure.
[[nodiscard]] std::optional<file_stat> stat_file(const std::filesystem::path& path, int& errno_out) noexcept;

/// The whole file; nullopt with errno_out set on failure.
[[nodiscard]] std::optional<std::string> read_whole_file(const std::filesystem::path& path, int& errno_out);

/// Writes content to path atomically and durably: <path>.tmp, fsync, rename, fsync of the directory.
[[nodiscard]] store_errc write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// fsync of a directory, so that renames and unlinks in it survive a crash.
[[nodiscard]] store_errc sync_directory(const std::filesystem::path& dir);

/// mkdir -p with mode 0700 semantics left to the umask; ok if it already exists.
[[nodiscard]] store_errc ensure_directory(const std::filesystem::path& dir);

/// The Maildir base name of a file name: the part before ':' (after it come the flags), which
/// identifies the message wherever it is.
[[nodiscard]] std::string_view base_name(std::string_view file_name) noexcept;

/// Where the message with this base name is now, in cur/ or new/ (another program may have
/// moved or re-flagged it since it was listed).
[[nodiscard]] std::optional<std::filesystem::path> locate_message(const std::filesystem::path& maildir,
                                                                 std::string_view key);

}  // namespace pop3::refd::detail
