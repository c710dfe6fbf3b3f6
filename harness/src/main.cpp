// pop3spec: the POP3 conformance harness's command line (CLI11). The subcommands live in cli/.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/compare_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/report_command.hpp"

int main(int argc, char** argv) {
  using namespace pop3::harness::cli;
  // A peer that hangs up must show as an error on that write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"pop3spec: POP3 conformance tests, rule by rule (RFC 1939, 2449, 2595, 3206, 5034, ...)"};
  app.footer(exit_code_help);
  app.require_subcommand(1);
  app.set_version_flag("--version", "pop3spec 0.1.0");

  options run_options;
  auto* run = app.add_subcommand("run", "Run scenarios against a server (default: the embedded reference server)");
  add_options(*run, run_options);
  run->footer(exit_code_help);

  options list_options;
  auto* list = app.add_subcommand("list", "Dry run: the scenarios that would run, with the skips known in advance");
  add_options(*list, list_options);

  compare_cli_options compare_options;
  auto* compare = app.add_subcommand(
      "compare", "Compare a server with the embedded reference server, response by response (docs/compare.md)");
  add_compare_options(*compare, compare_options);

  report_cli_options report_options;
  auto* report = app.add_subcommand(
      "report", "Write the matrix of several JSON reports (one column each), with every failure listed under it");
  add_report_options(*report, report_options);
  report->footer("Exit codes:\n  0  the matrix was written\n  2  usage error, an unreadable report or an unwritable output");

  std::vector<std::string> lint_paths;
  std::string lint_dir;
  auto* lint = app.add_subcommand("lint", "Check scenario files: file:line:column errors, exit 1 on errors");
  lint->add_option("paths", lint_paths, "Scenario files or folders (default: the scenarios folder)");
  lint->add_option("--scenarios", lint_dir, "Scenario folder (default: the source tree's scenarios/)");

  std::string rules_dir;
  std::vector<std::string> rule_ids;
  auto* rules = app.add_subcommand(
      "rules", "Print the rule catalogue and how many scenarios cover each rule; with rule ids, each in full");
  rules->add_option("ids", rule_ids,
                    "Rule ids or globs (e.g. 'rfc1939/dele/*'): print each rule's text and the scenarios that check "
                    "it, or why none can");
  rules->add_option("--scenarios", rules_dir, "Scenario folder (default: the source tree's scenarios/)");
  bool rules_coverage = false;
  rules->add_flag("--coverage", rules_coverage,
                  "Covered / uncovered rules by level; exit 1 if a MUST is neither covered nor uncheckable");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every real parse error is a usage error.
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }

  try {
    if (run->parsed()) return run_command(run_options, std::cout, std::cerr);
    if (list->parsed()) return list_command(list_options, std::cout, std::cerr);
    if (compare->parsed()) return compare_command(compare_options, std::cout, std::cerr);
    if (report->parsed()) return report_command(report_options, std::cout);
    if (lint->parsed()) return lint_command(lint_paths, lint_dir, std::cout);
    return rules_command(rules_dir, rule_ids, rules_coverage, std::cout, std::cerr);
  } catch (const usage_error& e) {
    std::cerr << "pop3spec: " << e.what() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "pop3spec: error: " << e.what() << '\n';
  }
  return exit_usage;
}
