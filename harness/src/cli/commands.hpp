#pragma once
// The pop3spec subcommands. Each returns the process exit code (exit_codes.hpp) and throws
// usage_error for configuration problems (main turns that into exit code 2).
#include <ostream>
#include <string>
#include <vector>

#include "options.hpp"

namespace pop3::harness::cli {

/// Runs the selected scenarios against the target; prints progress and a summary; writes reports.
int run_command(const options& o, std::ostream& out, std::ostream& err);
/// Dry run: the scenarios `run` would run, with the skip reasons known before connecting.
int list_command(const options& o, std::ostream& out, std::ostream& err);
/// Lints scenario files and folders (default: the scenarios folder); 1 if any error.
int lint_command(const std::vector<std::string>& paths, const std::string& scenarios_dir, std::ostream& out);
/// The rule catalogue with the number of scenarios covering each rule. With coverage_only, the
/// per-level coverage table instead, and exit 1 if a MUST rule is neither covered nor uncheckable.
int rules_command(const std::string& scenarios_dir, const std::vector<std::string>& ids, bool coverage_only,
                  std::ostream& out, std::ostream& err);

}  // namespace pop3::harness::cli
