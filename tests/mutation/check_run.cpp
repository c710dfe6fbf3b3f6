// run_check(): plan (which scenarios each fault needs), baseline per profile, faults in parallel.
#include "check_run.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "check_support.hpp"

namespace pop3::mutation {
namespace {

using steady = std::chrono::steady_clock;

bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (glob_match(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  if (text.empty() || (pattern.front() != '?' && pattern.front() != text.front())) return false;
  return glob_match(pattern.substr(1), text.substr(1));
}

// Runs work(i) for i in [0, count) on up to `jobs` threads.
void parallel_for(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> threads;
  for (std::size_t j = 0; j < std::max<std::size_t>(1, std::min(jobs, count)); ++j) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) work(i);
    });
  }
}

double seconds_since(steady::time_point start) {
  return std::chrono::duration<double>(steady::now() - start).count();
}

// What one fault needs: its scenarios, split by whether they are quick enough.
struct fault_plan {
  const fault_spec* spec;
  reports::level rule_level;  // a SHOULD rule's fault is caught by a failure at SHOULD level
  std::vector<const indexed_scenario*> quick;
  std::vector<std::string> slow;
};

void check_catalogue(const harness::rule_catalogue& rules) {
  auto checkable = [&](const std::string& id, const char* what, bool should_too) {
    const auto* r = rules.find(id);
    const bool level_ok = r && (r->lvl == reports::level::must || (should_too && r->lvl == reports::level::should));
    if (!level_ok || r->uncheckable) {
      throw std::runtime_error(std::string(what) + " " + id + " is not a checkable " +
                               (should_too ? "MUST or SHOULD" : "MUST") + " rule of rules.tsv");
    }
  };
  // A SHOULD rule may have a fault too (e.g. an announced LOGIN-DELAY that is not enforced).
  for (const auto& f : all_faults()) checkable(f.rule, "the fault for", true);
  for (const auto& u : unbroken_rules()) checkable(u.rule, "the unbroken rule", false);
}

}  // namespace

const char* to_string(fault_status s) noexcept {
  switch (s) {
    case fault_status::caught:
      return "caught";
    case fault_status::not_caught:
      return "NOT CAUGHT";
    case fault_status::not_covered:
      return "not covered";
    case fault_status::too_slow:
      return "too slow";
    case fault_status::baseline_failed:
      return "BASELINE FAILS";
  }
  return "?";
}

bool check_report::passed() const {
  if (!baseline.empty() || !stale_gaps().empty()) return false;
  return std::none_of(faults.begin(), faults.end(), [this](const fault_result& f) {
    if (f.status == fault_status::not_caught) return !known_gaps.contains(f.spec->rule);
    return f.status == fault_status::baseline_failed;
  });
}

std::vector<std::string> check_report::stale_gaps() const {
  std::vector<std::string> stale;
  for (const auto& f : faults) {
    if (f.status == fault_status::caught && known_gaps.contains(f.spec->rule)) stale.push_back(f.spec->rule);
  }
  return stale;
}

