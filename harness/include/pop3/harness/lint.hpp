#pragma once
// The scenario linter behind `pop3spec lint`: every parser diagnostic, plus the checks that need
// more than one file (rule ids against the catalogue, duplicate scenario ids).
#include <filesystem>
#include <optional>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/rule_catalogue.hpp"
#include "pop3/harness/scenario.hpp"

namespace pop3::harness {

/// Diagnostics for one scenario file. With a catalogue, rule ids and levels are checked too.
[[nodiscard]] std::vector<diagnostic> lint_file(const std::filesystem::path& path,
                                                const rule_catalogue* catalogue = nullptr);

/// Every *.pop3 file below `dir` (sorted), plus duplicate scenario ids across them.
[[nodiscard]] std::vector<diagnostic> lint_directory(const std::filesystem::path& dir,
                                                     const rule_catalogue* catalogue = nullptr);

/// The catalogue checks alone, for a scenario already parsed: unknown rule ids, rules marked
/// uncheckable, and a level stronger than every rule the scenario lists.
[[nodiscard]] std::vector<diagnostic> lint_rules(const scenario& s, const rule_catalogue& catalogue);

/// The nearest rules.tsv in `start` (a file's folder or a folder) or one of its parents.
[[nodiscard]] std::optional<std::filesystem::path> find_rule_catalogue(const std::filesystem::path& start);

}  // namespace pop3::harness
