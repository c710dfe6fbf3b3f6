#include "coverage.hpp"

#include <array>
#include <cstddef>
#include <iomanip>

namespace pop3::harness::cli {

bool print_coverage(const std::vector<rule>& rules, const std::map<std::string, std::size_t>& scenarios_per_rule,
                    std::ostream& out) {
  struct tally {
    std::size_t covered = 0, uncovered = 0, uncheckable = 0;
  };
  constexpr std::array levels{reports::level::must, reports::level::should, reports::level::may, reports::level::info};
  std::map<reports::level, tally> by_level;
  std::vector<const rule*> uncovered;
  for (const auto& r : rules) {
    auto& t = by_level[r.lvl];
    const auto it = scenarios_per_rule.find(r.id);
    if (it != scenarios_per_rule.end() && it->second > 0) {
      ++t.covered;
    } else if (r.uncheckable) {
      ++t.uncheckable;
    } else {
      ++t.uncovered;
      uncovered.push_back(&r);
    }
  }

  out << "LEVEL   COVERED  UNCOVERED  UNCHECKABLE\n";
  for (const auto lvl : levels) {
    const auto& t = by_level[lvl];
    out << std::left << std::setw(6) << level_keyword(lvl) << std::right << std::setw(9) << t.covered
        << std::setw(11) << t.uncovered << std::setw(13) << t.uncheckable << '\n';
  }
  if (!uncovered.empty()) {
    out << "\nUncovered rules:\n";
    for (const rule* r : uncovered) out << "  " << std::left << std::setw(6) << level_keyword(r->lvl) << ' ' << r->id << '\n';
  }
  const std::size_t must_gaps = by_level[reports::level::must].uncovered;
  if (must_gaps > 0) {
    out << '\n' << must_gaps << " MUST rule(s) are neither covered by a scenario nor marked uncheckable\n";
  }
  return must_gaps == 0;
}

}  // namespace pop3::harness::cli
