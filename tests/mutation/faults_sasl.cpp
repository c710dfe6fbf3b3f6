// Faults against RFC 5034 (the POP3 AUTH command) and RFC 4616 (SASL PLAIN).
#include <algorithm>
#include <cctype>
#include <set>

#include "fault_catalogue.hpp"
#include "fault_kit.hpp"
#include "pop3/protocol/auth.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;

// Rewrites the client's PLAIN responses (the initial response of AUTH PLAIN, or the answer to
// its empty challenge): `change` gets the base64 text and returns what to send instead.
using plain_change = std::function<std::optional<std::string>(std::string_view base64, const credentials&)>;
class plain_rewriter final : public fault {
 public:
  explicit plain_rewriter(plain_change change) : change_(std::move(change)) {}
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword == "AUTH" && c.has_args()) mechanism_ = to_upper(c.arg(0));
    if (mechanism_ == "PLAIN" && c.keyword == "AUTH" && c.args.size() == 2) {
      if (auto changed = change_(c.args[1], out.account())) return out.forward("AUTH PLAIN " + *changed);
    }
    if (mechanism_ == "PLAIN" && c.sasl_response && c.text != "*") {
      if (auto changed = change_(c.text, out.account())) return out.forward(*changed);
    }
    out.forward(c.raw);
  }

 private:
  plain_change change_;
  std::string mechanism_;
};

// A change of the decoded PLAIN message (authzid NUL authcid NUL password); messages that are
// not valid base64 are left alone.
plain_change on_message(std::function<std::optional<std::string>(std::string_view message, const credentials&)> change) {
  return [change](std::string_view base64, const credentials& a) -> std::optional<std::string> {
    const auto message = protocol::base64_decode(base64 == "=" ? std::string_view() : base64);
    if (!message) return std::nullopt;
    auto changed = change(*message, a);
    if (!changed) return std::nullopt;
    return protocol::base64_encode(*changed);
  };
}

fault_factory rewrite_plain(plain_change change) {
  return [change] { return std::unique_ptr<fault>(new plain_rewriter(change)); };
}

std::string plain_message(std::string_view authzid, std::string_view authcid, std::string_view password) {
  std::string out(authzid);
  out += '\0';
  out += authcid;
  out += '\0';
  out += password;
  return out;
}

bool ascii_only(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x80; });
}

bool well_formed(const std::optional<protocol::plain_credentials>& p) {
  return p && !p->authcid.empty() && !p->password.empty();
}

// Base64 read the lenient way: characters outside the alphabet skipped, "=" only at the end.
std::optional<std::string> lenient_base64(std::string_view text) {
  std::string kept;
  for (const char ch : text) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/') kept += ch;
  }
  while (kept.size() % 4 != 0) kept += '=';
  if (kept == text) return std::nullopt;
  const auto decoded = protocol::base64_decode(kept);
  if (!decoded) return std::nullopt;
  return protocol::base64_encode(*decoded);
}

bool ends_auth(const server_line& l) {
  return !l.injected && l.k == kind::status && l.answers &&
         ((l.answers->keyword == "AUTH" && l.answers->has_args()) || l.answers->sasl_response);
}

}  // namespace

