// comparison_runner: the server under test and an embedded, optionally mirrored, pop3refd.
#include "pop3/harness/net/compare_runner.hpp"

#include <algorithm>
#include <optional>

#include "pop3/harness/compare_mirror.hpp"
#include "pop3/harness/net/embedded_server.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/refd/config.hpp"
#include "pop3_client.hpp"

namespace pop3::harness {
namespace {

// What a `mailbox: any` scenario gets on the reference: a copy of the server under test's mailbox,
// as long as it stays this small.
constexpr std::size_t copied_messages = 200;
constexpr std::size_t copied_octets = 16u << 20;

server_profile profile_of(const probe_result& p) {
  return server_profile{p.greeting, p.before_login, p.after_login};
}

// Applies the plan to pop3refd's configuration; returns what it did and what it could not do.
std::vector<std::string> apply_mirror(const mirror_plan& plan, refd::server_config& config) {
  std::vector<std::string> notes;
  std::string off;
  bool sasl = false;
  for (const auto& [tag, on] : plan.switches) {
    if (!refd::set_capability_switch(config.caps, tag, on)) {
      notes.push_back("pop3refd has no switch for " + tag);
      continue;
    }
    if (!on) off += " " + tag;
    if (tag == "SASL") sasl = on;
  }
  if (sasl) {
    // Only the mechanisms pop3refd implements (its default list) can be announced.
    std::vector<std::string> kept;
    for (const auto& m : config.sasl_mechanisms) {
      if (std::find(plan.sasl_mechanisms.begin(), plan.sasl_mechanisms.end(), m) !=
          plan.sasl_mechanisms.end())
        kept.push_back(m);
    }
    for (const auto& m : plan.sasl_mechanisms) {
      if (std::find(kept.begin(), kept.end(), m) == kept.end())
        notes.push_back("SASL " + m + " is not implemented by pop3refd");
    }
    if (kept.empty()) {
      config.caps.sasl = false;
      notes.push_back("SASL is not announced: pop3refd implements none of the mechanisms");
    } else {
      config.sasl_mechanisms = kept;
    }
  }
  if (plan.expire) {
    if (const auto days = refd::parse_expire_days(*plan.expire)) {
      config.expire_days = *days;
    } else {
      notes.push_back("EXPIRE " + *plan.expire + " cannot be mirrored (pop3refd takes days or NEVER)");
    }
  }
  notes.insert(notes.begin(),
               "capabilities mirrored; not announced by the reference:" + (off.empty() ? " (none)" : off));
  notes.insert(notes.end(), plan.notes.begin(), plan.notes.end());
  return notes;
}

}  // namespace

struct comparison_runner::impl {
  comparison_setup setup;
  account_context under_test;
  std::unique_ptr<embedded_server> reference_server;
  target reference_target;
  account_context reference;
  std::vector<std::string> mirror_notes;
  scenario_comparison probe;  // capabilities(): computed once, it also thins out the scenarios' CAPA reports

  [[nodiscard]] recorded_run failed(const scenario& s, const std::string& why) const {
    recorded_run out;
    out.result.id = s.id;
    out.result.outcome = reports::verdict::error;
    out.result.message = why;
    return out;
  }
};

comparison_runner::comparison_runner(comparison_setup setup) : impl_(std::make_unique<impl>()) {
  impl_->setup = std::move(setup);
  const auto& s = impl_->setup;
  impl_->under_test.acct = s.acct;
  impl_->under_test.caps = probe_account(s.under_test, s.acct, s.limits);
  embedded_server::configure adjust;
  if (s.mirror) {
    const mirror_plan plan = plan_mirror(profile_of(impl_->under_test.caps));
    adjust = [this, plan](refd::server_config& config) { impl_->mirror_notes = apply_mirror(plan, config); };
  }
  impl_->reference_server = std::make_unique<embedded_server>(1, adjust);
  impl_->reference_target = impl_->reference_server->target_for(s.under_test.tls);
  impl_->reference.acct = impl_->reference_server->accounts().front();
  impl_->reference.caps = probe_account(impl_->reference_target, impl_->reference.acct, s.limits);

  scenario_comparison& c = impl_->probe;
  c.id = "compare/capabilities";
  c.suite = "compare";
  c.file = "(capability probe)";
  c.title = "The greeting's APOP timestamp and the CAPA listings before and after login";
  c.lvl = reports::level::info;
  c.reference = profile_recording(profile_of(impl_->reference.caps));
  c.under_test = profile_recording(profile_of(impl_->under_test.caps));
  c.diff = compare_runs(c.reference, c.under_test, s.options);
  c.outcome = c.diff.divergences.empty() ? compare_outcome::same : compare_outcome::divergent;
}

comparison_runner::~comparison_runner() = default;

std::string comparison_runner::reference_description() const {
  std::string out = impl_->reference_target.description;
  if (impl_->setup.mirror) out.insert(out.size() - 1, ", capabilities mirrored");
  return out;
}

const std::vector<std::string>& comparison_runner::mirror_notes() const noexcept {
  return impl_->mirror_notes;
}

const std::filesystem::path& comparison_runner::reference_root() const noexcept {
  return impl_->reference_server->root();
}

scenario_comparison comparison_runner::capabilities() const { return impl_->probe; }

scenario_comparison comparison_runner::compare(const scenario& s) const {
  const auto& setup = impl_->setup;
  const scenario prepared = prepare_for_recording(s);
  // `mailbox: any` runs on whatever the account holds: the reference gets the same content.
  std::optional<std::vector<std::string>> copy;
  if (s.mailbox.k == mailbox_fixture::kind::any &&
      (!setup.acct.password.empty() || !setup.acct.apop_secret.empty())) {
    try {
      copy = detail::fetch_mailbox_over_pop3(setup.under_test, setup.acct, setup.limits.scaled_read(),
                                             copied_messages, copied_octets);
    } catch (const fixture_error& e) {
      return judge_comparison(prepared, {}, impl_->failed(s, std::string("fixture: ") + e.what()),
                              setup.options, &impl_->probe.diff);
    }
  }
  recorded_run under_test = record_scenario(prepared, setup.under_test, impl_->under_test, setup.limits);
  recorded_run reference;
  if (under_test.result.outcome != reports::verdict::skip) {
    if (copy) {
      try {
        impl_->reference.acct.fixtures->replace(mailbox_owner{impl_->reference.acct.user, {}}, *copy);
      } catch (const fixture_error& e) {
        reference = impl_->failed(s, std::string("fixture: ") + e.what());
      }
    }
    if (reference.result.outcome != reports::verdict::error) {
      reference = record_scenario(prepared, impl_->reference_target, impl_->reference, setup.limits);
    }
  }
  return judge_comparison(prepared, std::move(reference), std::move(under_test), setup.options,
                          &impl_->probe.diff);
}

}  // namespace pop3::harness
