#pragma once
// `pop3spec report`: the matrix of several JSON reports (`pop3spec run --json`), one column per
// report, for comparing servers (ci/interop/matrix.sh writes reports/interop/matrix.{md,html}).
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pop3::harness::cli {

struct report_cli_options {
  std::vector<std::string> inputs;  ///< "FILE.json" or "LABEL=FILE.json" (LABEL heads the column)
  std::string markdown, html;       ///< output files; neither: the Markdown goes to standard output
  std::string rows = "rules";       ///< "rules" or "scenarios"
};

/// Adds the options above to the report subcommand.
void add_report_options(CLI::App& command, report_cli_options& o);

/// Reads every report and writes the matrix, then, under it, each column's reports (linked,
/// relative to the output file) and every failure, error and unexpected pass with its message
/// (the HTML page adds the transcripts). Prints one summary line per column when writing files.
/// Exit code 0, or 2 (usage_error) for an unreadable report or an unwritable output.
int report_command(const report_cli_options& o, std::ostream& out);

}  // namespace pop3::harness::cli