std::vector<fault_spec> sasl_faults() {
  std::vector<fault_spec> out;
  auto add = [&out](std::string rule, std::string how, fault_factory make) {
    out.push_back({std::move(rule), std::move(how), "base", stateless(std::move(make)), {}, {}});
  };
  add("sasl/auth/cancel", "answers +OK to a cancelled exchange (\"*\")", edit_responses([](const server_line& l) -> replacement {
        if (!ends_auth(l) || !l.err() || !l.answers->sasl_response || l.answers->text != "*") return std::nullopt;
        return std::vector<std::string>{"+OK"};
      }));
  add("sasl/auth/challenge-format", "adds text after the base64 data of a challenge",
      edit_responses([](const server_line& l) -> replacement {
        if (l.k != kind::challenge || l.text.size() <= 2) return std::nullopt;
        return std::vector<std::string>{l.text + " (challenge)"};
      }));
  add("sasl/auth/empty-challenge", "sends \"+ go-ahead\" as the empty challenge",
      edit_responses([](const server_line& l) -> replacement {
        if (l.k != kind::challenge || l.text.size() > 2) return std::nullopt;
        return std::vector<std::string>{"+ go-ahead"};
      }));
  add("sasl/auth/empty-initial-response", "treats the initial response \"=\" as no initial response",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "AUTH" || c.args.size() != 2 || c.args[1] != "=") return std::nullopt;
        return std::vector<std::string>{"AUTH " + c.args[0]};
      }));
  add("sasl/auth/failed-as-if-not-issued", "rejects every login on a connection after a failed AUTH",
      refuse_logins_after_failure(true));
  add("sasl/auth/failure-err", "accepts AUTH PLAIN with a wrong password",
      rewrite_plain(on_message([](std::string_view m, const credentials& a) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        if (!well_formed(p) || p->authcid != a.user || p->password == a.password) return std::nullopt;
        return plain_message(p->authzid, p->authcid, a.password);
      })));
  add("sasl/auth/initial-response-not-allowed", "ignores an initial response to a server-first mechanism",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "AUTH" || c.args.size() != 2 || to_upper(c.args[0]) != "CRAM-MD5") return std::nullopt;
        return std::vector<std::string>{"AUTH " + c.args[0]};
      }));
  add("sasl/auth/long-responses", "refuses SASL responses longer than 1000 octets",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (!c.sasl_response || c.text.size() <= 1000) return std::nullopt;
        return std::vector<std::string>{"*"};
      }));
  add("sasl/auth/prep-failure", "ignores an authorization identity that is not ASCII",
      rewrite_plain(on_message([](std::string_view m, const credentials&) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        if (!well_formed(p) || ascii_only(p->authzid)) return std::nullopt;
        return plain_message("", p->authcid, p->password);
      })));
  add("sasl/auth/reject-after-success", "answers AUTH after login with +OK",
      answer_commands([](const client_line& c) -> replacement {
        if (c.keyword != "AUTH" || !c.has_args() || c.state != pop3_state::transaction) return std::nullopt;
        return std::vector<std::string>{"+OK"};
      }));
  add("sasl/auth/strict-base64", "skips characters outside the base64 alphabet and misplaced \"=\"",
      rewrite_plain([](std::string_view base64, const credentials&) { return lenient_base64(base64); }));
  add("sasl/auth/success", "rejects a successful AUTH exchange", edit_responses([](const server_line& l) -> replacement {
        if (!ends_auth(l) || !l.ok()) return std::nullopt;
        return std::vector<std::string>{"-ERR [AUTH] authentication failed"};
      }));
  add("sasl/auth/unsupported-mechanism", "answers +OK to AUTH with a mechanism it does not know",
      edit_responses([](const server_line& l) -> replacement {
        static const std::set<std::string> known{"PLAIN", "CRAM-MD5"};
        if (!ends_auth(l) || !l.err() || l.answers->sasl_response || known.contains(to_upper(l.answers->arg(0))))
          return std::nullopt;
        return std::vector<std::string>{"+OK"};
      }));
  add("sasl/capa/listed-after-auth", "leaves SASL out of CAPA after login",
      edit_capa([](std::string_view l, pop3_state state) -> replacement {
        if (state != pop3_state::transaction || capa_tag(l) != "SASL") return std::nullopt;
        return std::vector<std::string>{};
      }));
  add("sasl/plain/255-octet-fields", "keeps only the first 128 octets of a PLAIN password (a fixed buffer)",
      rewrite_plain(on_message([](std::string_view m, const credentials&) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        if (!well_formed(p) || p->password.size() <= 128) return std::nullopt;
        return plain_message(p->authzid, p->authcid, p->password.substr(0, 128));
      })));
  add("sasl/plain/utf8", "reads a PLAIN password as Latin-1 and compares it in UTF-8 (mojibake)",
      rewrite_plain(on_message([](std::string_view m, const credentials&) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        if (!well_formed(p) || ascii_only(p->password)) return std::nullopt;
        std::string latin1_as_utf8;
        for (const unsigned char c : p->password) {
          if (c < 0x80) {
            latin1_as_utf8 += static_cast<char>(c);
          } else {
            latin1_as_utf8 += static_cast<char>(0xC0 | (c >> 6));
            latin1_as_utf8 += static_cast<char>(0x80 | (c & 0x3F));
          }
        }
        return plain_message(p->authzid, p->authcid, latin1_as_utf8);
      })));
  add("sasl/plain/authzid-check", "ignores an authorization identity other than the user's",
      rewrite_plain(on_message([](std::string_view m, const credentials&) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        if (!well_formed(p) || p->authzid.empty() || p->authzid == p->authcid || !ascii_only(p->authzid)) return std::nullopt;
        return plain_message("", p->authcid, p->password);
      })));
  add("sasl/plain/malformed-message", "logs in with a PLAIN message that is not NUL-separated as RFC 4616 says",
      rewrite_plain(on_message([](std::string_view m, const credentials& a) -> std::optional<std::string> {
        if (well_formed(protocol::parse_sasl_plain(m))) return std::nullopt;
        return plain_message("", a.user, a.password);
      })));
  add("sasl/plain/message-format", "rejects PLAIN messages with an empty authorization identity",
      rewrite_plain(on_message([](std::string_view m, const credentials&) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        if (!well_formed(p) || !p->authzid.empty()) return std::nullopt;
        return plain_message("nobody", p->authcid, p->password);
      })));
  add("sasl/plain/prep-empty-fails", "accepts a password that prepares to nothing",
      rewrite_plain(on_message([](std::string_view m, const credentials& a) -> std::optional<std::string> {
        const auto p = protocol::parse_sasl_plain(m);
        const bool blank = p && std::none_of(p->password.begin(), p->password.end(),
                                             [](unsigned char c) { return c > 0x20 && c < 0x7f; });
        if (!p || !blank || p->authcid != a.user) return std::nullopt;
        return plain_message(p->authzid, p->authcid, a.password);
      })));
  add("sasl/syntax/case-insensitive", "does not recognise AUTH or mechanism names in lower case",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "AUTH" || (word(c.text, 0) == "AUTH" && to_upper(c.arg(0)) == c.arg(0))) return std::nullopt;
        return std::vector<std::string>{"AUTH X-UNSUPPORTED"};
      }));
  return out;
}

}  // namespace pop3::mutation
