// run_scenario(): gate, provision, drive; runner: one thread per account, scenarios from a queue.
#include "pop3/harness/net/runner.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "pop3/harness/compare.hpp"
#include "pop3/harness/executor.hpp"
#include "pop3/harness/result_skeleton.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/reports/text.hpp"
#include "pop3_client.hpp"
#include "scenario_driver.hpp"

namespace pop3::harness {
namespace {

using steady = std::chrono::steady_clock;

run_context make_context(const target& where, const account_context& who, const timing& limits,
                         steady::time_point start) {
  run_context ctx;
  ctx.auth_timeout = limits.scaled_auth();
  ctx.max_wait = limits.max_wait;
  ctx.user = who.acct.user;
  ctx.password = who.acct.password;
  ctx.apop_secret = who.acct.apop_secret;
  ctx.extra_users = who.extra_users;
  ctx.facts = where.facts;
  ctx.long_login = who.acct.long_login;
  ctx.utf8_login = who.acct.utf8_login;
  ctx.caps_authorization = who.caps.before_login;
  ctx.caps_transaction = who.caps.after_login;
  ctx.caps_seen_working = who.caps.seen_working;
  ctx.implicit_tls = where.tls == tls_mode::implicit;
  ctx.tls_available = ctx.implicit_tls || who.caps.before_login.has("STLS");
  ctx.fixtures_available = who.acct.fixtures != nullptr;
  ctx.destructive_allowed = who.acct.disposable;
  if (who.acct.fixtures) ctx.mailbox_fixture_note = "provisioned through " + who.acct.fixtures->describe();
  ctx.clock = [start] { return std::chrono::duration<double>(steady::now() - start).count(); };
  return ctx;
}

// Why the store cannot hold one of the messages the scenario puts there (its mailbox, its
// deliver: steps), naming the file; "" when it can hold them all. A fixture the store would alter
// says nothing about the server, so the scenario is skipped before anything is written.
std::string unrepresentable_fixture(const scenario& s, const fixture_adapter& adapter) {
  auto skip = [&](const std::string& file, const std::string& why) {
    return "the fixture " + file + " cannot be stored through " + adapter.describe() + ": " + why;
  };
  const auto messages = mailbox_messages(s);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto why = adapter.unrepresentable(messages[i]);
    if (why.empty()) continue;
    const bool named = s.mailbox.k == mailbox_fixture::kind::files;
    return skip(named ? s.mailbox.files[i].path : "generated message " + std::to_string(i + 1), why);
  }
  for (const step& st : s.steps) {
    const auto* d = std::get_if<deliver_step>(&st.action);
    if (!d) continue;
    if (auto why = adapter.unrepresentable(d->message); !why.empty()) return skip(d->path, why);
  }
  return "";
}

// Puts the scenario's mailbox in place. Returns a skip reason, or "" when provisioned (or nothing
// to do). Throws fixture_error.
std::string provision(const scenario& s, const target& where, const account_context& who, const timing& limits) {
  if (!who.acct.fixtures) return "";
  auto& adapter = *who.acct.fixtures;
  if (auto why = unrepresentable_fixture(s, adapter); !why.empty()) return why;
  if (s.mailbox.k == mailbox_fixture::kind::any) return "";
  const auto messages = mailbox_messages(s);
  const mailbox_owner owner{who.acct.user, who.acct.address};
  if (adapter.can_clear()) {
    adapter.replace(owner, messages);
    return "";
  }
  if (!who.acct.disposable) {
    return "needs an exact mailbox, and " + adapter.describe() +
           " cannot delete mail: allow pop3spec to empty it over POP3 (DELE + QUIT) with --allow-destructive";
  }
  detail::empty_mailbox_over_pop3(where, who.acct, limits.scaled_read());
  for (const auto& message : messages) adapter.deliver(owner, message);
  // An MTA may queue what it accepted: wait until the messages are in the mailbox.
  detail::await_message_count(where, who.acct, messages.size(), 4 * limits.scaled_read());
  return "";
}

// Gate, provision, drive; in record mode (`recording` set) the executor's recording goes there.
reports::scenario_result run_or_record(const scenario& s, const target& where, const account_context& who,
                                       const timing& limits, std::vector<recorded_response>* recording) {
  const auto start = steady::now();
  auto finish = [&](reports::scenario_result r) {
    r.elapsed = steady::now() - start;
    return r;
  };
  try {
    run_context ctx = make_context(where, who, limits, start);
    ctx.record_responses = recording != nullptr;
    executor exec(s, std::move(ctx));
    auto first = exec.next();
    // Gates (capabilities, fixtures, destructive) come first: no provisioning for a skip.
    if (std::holds_alternative<finished_action>(first)) return finish(exec.result());
    // The settle: the previous scenario on this account dropped its connections without QUIT, and
    // the server may still be ending that session (holding the maildrop lock, writing the mailbox
    // back). Starting now would meet -ERR [IN-USE] at login, or race the write-back. Scenarios
    // that test the lock open their own sessions and are not affected: this waits only between
    // scenarios. A lock still held after the wait is left to the scenario to meet.
    if (who.acct.fixtures) who.acct.fixtures->settle(mailbox_owner{who.acct.user, who.acct.address});
    try {
      if (auto skip = provision(s, where, who, limits); !skip.empty()) {
        return finish(result_skeleton(s, reports::verdict::skip, skip));
      }
    } catch (const fixture_unrepresentable& e) {  // an adapter that cannot say so beforehand
      return finish(result_skeleton(s, reports::verdict::skip, std::string("fixture: ") + e.what()));
    } catch (const fixture_error& e) {
      return finish(result_skeleton(s, reports::verdict::error, std::string("fixture: ") + e.what()));
    }
    const auto driven = detail::drive_scenario(exec, std::move(first), where, who, limits);
    if (recording) *recording = exec.recording();
    if (!driven.finished) return finish(result_skeleton(s, reports::verdict::error, driven.problem));
    auto r = exec.result();
    if (driven.over_time) {
      r.warnings.push_back("the scenario reached its time limit of " +
                           reports::format_seconds(limits.scaled_limit()) + " s (--scenario-timeout)");
    }
    return finish(std::move(r));
  } catch (const std::exception& e) {
    return finish(result_skeleton(s, reports::verdict::error, std::string("internal error: ") + e.what()));
  }
}

}  // namespace

