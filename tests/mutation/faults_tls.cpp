// Faults against RFC 2595 (STLS) and RFC 8314 (TLS for POP3), and against the configuration that
// refuses cleartext logins before TLS (RFC 2595 §2.3, RFC 5034 §4, RFC 8314 §4.1: profile
// "cleartext logins refused before TLS", the embedded variant for them). The proxy sees plaintext
// only: after STLS the TLS session runs between the client and the upstream, so the certificate
// fault is a broken upstream configuration instead.
#include <algorithm>
#include <stdexcept>

#include "fault_catalogue.hpp"
#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;

replacement capa_refused(const server_line& l) {
  if (l.injected || !l.answers || l.answers->keyword != "CAPA") return std::nullopt;
  if (l.k == kind::status && l.ok()) return std::vector<std::string>{"-ERR unknown command"};
  return l.k == kind::status ? std::nullopt : replacement(std::vector<std::string>{});
}

// A server without TLS: STLS is neither announced nor accepted.
class no_tls final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword == "STLS") out.to_client("-ERR STLS is not available");
    else out.forward(c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    const bool stls_line = l.k == kind::data && l.answers && l.answers->keyword == "CAPA" && capa_tag(l.text) == "STLS";
    if (!stls_line) fault::on_server_line(l, out);
  }
};

// Refused cleartext logins, but a different denial for the right password than for a wrong one.
class cleartext_oracle final : public fault {
 public:
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.status_of("PASS") && l.err() && l.answers->arg(0) == out.account().password) {
      out.to_client("-ERR [AUTH] right password, but cleartext logins are refused: use STLS");
      return;
    }
    fault::on_server_line(l, out);
  }
};

// The profile of the embedded variant that refuses cleartext logins.
std::string cleartext_refused() {
  for (const auto& v : harness::embedded_variants()) {
    if (std::find(v.facts.begin(), v.facts.end(), "CLEARTEXT-REFUSED") != v.facts.end()) return v.name;
  }
  throw std::logic_error("no embedded variant refuses cleartext logins");
}

}  // namespace

std::vector<fault_spec> tls_faults() {
  std::vector<fault_spec> out;
  auto add = [&out](std::string rule, std::string how, fault_factory make) {
    out.push_back({std::move(rule), std::move(how), "base", stateless(std::move(make)), {}, {}});
  };
  add("stls/capa/announced-when-permitted", "announces STLS after login too",
      edit_capa({}, [](pop3_state state) {
        return state == pop3_state::transaction ? std::vector<std::string>{"STLS"} : std::vector<std::string>{};
      }));
  add("stls/capa/capa-implemented", "implements STLS but answers CAPA with -ERR", edit_responses(capa_refused));
  add("stls/command/authorization-only", "answers STLS after login with +OK",
      answer_commands([](const client_line& c) -> replacement {
        if (c.keyword != "STLS" || c.state != pop3_state::transaction) return std::nullopt;
        return std::vector<std::string>{"+OK begin TLS negotiation"};
      }));
  add("stls/command/handshake-after-ok", "sends another plaintext line after STLS +OK",
      edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("STLS") || !l.ok()) return std::nullopt;
        return std::vector<std::string>{l.text, "+OK waiting for the TLS handshake"};
      }));
  add("tls/server/tls-access", "neither announces nor accepts STLS (and the run has no implicit-TLS port)",
      each_connection<no_tls>());
  out.push_back({"stls/cleartext/configurable-refusal", "its switch to refuse cleartext logins before TLS does nothing",
                 cleartext_refused(), {}, {},
                 [](refd::server_config& c, const upstream_files&) { c.require_tls_for_plaintext_auth = false; }});
  out.push_back({"sasl/auth/no-plaintext-before-tls", "refuses cleartext logins, yet announces SASL PLAIN before TLS",
                 cleartext_refused(),
                 stateless(edit_capa([](std::string_view l, pop3_state) -> replacement {
                   if (capa_tag(l) != "SASL") return std::nullopt;
                   return std::vector<std::string>{std::string(l) + " PLAIN"};
                 })),
                 {}, {}});
  out.push_back({"tls/cleartext/no-credential-oracle", "refuses cleartext logins with another denial for the right password",
                 cleartext_refused(), stateless(each_connection<cleartext_oracle>()), {}, {}});
  out.push_back({"tls/server/valid-certificate", "presents a certificate no client trusts", "base", {}, {},
                 [](refd::server_config& c, const upstream_files& files) {
                   c.tls_cert = files.untrusted_cert;
                   c.tls_key = files.untrusted_key;
                 }});
  return out;
}

}  // namespace pop3::mutation
