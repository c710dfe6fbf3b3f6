#pragma once
// `pop3spec compare`: every option of `run` that makes sense for a comparison (target, accounts,
// fixtures, selection, baseline, time limits, reports, --verbose), plus its own, and the command.
#include <ostream>
#include <string>
#include <vector>

#include "options.hpp"
#include "pop3/harness/compare.hpp"

namespace CLI {
class App;
}

namespace pop3::harness::cli {

struct compare_cli_options {
  options run;                             ///< shared with `run` (without --jobs and --strict)
  std::vector<std::string> no_normalise;   ///< --no-normalise NAME (repeatable; "all" for every one)
  std::vector<std::string> added_headers;  ///< --added-header NAME (repeatable): more added-headers fields
  bool mirror = false;                     ///< --mirror-capabilities
};

inline constexpr const char* compare_exit_code_help =
    "Exit codes:\n"
    "  0  no divergence and no error (divergences in --baseline excepted)\n"
    "  1  a divergence or an error, or a --baseline entry that no longer diverges\n"
    "  2  usage or configuration error, including lint errors in the scenarios to compare\n"
    "  3  the server under test could not be reached";

/// Adds the options above to the compare subcommand.
void add_compare_options(CLI::App& command, compare_cli_options& o);

/// The comparison's settings from the command line. Throws usage_error for an unknown name.
[[nodiscard]] compare_options comparison_options(const compare_cli_options& o);

/// Compares the selected scenarios on --server and the embedded reference server; prints the
/// progress, the divergences and a summary; writes the reports. Exit code 0: no divergence and no
/// error; 1: a divergence (not in the baseline), an error, or a baseline entry without divergence;
/// 2: usage; 3: the server under test cannot be reached.
int compare_command(const compare_cli_options& o, std::ostream& out, std::ostream& err);

}  // namespace pop3::harness::cli
