// Scenario selection helpers: globs, shards, baselines.
#include "selection.hpp"

#include <cstdint>
#include <fstream>

#include "exit_codes.hpp"
#include "pop3/protocol/command.hpp"

namespace pop3::harness::cli {

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
  // Iterative matcher with one backtrack point: linear in practice, no recursion blow-up.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool matches_any(std::span<const std::string> patterns, std::string_view id) noexcept {
  for (const auto& pattern : patterns) {
    if (glob_match(pattern, id)) return true;
  }
  return false;
}

shard_spec parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  const auto bad = [&] { return usage_error("--shard wants K/N with 1 <= K <= N, got \"" + std::string(text) + "\""); };
  if (slash == std::string_view::npos) throw bad();
  const auto k = protocol::parse_number(text.substr(0, slash));
  const auto n = protocol::parse_number(text.substr(slash + 1));
  if (!k || !n || *k < 1 || *k > *n || *n > 1'000'000) throw bad();
  return shard_spec{static_cast<std::size_t>(*k), static_cast<std::size_t>(*n)};
}

bool in_shard(std::string_view id, const shard_spec& shard) noexcept {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash % shard.count == shard.index - 1;
}

std::vector<std::string> load_baseline(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw usage_error("cannot read the baseline " + file.string());
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    ids.push_back(line.substr(first, last - first + 1));
  }
  return ids;
}

bool id_filter::accepts(std::string_view id) const noexcept {
  if (!include.empty() && !matches_any(include, id)) return false;
  if (matches_any(exclude, id)) return false;
  return in_shard(id, shard);
}

}  // namespace pop3::harness::cli