reports::scenario_result run_scenario(const scenario& s, const target& where, const account_context& who,
                                      const timing& limits) {
  return run_or_record(s, where, who, limits, nullptr);
}

recorded_run record_scenario(const scenario& s, const target& where, const account_context& who,
                             const timing& limits) {
  recorded_run out;
  out.result = run_or_record(s, where, who, limits, &out.responses);
  return out;
}

runner::runner(target where, std::vector<account> accounts, timing limits, std::size_t jobs)
    : where_(std::move(where)), limits_(limits), jobs_(std::max<std::size_t>(jobs, 1)) {
  for (auto& a : accounts) accounts_.push_back(account_context{std::move(a), {}, {}});
  for (auto& a : accounts_) {
    for (const auto& other : accounts_) {
      if (&other != &a) a.extra_users.push_back(other.acct.user);
    }
  }
}

std::size_t runner::effective_jobs() const noexcept {
  return std::max<std::size_t>(1, std::min(jobs_, accounts_.size()));
}

void runner::probe_all() {
  for (auto& a : accounts_) a.caps = probe_account(where_, a.acct, limits_);
}

std::vector<reports::scenario_result> runner::run(std::span<const scenario* const> scenarios,
                                                  const result_callback& on_result) {
  std::vector<reports::scenario_result> results(scenarios.size());
  if (accounts_.empty()) throw setup_error("no account to run scenarios on");
  std::atomic<std::size_t> next{0};
  std::mutex report_mutex;
  // One job per account: scenarios never share an account, so they cannot disturb each other.
  auto job = [&](const account_context& who) {
    for (std::size_t i = next++; i < scenarios.size(); i = next++) {
      auto r = run_scenario(*scenarios[i], where_, who, limits_);
      const std::scoped_lock lock(report_mutex);
      results[i] = std::move(r);
      if (on_result) on_result(results[i]);
    }
  };
  std::vector<std::jthread> threads;
  for (std::size_t k = 1; k < effective_jobs(); ++k) threads.emplace_back(job, std::cref(accounts_[k]));
  job(accounts_[0]);
  threads.clear();  // joins
  return results;
}

}  // namespace pop3::harness
