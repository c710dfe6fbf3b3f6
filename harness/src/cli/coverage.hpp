#pragma once
// `pop3spec rules --coverage`: covered / uncovered rules by level, and the gate CI applies.
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "pop3/harness/rule_catalogue.hpp"

namespace pop3::harness::cli {

/// Prints a per-level table (covered, uncovered, uncheckable) and lists every uncovered rule.
/// Returns false when a MUST rule is neither covered by a scenario nor marked uncheckable with a
/// reason: the catalogue then promises a check the corpus does not make.
bool print_coverage(const std::vector<rule>& rules, const std::map<std::string, std::size_t>& scenarios_per_rule,
                    std::ostream& out);

}  // namespace pop3::harness::cli
