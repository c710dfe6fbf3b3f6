#pragma once
// The faults the mutation check injects, each keyed by the rule it breaks, and the MUST rules it
// knows it cannot break, with the reason. Adding a fault: write it in the faults_<area>.cpp of
// its rule's folder (docs/mutation.md shows how); the checker picks it up from all_faults().
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fault_proxy.hpp"
#include "pop3/harness/net/embedded_server.hpp"
#include "pop3/refd/config.hpp"
#include "pop3/refd/maildir_store.hpp"

namespace pop3::mutation {

/// Files a fault's upstream may use besides the trusted certificate.
struct upstream_files {
  std::filesystem::path untrusted_cert, untrusted_key;  ///< a certificate no client trusts
};

struct fault_spec {
  std::string rule;              ///< the rule it breaks (an id of scenarios/rules.tsv)
  std::string how;               ///< what the broken server does, in one line
  std::string profile = "base";  ///< the upstream configuration it needs (see apply_profile)
  /// Called once per check; returns the fault maker for each connection of that check (whose
  /// captures may share state between the connections). Null: the proxy changes nothing.
  std::function<fault_factory()> proxy;
  /// A broken store for the upstream; null: the real maildir_store.
  std::function<std::shared_ptr<refd::maildir_store>(const std::filesystem::path& root)> store;
  /// Breaks the upstream's configuration (applied after the profile; not to the baseline). With a
  /// proxy fault it sets the upstream up for that fault instead, and the scenarios the profile's
  /// baseline skipped get a second baseline on this configuration behind a transparent proxy.
  std::function<void(refd::server_config&, const upstream_files&)> configure;
};

/// A checkable MUST rule without a fault, and why.
struct unbroken_rule {
  std::string rule, reason;
};

/// Every fault, in catalogue order.
[[nodiscard]] const std::vector<fault_spec>& all_faults();
/// The checkable MUST rules deliberately left without a fault.
[[nodiscard]] const std::vector<unbroken_rule>& unbroken_rules();
/// Sets up a profile on top of the embedded server's configuration: "base" (what `pop3spec run`
/// tests by default), "extensions" (base plus SLEEPING, CORE, DELI, UID-PARAM, XTND and LAST), or
/// the name of an embedded variant ("cleartext logins refused before TLS", ...: the configuration
/// `pop3spec run` uses for the scenarios that need it). Throws std::invalid_argument otherwise.
void apply_profile(std::string_view profile, refd::server_config& config);
/// The embedded variant a profile names; null for "base", "extensions" and unknown names.
[[nodiscard]] const harness::embedded_variant* variant_profile(std::string_view profile);

/// A proxy fault without shared state: the same maker for every check.
[[nodiscard]] inline std::function<fault_factory()> stateless(fault_factory make) {
  return [make] { return make; };
}

// The parts of the catalogue, one per rule folder (faults_<area>.cpp).
[[nodiscard]] std::vector<fault_spec> rfc1939_general_faults();
[[nodiscard]] std::vector<fault_spec> rfc1939_session_faults();
[[nodiscard]] std::vector<fault_spec> rfc1939_command_faults();
[[nodiscard]] std::vector<fault_spec> rfc2449_faults();
[[nodiscard]] std::vector<fault_spec> rfc3206_faults();
[[nodiscard]] std::vector<fault_spec> sasl_faults();
[[nodiscard]] std::vector<fault_spec> tls_faults();
[[nodiscard]] std::vector<fault_spec> extension_faults();

}  // namespace pop3::mutation
