// `pop3spec run`: select, set up the target (embedded or external), probe, run, report.
#include <array>
#include <ctime>
#include <map>
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

// What the scenarios run against: the server named on the command line, or an embedded pop3refd
// (the default one, or a variant configured for the scenarios that need it).
struct server_under_test {
  std::unique_ptr<embedded_server> embedded;
  target where;
  std::vector<account> accounts;
};

server_under_test start_embedded(const run_setup& setup, const options& o, const embedded_variant* variant,
                                 std::size_t jobs, interrupt_cleanup& cleanup) {
  server_under_test out;
  out.embedded = std::make_unique<embedded_server>(jobs, variant ? variant->adjust : embedded_server::configure{});
  cleanup.remove_on_interrupt(out.embedded->root());
  out.where = out.embedded->target_for(variant && variant->tls ? *variant->tls : setup.tls);
  out.where.insecure = o.insecure;
  out.where.facts.insert(out.where.facts.end(), setup.where.facts.begin(), setup.where.facts.end());
  if (variant) {
    out.where.facts.insert(out.where.facts.end(), variant->facts.begin(), variant->facts.end());
    out.where.description += ", variant: " + variant->name;
  }
  out.where.client_cert = setup.where.client_cert;
  out.where.client_key = setup.where.client_key;
  out.accounts = out.embedded->accounts();
  return out;
}

// Probes every account; false (after saying why) if the server cannot be reached.
bool probed(runner& r, std::ostream& err) {
  try {
    r.probe_all();
    return true;
  } catch (const unreachable_error& e) {
    err << "pop3spec: " << e.what() << '\n';
    return false;
  } catch (const setup_error& e) {
    throw usage_error(e.what());
  }
}

}  // namespace

int run_command(const options& o, std::ostream& out, std::ostream& err) {
  auto selection = select_scenarios(o);
  if (!selection.problems.empty()) {
    print_problems(selection.problems, err);
    return exit_usage;
  }
  if (o.min_wait) {
    std::erase_if(selection.scenarios,
                  [&](const scenario& s) { return total_wait(s) <= std::chrono::duration<double>(*o.min_wait); });
  }
  if (selection.scenarios.empty()) throw usage_error("no scenario matches the selection");
  const auto setup = resolve_setup(o);

  // Before any thread starts, so that every thread inherits the blocked signals.
  interrupt_cleanup cleanup;
  auto main_target = setup.embedded ? start_embedded(setup, o, nullptr, setup.jobs, cleanup)
                                    : server_under_test{nullptr, setup.where, setup.accounts};
  runner run(main_target.where, main_target.accounts, setup.limits, setup.jobs);
  if (!probed(run, err)) return exit_unreachable;

  console screen(out, console::colour_wanted(), o.strict, o.verbose);
  reports::run_report report;
  report.target = main_target.where.description;
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
  // reported as skipped with the reason, not silently dropped. The embedded run sends the
  // scenarios that need another configuration of pop3refd to a variant configured that way.
  const auto& variants = embedded_variants();
  std::vector<std::vector<const scenario*>> chosen(variants.size() + 1);  // [0]: the main target
  std::map<const scenario*, reports::scenario_result> results;
  for (const auto& s : selection.scenarios) {
    const std::chrono::duration<double> waits = total_wait(s);
    if (o.max_wait && waits.count() > *o.max_wait) {
      results[&s] = result_skeleton(s, reports::verdict::skip,
                                    "waits " + reports::format_seconds(waits) + " s in total, more than --max-wait " +
                                        reports::format_seconds(std::chrono::duration<double>(*o.max_wait)));
      continue;
    }
    const embedded_variant* variant = setup.embedded ? embedded_variant_for(s, setup.tls) : nullptr;
    chosen[variant ? static_cast<std::size_t>(variant - variants.data()) + 1 : 0].push_back(&s);
  }
  auto announce = [&](const runner& r, const target& where, std::size_t count) {
    screen.note("pop3spec: " + std::to_string(count) + (count == 1 ? " scenario" : " scenarios") + " against " +
                where.description + ", " + std::to_string(r.effective_jobs()) + " at a time");
  };
  auto run_on = [&](runner& r, const std::vector<const scenario*>& these) {
    auto ran = r.run(these, show);
    for (std::size_t i = 0; i < these.size(); ++i) results[these[i]] = std::move(ran[i]);
  };
  if (!chosen[0].empty() || !results.empty()) announce(run, main_target.where, chosen[0].size() + results.size());
  if (!setup.embedded && setup.jobs > run.effective_jobs()) {
    screen.note("note: --jobs " + std::to_string(setup.jobs) + " but only " +
                std::to_string(main_target.accounts.size()) +
                " account(s): list more disposable accounts in --config to run more in parallel");
  }
  for (const auto& [s, skipped] : results) show(skipped);  // in selection order: pointers into one vector
  run_on(run, chosen[0]);
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const auto& these = chosen[v + 1];
    if (these.empty()) continue;
    const auto variant = start_embedded(setup, o, &variants[v], std::min(setup.jobs, these.size()), cleanup);
    runner variant_run(variant.where, variant.accounts, setup.limits, setup.jobs);
    if (!probed(variant_run, err)) return exit_unreachable;
    announce(variant_run, variant.where, these.size());
    run_on(variant_run, these);
    report.target += "; " + std::to_string(these.size()) + " on a variant with " + variants[v].name;
  }
  for (const auto& s : selection.scenarios) report.results.push_back(std::move(results.at(&s)));
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
