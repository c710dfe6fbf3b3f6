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
/// uncheckable, a level stronger than every rule the scenario lists, and security rules listed
/// beside others (a failure would not say whether it is a security finding).
[[nodiscard]] std::vector<diagnostic> lint_rules(const scenario& s, const rule_catalogue& catalogue);

/// Sets s.security from the catalogue: the first listed rule's security note (lint_rules makes
/// sure that either every listed rule has one or none has).
void mark_security(scenario& s, const rule_catalogue& catalogue);

/// The nearest rules.tsv in `start` (a file's folder or a folder) or one of its parents.
[[nodiscard]] std::optional<std::filesystem::path> find_rule_catalogue(const std::filesystem::path& start);

}  // namespace pop3::harness
