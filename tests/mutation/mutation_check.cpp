// mutation_check: proof that the scenario corpus catches broken servers. For every MUST rule with
// a fault in the catalogue, the rule's scenarios run against pop3refd behind a proxy that breaks
// exactly that rule, and at least one must fail; without the fault they must all pass.
//
// Exit codes: 0 every covered fault caught and the baseline clean, 1 otherwise, 2 usage errors.
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "check_run.hpp"

int main(int argc, char** argv) {
  using namespace pop3::mutation;
  check_options options;
  options.scenarios = std::filesystem::path(POP3SPEC_SOURCE_DIR) / "scenarios";
  double timeout = 5, max_idle = 30;
  bool list = false, verbose = false;

  CLI::App app("Mutation check: every fault injected into pop3refd must make a scenario of its rule fail");
  app.add_option("--scenarios", options.scenarios, "The corpus folder (holds rules.tsv)")->check(CLI::ExistingDirectory);
  app.add_option("--jobs,-j", options.jobs, "Checks in parallel (default 2)")->check(CLI::PositiveNumber);
  app.add_option("--rule", options.rules, "Only the faults of these rules (glob: * and ?; repeatable)");
  app.add_option("--max-idle", max_idle,
                 "Leave out scenarios that wait longer than this many seconds on purpose (default 30)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", timeout, "Seconds per read (default 5)")->check(CLI::PositiveNumber);
  app.add_flag("--verbose,-v", verbose, "Say why each caught fault failed");
  app.add_flag("--list", list, "List the faults and the rules left unbroken, then exit");
  std::filesystem::path gaps_file;
  app.add_option("--known-gaps", gaps_file,
                 "File of rule ids whose fault the corpus does not catch yet ('#' comments); a listed rule "
                 "that is caught fails the check")
      ->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (list) {
    for (const auto& f : all_faults()) std::cout << f.rule << "\t" << f.profile << "\t" << f.how << '\n';
    for (const auto& u : unbroken_rules()) std::cout << u.rule << "\t-\tnot broken: " << u.reason << '\n';
    return 0;
  }
  if (!gaps_file.empty()) {
    std::ifstream in(gaps_file);
    for (std::string line; std::getline(in, line);) {
      line = line.substr(0, line.find('#'));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty()) options.known_gaps.insert(line);
    }
  }
  options.max_idle = std::chrono::seconds(static_cast<long long>(max_idle));
  options.limits.read_timeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  try {
    const auto report = run_check(options, std::cerr);
    print_report(report, verbose, std::cout);
    return report.passed() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "mutation_check: " << e.what() << '\n';
    return 2;
  }
}
