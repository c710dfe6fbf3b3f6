#pragma once
// What decides, before any I/O, whether a scenario runs: capability gates, fixtures, destructive
// permission, TLS; and how the state: transaction preamble logs in (internal).
#include <optional>
#include <string>
#include <vector>

#include "pop3/harness/executor.hpp"
#include "pop3/harness/scenario.hpp"
#include "scenario_parse.hpp"

namespace pop3::harness::detail {

struct gate_decision {
  std::optional<std::string> skip_reason;   ///< set: do not run
  std::vector<std::string> probing;         ///< probe: capabilities that are neither advertised nor seen working
  std::vector<std::string> unadvertised;    ///< probe: capabilities seen working but not advertised
  login_method login = login_method::user;  ///< for state: transaction
};

/// True if the live CAPA (before or after login) lists the capability (and its parameter).
[[nodiscard]] bool advertised(const run_context& ctx, const requirement& r);
/// Advertised, or (a tag without parameter) seen working by the probe.
[[nodiscard]] bool available(const run_context& ctx, const requirement& r);

/// True if the run declares the fact (--fact, "facts" in --config, the embedded server's own), or,
/// for APOP, the account has an APOP secret (the operator says the server does APOP), or, for
/// IMPLICIT-TLS, the run itself uses implicit TLS. TLS-ON-CONNECT is the run's own transport
/// (implicit TLS), never declared by hand.
[[nodiscard]] bool declared(const run_context& ctx, std::string_view fact);

[[nodiscard]] gate_decision decide_gates(const scenario& s, const run_context& ctx);

/// Adds to each `wait: TAG + D` step the seconds the live CAPA announces for TAG (after login if
/// announced there: the user's own value; else before login). Returns a skip reason when TAG is
/// not announced with a number of seconds, or when the waits then exceed ctx.max_wait.
[[nodiscard]] std::optional<std::string> resolve_announced_waits(scenario& s, const run_context& ctx);

}  // namespace pop3::harness::detail
