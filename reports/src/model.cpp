// Names of verdicts and levels, as they appear in every report format.
#include "pop3/reports/model.hpp"

#include <array>
#include <cstddef>

namespace pop3::reports {
namespace {

constexpr std::array<const char*, 4> verdict_names{"pass", "fail", "error", "skip"};
constexpr std::array<const char*, 4> level_names{"must", "should", "may", "info"};

template <class Enum, std::size_t N>
std::optional<Enum> parse(std::string_view s, const std::array<const char*, N>& names) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(verdict v) noexcept { return verdict_names[static_cast<std::size_t>(v)]; }
const char* to_string(level l) noexcept { return level_names[static_cast<std::size_t>(l)]; }

std::optional<verdict> verdict_from_string(std::string_view s) noexcept { return parse<verdict>(s, verdict_names); }
std::optional<level> level_from_string(std::string_view s) noexcept { return parse<level>(s, level_names); }

}  // namespace pop3::reports
