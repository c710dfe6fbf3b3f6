// `pop3spec compare`: select, set up both servers, compare scenario by scenario, report.
#include "compare_command.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "compare_output.hpp"
#include "console.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "pop3/harness/net/compare_runner.hpp"
#include "pop3/reports/junit.hpp"
#include "pop3/reports/matrix.hpp"
#include "scenario_set.hpp"
#include "selection.hpp"

namespace pop3::harness::cli {
namespace {

std::string normalisation_help() {
  std::string out =
      "Compare literally what this normalisation allows to differ (repeatable; all: every one):";
  for (const normalisation n : all_normalisations)
    out += "\n  " + std::string(name_of(n)) + ": " + std::string(description_of(n));
  return out;
}

// JUnit and Markdown see one result per divergence (reports/, compare_report.hpp).
reports::run_report as_report(const compare_run& run) {
  reports::run_report report;
  report.name = "pop3spec-compare";
  report.target = run.under_test + " compared with " + run.reference;
  report.elapsed = run.elapsed;
  for (const auto& c : run.results) {
    for (auto& r : to_results(c)) report.results.push_back(std::move(r));
  }
  return report;
}

void write_reports(const options& o, const compare_run& run) {
  try {
    if (!o.json.empty()) write_compare_json(run, std::filesystem::path(o.json));
    if (o.junit.empty() && o.markdown.empty()) return;
    const auto report = as_report(run);
    if (!o.junit.empty()) reports::write_junit(report, std::filesystem::path(o.junit));
    if (!o.markdown.empty()) reports::write_markdown({report}, std::filesystem::path(o.markdown));
  } catch (const std::exception& e) {
    throw usage_error(std::string("writing a report: ") + e.what());
  }
}

// A divergence or error fails the run, unless the baseline lists the scenario; a baseline entry
// that no longer diverges fails it too (the baseline is stale).
bool failed(const scenario_comparison& c) {
  switch (c.outcome) {
    case compare_outcome::same:
      return c.known_divergence;
    case compare_outcome::divergent:
    case compare_outcome::error:
      return !c.known_divergence;
    case compare_outcome::skip:
      return false;
  }
  return true;
}

}  // namespace

void add_compare_options(CLI::App& command, compare_cli_options& o) {
  add_options(command, o.run);
  // Both servers run one scenario at a time, and every divergence counts, whatever its level.
  command.remove_option(command.get_option("--jobs"));
  command.remove_option(command.get_option("--strict"));
  const char* group = "Comparison";
  // One value per occurrence, so that scenario paths after the option stay positional.
  command.add_option("--no-normalise", o.no_normalise, normalisation_help())
      ->allow_extra_args(false)
      ->group(group);
  command
      .add_option(
          "--added-header", o.added_headers,
          "Another header field that added-headers sets aside (repeatable; default: Received, Status, "
          "X-Status, X-UID, X-UIDL, X-IMAP, X-IMAPbase, X-Keywords, Return-Path, Delivered-To, "
          "Content-Length, Lines)")
      ->allow_extra_args(false)
      ->group(group);
  command
      .add_flag("--mirror-capabilities", o.mirror,
                "The reference announces only what the server under test announces (CAPA, APOP)")
      ->group(group);
  command.footer(compare_exit_code_help);
}

compare_options comparison_options(const compare_cli_options& o) {
  compare_options out;
  for (const auto& name : o.no_normalise) {
    if (name == "all") {
      for (const normalisation n : all_normalisations) out.set(n, false);
      continue;
    }
    const auto n = normalisation_from_name(name);
    if (!n) throw usage_error("unknown normalisation \"" + name + "\" (see pop3spec compare --help)");
    out.set(*n, false);
  }
  out.added_headers.insert(out.added_headers.end(), o.added_headers.begin(), o.added_headers.end());
  return out;
}

int compare_command(const compare_cli_options& o, std::ostream& out, std::ostream& err) {
  const auto selection = select_scenarios(o.run);
  if (!selection.problems.empty()) {
    for (const auto& d : selection.problems) err << d.to_string() << '\n';
    err << "pop3spec: " << selection.problems.size()
        << " error(s) in the scenarios to compare (see `pop3spec lint`)\n";
    return exit_usage;
  }
  if (selection.scenarios.empty()) throw usage_error("no scenario matches the selection");
  const auto setup = resolve_setup(o.run);
  if (setup.embedded) {
    throw usage_error(
        "compare needs the server under test: --server HOST[:PORT] (or \"server\" in --config)");
  }
  compare_run run;
  run.options = comparison_options(o);

  // Before the reference's thread starts, so that it inherits the blocked signals.
  interrupt_cleanup cleanup;
  std::unique_ptr<comparison_runner> runner;
  try {
    runner = std::make_unique<comparison_runner>(
        comparison_setup{setup.where, setup.accounts.front(), setup.limits, run.options, o.mirror});
  } catch (const unreachable_error& e) {
    err << "pop3spec: " << e.what() << '\n';
    return exit_unreachable;
  } catch (const setup_error& e) {
    throw usage_error(e.what());
  }
  cleanup.remove_on_interrupt(runner->reference_root());
  run.reference = runner->reference_description();
  run.under_test = setup.where.description;
  run.mirror_notes = runner->mirror_notes();

  compare_console screen(out, console::colour_wanted(), o.run.verbose);
  screen.note("pop3spec compare: " + std::to_string(selection.scenarios.size()) + " scenario(s) on " +
              run.under_test + " and the reference " + run.reference);
  for (const auto& note : run.mirror_notes) screen.note("  " + note);
  const auto started = std::chrono::steady_clock::now();
  auto record = [&](scenario_comparison c) {
    c.known_divergence = matches_any(selection.baseline, c.id);
    screen.result(c);
    run.results.push_back(std::move(c));
  };
  record(runner->capabilities());
  for (const auto& s : selection.scenarios) record(runner->compare(s));
  run.elapsed = std::chrono::steady_clock::now() - started;

  write_reports(o.run, run);
  screen.summary(run);
  bool any_failed = false;
  for (const auto& c : run.results) any_failed = any_failed || failed(c);
  return any_failed ? exit_failures : exit_ok;
}

}  // namespace pop3::harness::cli
