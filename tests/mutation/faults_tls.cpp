// Faults against RFC 2595 (STLS) and RFC 8314 (TLS for POP3). The proxy sees plaintext only: after
// STLS the TLS session runs between the client and the upstream, so the certificate fault is a
// broken upstream configuration instead.
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
  out.push_back({"tls/server/valid-certificate", "presents a certificate no client trusts", "base", {}, {},
                 [](refd::server_config& c, const upstream_files& files) {
                   c.tls_cert = files.untrusted_cert;
                   c.tls_key = files.untrusted_key;
                 }});
  return out;
}

}  // namespace pop3::mutation
