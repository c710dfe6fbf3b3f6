// The whole catalogue: the parts from faults_<area>.cpp, the rules left unbroken, the profiles.
#include "fault_catalogue.hpp"

#include <stdexcept>

namespace pop3::mutation {

const std::vector<fault_spec>& all_faults() {
  static const std::vector<fault_spec> faults = [] {
    std::vector<fault_spec> out;
    for (auto part : {rfc1939_general_faults, rfc1939_session_faults, rfc1939_command_faults, rfc2449_faults,
                      rfc3206_faults, sasl_faults, tls_faults, extension_faults}) {
      for (auto& f : part()) out.push_back(std::move(f));
    }
    return out;
  }();
  return faults;
}

const std::vector<unbroken_rule>& unbroken_rules() {
  static const std::vector<unbroken_rule> rules{
      {"rfc2449/length/capability-limits",
       "pop3refd announces no capability with a limit above 255 octets, so a break would not be observable"},
      {"stls/command/stays-authorization",
       "after STLS the TLS session runs end to end through the plaintext proxy; the session state inside it cannot "
       "be changed from outside"},
      {"sasl/auth/plain-over-tls", "AUTH PLAIN after STLS runs inside the end-to-end TLS session (as above)"},
      {"tls/client-cert/external", "needs client certificates; the harness presents none"},
      {"tls/implicit/authorization-state",
       "implicit TLS runs end to end through the plaintext proxy from the first octet: nothing inside it can be "
       "changed from outside"},
      {"tls/implicit/tls-first", "implicit TLS (as tls/implicit/authorization-state)"},
      {"tls/server/tls12", "the TLS versions are fixed in pop3refd's TLS setup (production code has no switch for them)"},
  };
  return rules;
}

void apply_profile(std::string_view profile, refd::server_config& config) {
  if (profile == "base") return;
  if (profile == "extensions") {
    for (bool* on : {&config.caps.sleeping, &config.caps.core, &config.caps.deli, &config.caps.uid_param,
                     &config.caps.xtnd, &config.caps.last}) {
      *on = true;
    }
    return;
  }
  if (const auto* variant = variant_profile(profile)) {
    variant->adjust(config);
    return;
  }
  throw std::invalid_argument("unknown upstream profile \"" + std::string(profile) + "\"");
}

const harness::embedded_variant* variant_profile(std::string_view profile) {
  for (const auto& v : harness::embedded_variants()) {
    if (v.name == profile) return &v;
  }
  return nullptr;
}

}  // namespace pop3::mutation
