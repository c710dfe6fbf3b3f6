#pragma once
// Finding, parsing, selecting and linting the scenarios a command works on.
#include <filesystem>
#include <string>
#include <vector>

#include "options.hpp"
#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/scenario.hpp"

namespace pop3::harness::cli {

/// --scenarios, else the source tree's scenarios/ folder (embedded at build time).
[[nodiscard]] std::filesystem::path scenarios_root(const std::string& scenarios_dir);

/// Every scenario file (*.pop3) under the given files and folders, sorted, without duplicates.
[[nodiscard]] std::vector<std::filesystem::path> scenario_files(const std::vector<std::filesystem::path>& roots);

struct scenario_selection {
  std::vector<scenario> scenarios;      ///< selected, sorted by id
  std::vector<diagnostic> problems;     ///< lint errors in the selected files (and duplicate ids)
  std::vector<std::string> baseline;    ///< --baseline ids or globs
};

/// Positional inputs that name files or folders are searched; the others are id globs, added to
/// --filter. Then --exclude and --shard apply, and the selected files are linted (with the rule
/// catalogue next to them, when there is one). Throws usage_error for a bad shard or baseline.
[[nodiscard]] scenario_selection select_scenarios(const options& o);

}  // namespace pop3::harness::cli
