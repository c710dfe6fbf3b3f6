#pragma once
// Which scenarios run: id globs (--filter / --exclude / positional ids), the stable --shard
// partition, and the --baseline of known failures.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::harness::cli {

/// Glob over ids: '*' matches any run of characters (including '/'), '?' exactly one.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text) noexcept;
/// True if any pattern matches.
[[nodiscard]] bool matches_any(std::span<const std::string> patterns, std::string_view id) noexcept;

struct shard_spec {
  std::size_t index = 1;   ///< K, 1-based
  std::size_t count = 1;   ///< N
};
/// Parses "K/N" with 1 <= K <= N. Throws usage_error.
[[nodiscard]] shard_spec parse_shard(std::string_view text);
/// Stable partition: depends only on the id (FNV-1a), so every CI job agrees without talking.
[[nodiscard]] bool in_shard(std::string_view id, const shard_spec& shard) noexcept;

/// The ids (or globs) of a baseline file: one per line, '#' starts a comment. Throws usage_error.
[[nodiscard]] std::vector<std::string> load_baseline(const std::filesystem::path& file);

/// The id filter of a run: included by `filters` (all if empty), not excluded, in the shard.
struct id_filter {
  std::vector<std::string> include, exclude;
  shard_spec shard;
  [[nodiscard]] bool accepts(std::string_view id) const noexcept;
};

}  // namespace pop3::harness::cli
