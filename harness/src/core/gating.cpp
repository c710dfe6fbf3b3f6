// Pre-run decisions: skip reasons, probes and the preamble's login method.
#include "gating.hpp"

#include <algorithm>

#include "text.hpp"

namespace pop3::harness::detail {
namespace {

bool lists(const protocol::capability_set& caps, const requirement& r) {
  const protocol::capability* c = caps.find(r.tag);
  if (!c) return false;
  if (r.param.empty()) return true;
  for (const auto& p : c->params) {
    if (iequals(p, r.param)) return true;
  }
  return false;
}

// A scenario that sends CAPA is about what CAPA lists (or needs CAPA itself): a tag the probe only
// saw working does not make it runnable, since the server's CAPA does not (or cannot) list it.
bool sends_capa(const scenario& s) {
  for (const step& st : s.steps) {
    const auto* e = std::get_if<expect_step>(&st.action);
    if (e && iequals(std::string_view(e->command).substr(0, e->command.find(' ')), "CAPA")) return true;
  }
  return false;
}

bool has_tls_step(const scenario& s) {
  for (const step& st : s.steps) {
    if (std::holds_alternative<tls_step>(st.action)) return true;
  }
  return false;
}

}  // namespace

bool advertised(const run_context& ctx, const requirement& r) {
  return lists(ctx.caps_authorization, r) || lists(ctx.caps_transaction, r);
}

bool available(const run_context& ctx, const requirement& r) {
  if (advertised(ctx, r)) return true;
  return r.param.empty() && std::any_of(ctx.caps_seen_working.begin(), ctx.caps_seen_working.end(),
                                        [&](const std::string& t) { return iequals(t, r.tag); });
}

bool declared(const run_context& ctx, std::string_view fact) {
  if (iequals(fact, "APOP") && !ctx.apop_secret.empty()) return true;
  if (iequals(fact, "IMPLICIT-TLS") && ctx.implicit_tls) return true;
  if (iequals(fact, tls_on_connect_fact)) return ctx.implicit_tls;  // the run's own transport only
  return std::any_of(ctx.facts.begin(), ctx.facts.end(), [&](const std::string& f) { return iequals(f, fact); });
}

gate_decision decide_gates(const scenario& s, const run_context& ctx) {
  gate_decision d;
  const bool about_capa = sends_capa(s);
  for (const requirement& r : s.required_caps) {
    if (r.negated) {
      if (r.fact ? declared(ctx, r.tag) : advertised(ctx, r)) {
        d.skip_reason = "requires " + r.to_string() + ", and the " +
                        (r.fact ? "run declares " + r.tag : "server advertises " + r.tag);
        return d;
      }
      continue;
    }
    if (r.fact && !declared(ctx, r.tag)) {
      d.skip_reason = iequals(r.tag, tls_on_connect_fact)
                          ? "requires " + r.to_string() + ": runs only over implicit TLS (pop3spec run --tls)"
                          : "requires " + r.to_string() + ", which the run does not declare (pop3spec run --fact " +
                                r.tag + ")";
      return d;
    }
    if (!r.fact && !(about_capa ? advertised(ctx, r) : available(ctx, r))) {
      const bool no_capa = ctx.caps_authorization.items().empty() && ctx.caps_transaction.items().empty();
      d.skip_reason = "requires " + r.to_string() + ", which the server does not advertise" +
                      (no_capa ? " (no CAPA response)" : "") +
                      (about_capa && available(ctx, r) ? " (it works, but this scenario checks CAPA)" : "");
      return d;
    }
  }
  if (needs_fixtures(s) && !ctx.fixtures_available) {
    d.skip_reason = "needs a provisioned mailbox or deliveries, and no fixture adapter is configured";
    return d;
  }
  if (s.destructive && !ctx.destructive_allowed) {
    d.skip_reason = "destructive (commits changes to the mailbox); runs only with --allow-destructive";
    return d;
  }
  if (has_tls_step(s) && !ctx.tls_available) {
    d.skip_reason = "needs a TLS handshake, and TLS is not available on the target";
    return d;
  }
  // A declared fact vouches for a probed feature as CAPA would: "declared but broken" fails.
  // One the probe saw working is known to work: a failure is a failure, only the advertising is missing.
  for (const requirement& r : s.probe_caps) {
    if (declared(ctx, r.tag) || (!r.fact && advertised(ctx, r))) continue;
    (!r.fact && available(ctx, r) ? d.unadvertised : d.probing).push_back(r.to_string());
  }
  // The preamble logs in the way the server offers: USER/PASS unless CAPA shows it is not offered.
  const auto& caps = ctx.caps_authorization;
  if (!caps.items().empty() && !caps.has("USER")) {
    const auto mechanisms = caps.sasl_mechanisms();
    if (std::find(mechanisms.begin(), mechanisms.end(), "PLAIN") != mechanisms.end()) {
      d.login = login_method::plain;
    } else if (!ctx.apop_secret.empty()) {
      d.login = login_method::apop;
    }
  }
  return d;
}

std::optional<std::string> resolve_announced_waits(scenario& s, const run_context& ctx) {
  std::chrono::milliseconds total{0};
  std::string announced;  // "LOGIN-DELAY 10" for the skip reason
  for (step& st : s.steps) {
    auto* w = std::get_if<wait_step>(&st.action);
    if (w == nullptr) continue;
    if (!w->announced_seconds.empty()) {
      const auto* cap = ctx.caps_transaction.find(w->announced_seconds);
      if (cap == nullptr) cap = ctx.caps_authorization.find(w->announced_seconds);
      const auto value = cap && !cap->params.empty() ? parse_decimal(cap->params.front()) : std::nullopt;
      if (!value || *value < 0 || *value > 24 * 3600)
        return "wait: " + w->announced_seconds + " needs a number of seconds (up to a day) in CAPA, and none is announced";
      w->duration += std::chrono::seconds(*value);
      w->announced_seconds.clear();  // resolved: the step now waits a fixed time
      announced += (announced.empty() ? "" : ", ") + cap->tag + " " + cap->params.front();
    }
    total += w->duration;
  }
  if (!ctx.max_wait || total <= *ctx.max_wait || announced.empty()) return std::nullopt;
  return "waits " + format_duration(total) + " in total with the announced " + announced + ", more than --max-wait " +
         format_duration(*ctx.max_wait);
}

}  // namespace pop3::harness::detail