check_report run_check(const check_options& options, std::ostream& progress) {
  const auto start = steady::now();
  const scenario_index index(options.scenarios);
  check_catalogue(index.catalogue());
  check_report report;
  report.known_gaps = options.known_gaps;
  report.corpus_problems = index.problems();
  for (const auto& r : index.catalogue().rules()) {
    if (r.lvl == reports::level::must && !r.uncheckable) report.checkable_must.push_back(r.id);
  }

  // The plan, and per profile the union of the quick scenarios for its baseline.
  std::vector<fault_plan> plans;
  std::map<std::string, std::set<const indexed_scenario*>> baseline_sets;
  for (const auto& f : all_faults()) {
    const bool selected = options.rules.empty() || std::any_of(options.rules.begin(), options.rules.end(),
                                                               [&](const auto& g) { return glob_match(g, f.rule); });
    if (!selected) continue;
    const auto* rule = index.catalogue().find(f.rule);
    fault_plan p{&f, rule ? rule->lvl : reports::level::must, {}, {}};
    for (const auto* s : index.covering(f.rule)) {
      if (s->idle > options.max_idle) p.slow.push_back(s->s.id);
      else p.quick.push_back(s);
    }
    for (const auto* s : p.quick) baseline_sets[f.profile].insert(s);
    plans.push_back(std::move(p));
  }

  // Baseline: every scenario concerned, through a transparent proxy, split over the jobs.
  std::map<std::string, reports::scenario_result> baseline;  // by scenario id (and profile)
  std::mutex mutex;
  shared_files files;
  struct shard {
    std::string profile;
    std::vector<const indexed_scenario*> scenarios;
  };
  std::vector<shard> shards;
  for (const auto& [profile, set] : baseline_sets) {
    const std::vector<const indexed_scenario*> all(set.begin(), set.end());
    const std::size_t parts = std::max<std::size_t>(1, std::min(options.jobs, all.size()));
    for (std::size_t k = 0; k < parts; ++k) {
      shard sh{profile, {}};
      for (std::size_t i = k; i < all.size(); i += parts) sh.scenarios.push_back(all[i]);
      shards.push_back(std::move(sh));
    }
  }
  progress << "mutation check: baseline of " << baseline_sets.size() << " profile(s) in " << shards.size()
           << " shard(s)" << std::endl;
  parallel_for(shards.size(), options.jobs, [&](std::size_t i) {
    const proxied_upstream upstream(files, shards[i].profile, nullptr);
    auto run = run_proxied(upstream, shards[i].scenarios, options.limits, false);
    const std::scoped_lock lock(mutex);
    for (auto& r : run.results) baseline[shards[i].profile + " " + r.id] = std::move(r);
    if (!run.probe_problem.empty()) report.baseline.push_back({shards[i].profile, "(probe)", "error", run.probe_problem});
  });
  for (const auto& [key, r] : baseline) {
    if (r.outcome == reports::verdict::pass || r.outcome == reports::verdict::skip) continue;
    report.baseline.push_back({key.substr(0, key.find(' ')), r.id, reports::to_string(r.outcome), r.message});
  }

  // Each fault: the scenarios that passed in the baseline, until one fails.
  report.faults.resize(plans.size());
  std::size_t done = 0;
  parallel_for(plans.size(), options.jobs, [&](std::size_t i) {
    const auto& p = plans[i];
    const auto fault_start = steady::now();
    fault_result out;
    out.spec = p.spec;
    out.slow = p.slow;
    // Only scenarios that pass without the fault can show that the fault is caught.
    std::vector<const indexed_scenario*> runnable, second_chance;
    std::vector<std::string> failing;
    // A proxy fault on a configured upstream: scenarios gated on what that configuration changes
    // (e.g. `requires: !RESP-CODES`) skip in the profile's baseline; they get one of their own.
    const bool configured_proxy = p.spec->proxy && p.spec->configure;
    auto sort_by = [&](const indexed_scenario* s, reports::verdict verdict, bool second) {
      if (verdict == reports::verdict::pass) runnable.push_back(s);
      else if (verdict == reports::verdict::skip && !second && configured_proxy) second_chance.push_back(s);
      else if (verdict == reports::verdict::skip) out.skipped.push_back(s->s.id);
      else failing.push_back(s->s.id);
    };
    for (const auto* s : p.quick) {
      const auto it = baseline.find(p.spec->profile + " " + s->s.id);
      sort_by(s, it == baseline.end() ? reports::verdict::error : it->second.outcome, false);
    }
    if (!second_chance.empty()) {
      const proxied_upstream configured(files, p.spec->profile, p.spec, true);
      const auto run = run_proxied(configured, second_chance, options.limits, false);
      for (std::size_t k = 0; k < second_chance.size(); ++k) {
        const auto* r = k < run.results.size() ? &run.results[k] : nullptr;
        const auto verdict = r ? r->outcome : reports::verdict::error;
        sort_by(second_chance[k], verdict, true);
        if (verdict == reports::verdict::pass || verdict == reports::verdict::skip) continue;
        // Failing against pop3refd set up for the fault, without it: a baseline problem.
        const std::scoped_lock lock(mutex);
        report.baseline.push_back({p.spec->profile + ", configured for " + p.spec->rule, second_chance[k]->s.id,
                                   reports::to_string(verdict), r ? r->message : run.probe_problem});
      }
    }
    // Quickest first: a caught fault usually stops at the first scenario.
    std::stable_sort(runnable.begin(), runnable.end(), [](const auto* a, const auto* b) { return a->idle < b->idle; });
    if (runnable.empty() && !failing.empty()) {
      out.status = fault_status::baseline_failed;
      out.detail = "failing without the fault: " + failing.front();
    } else if (runnable.empty()) {
      out.status = p.slow.empty() || !out.skipped.empty() ? fault_status::not_covered : fault_status::too_slow;
    } else {
      const proxied_upstream upstream(files, p.spec->profile, p.spec);
      const auto run = run_proxied(upstream, runnable, options.limits, true);
      out.probe_problem = run.probe_problem;
      out.status = fault_status::not_caught;
      // A failure of a security rule's scenario counts only with its mark (every report shows it).
      const auto marked = [&](const reports::scenario_result& r) {
        return std::any_of(runnable.begin(), runnable.end(),
                           [&](const auto* x) { return x->s.id == r.id && x->s.security.empty() != r.security; });
      };
      for (const auto& r : run.results) {
        out.ran.push_back(r.id);
        const bool strong_enough = r.lvl == reports::level::must || r.lvl == p.rule_level;
        if (r.outcome == reports::verdict::fail && strong_enough && !marked(r)) {
          out.detail = r.id + ": failed, but not marked as the security finding its rule makes it";
        } else if (r.outcome == reports::verdict::fail && strong_enough) {
          out.status = fault_status::caught;
          out.caught_by = r.id;
          out.detail = r.message;
        } else if (r.outcome != reports::verdict::pass && out.detail.empty()) {
          out.detail = r.id + ": " + reports::to_string(r.outcome) + ": " + r.message;
        }
      }
    }
    out.seconds = seconds_since(fault_start);
    const std::scoped_lock lock(mutex);
    progress << "[" << ++done << "/" << plans.size() << "] " << p.spec->rule << ": " << to_string(out.status)
             << (out.caught_by.empty() ? "" : " by " + out.caught_by) << std::endl;
    report.faults[i] = std::move(out);
  });
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace pop3::mutation
