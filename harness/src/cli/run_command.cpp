// `pop3spec run`: select, set up the target (embedded or external), probe, run, report.
#include <array>
#include <ctime>
#include <memory>
#include <optional>

#include <unistd.h>

#include "commands.hpp"
#include "console.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "pop3/harness/net/embedded_server.hpp"
#include "pop3/harness/result_skeleton.hpp"
#include "pop3/reports/json.hpp"
#include "pop3/reports/junit.hpp"
#include "pop3/reports/matrix.hpp"
#include "pop3/reports/summary.hpp"
#include "pop3/reports/text.hpp"
#include "scenario_set.hpp"
#include "selection.hpp"

namespace pop3::harness::cli {
namespace {

std::string iso8601_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text.data();
}

std::string host_name() {
  std::array<char, 256> name{};
  return ::gethostname(name.data(), name.size() - 1) == 0 ? std::string(name.data()) : std::string();
}

void print_problems(const std::vector<diagnostic>& problems, std::ostream& err) {
  for (const auto& d : problems) err << d.to_string() << '\n';
  err << "pop3spec: " << problems.size() << " error" << (problems.size() == 1 ? "" : "s")
      << " in the scenarios to run (see `pop3spec lint`)\n";
}

void write_reports(const options& o, const reports::run_report& report) {
  try {
    if (!o.junit.empty()) reports::write_junit(report, std::filesystem::path(o.junit));
    if (!o.json.empty()) reports::write_json(report, std::filesystem::path(o.json));
    if (!o.markdown.empty()) reports::write_markdown({report}, std::filesystem::path(o.markdown));
  } catch (const std::exception& e) {
    throw usage_error(std::string("writing a report: ") + e.what());
  }
}

}  // namespace

int run_command(const options& o, std::ostream& out, std::ostream& err) {
  auto selection = select_scenarios(o);
  if (!selection.problems.empty()) {
    print_problems(selection.problems, err);
    return exit_usage;
  }
  if (selection.scenarios.empty()) throw usage_error("no scenario matches the selection");
  const auto setup = resolve_setup(o);

  // Before any thread starts, so that every thread inherits the blocked signals.
  interrupt_cleanup cleanup;
  std::unique_ptr<embedded_server> embedded;
  target where = setup.where;
  std::vector<account> accounts = setup.accounts;
  if (setup.embedded) {
    embedded = std::make_unique<embedded_server>(setup.jobs);
    cleanup.remove_on_interrupt(embedded->root());
    where = embedded->target_for(setup.tls);
    where.insecure = o.insecure;
    where.facts.insert(where.facts.end(), setup.where.facts.begin(), setup.where.facts.end());
    where.client_cert = setup.where.client_cert;
    where.client_key = setup.where.client_key;
    accounts = embedded->accounts();
  }
  runner run(where, accounts, setup.limits, setup.jobs);
  try {
    run.probe_all();
  } catch (const unreachable_error& e) {
    err << "pop3spec: " << e.what() << '\n';
    return exit_unreachable;
  } catch (const setup_error& e) {
    throw usage_error(e.what());
  }

  console screen(out, console::colour_wanted(), o.strict, o.verbose);
  const auto count = selection.scenarios.size();
  screen.note("pop3spec: " + std::to_string(count) + (count == 1 ? " scenario" : " scenarios") + " against " +
              where.description + ", " + std::to_string(run.effective_jobs()) + " at a time");
  if (!setup.embedded && setup.jobs > run.effective_jobs()) {
    screen.note("note: --jobs " + std::to_string(setup.jobs) + " but only " + std::to_string(accounts.size()) +
                " account(s): list more disposable accounts in --config to run more in parallel");
  }

  reports::run_report report;
  report.target = where.description;
  report.hostname = host_name();
  report.started_at = iso8601_now();
  const auto started = std::chrono::steady_clock::now();
  auto apply_baseline = [&](reports::scenario_result& r) { r.known_failure = matches_any(selection.baseline, r.id); };
  auto show = [&](const reports::scenario_result& r) {
    auto shown = r;
    apply_baseline(shown);
    screen.result(shown);
  };
  // --max-wait: scenarios that would sit idle longer (autologout checks wait 10+ minutes) are
  // reported as skipped with the reason, not silently dropped.
  std::vector<const scenario*> chosen;
  std::vector<std::optional<reports::scenario_result>> too_long;
  for (const auto& s : selection.scenarios) {
    const std::chrono::duration<double> waits = total_wait(s);
    if (o.max_wait && waits.count() > *o.max_wait) {
      too_long.emplace_back(result_skeleton(s, reports::verdict::skip,
                                            "waits " + reports::format_seconds(waits) + " s in total, more than --max-wait " +
                                                reports::format_seconds(std::chrono::duration<double>(*o.max_wait))));
      show(*too_long.back());
    } else {
      too_long.emplace_back();
      chosen.push_back(&s);
    }
  }
  auto ran = run.run(chosen, show);
  auto next_ran = ran.begin();
  for (auto& skipped : too_long) report.results.push_back(skipped ? std::move(*skipped) : std::move(*next_ran++));
  for (auto& r : report.results) apply_baseline(r);
  report.elapsed = std::chrono::steady_clock::now() - started;

  write_reports(o, report);
  const auto counts = reports::summarize(report);
  screen.summary(report, counts);
  bool errored = false;
  for (const auto& r : report.results) errored = errored || reports::classify(r) == reports::disposition::error;
  return reports::must_failed(counts, o.strict) || errored ? exit_failures : exit_ok;
}

}  // namespace pop3::harness::cli
