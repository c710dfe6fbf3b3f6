// AUTH (RFC 5034) with PLAIN (RFC 4616) and CRAM-MD5 (RFC 2195).
#include <algorithm>

#include "pop3/protocol/auth.hpp"
#include "session_impl.hpp"

namespace pop3::refd {

namespace {

// "+ <base64>": RFC 5034 §4 makes the empty challenge exactly "+ " (with the space).
session_output challenge(std::string_view data) {
  return session_output{"+ " + protocol::base64_encode(data) + "\r\n", session_output::next::read};
}

}  // namespace

std::vector<std::string> session::impl::sasl_mechanisms_offered() const {
  std::vector<std::string> out;
  for (const auto& mech : config_.sasl_mechanisms) {
    // PLAIN sends the password itself, so the TLS policy hides it like USER (RFC 5034 §4, A17).
    if ((mech == "PLAIN" && plaintext_auth_allowed()) || mech == "CRAM-MD5") out.push_back(mech);
  }
  return out;
}

session_output session::impl::cmd_auth(const protocol::command& cmd) {
  const auto offered = sasl_mechanisms_offered();
  if (cmd.args.empty()) {
    // DIGEST A34: the mechanism listing some clients send "AUTH" for exists in lenient mode only.
    if (config_.strict_syntax) return err("AUTH needs a mechanism name");
    std::string lines;
    for (const auto& mech : offered) lines += mech + "\r\n";
    return multiline("SASL mechanisms follow", lines);
  }
  pending_user_.reset();  // AUTH abandons a pending USER (DIGEST A33)
  const std::string mech = detail::upper_ascii(cmd.args[0]);
  if (std::ranges::find(offered, mech) == offered.end()) {
    if (mech == "PLAIN" && std::ranges::find(config_.sasl_mechanisms, mech) != config_.sasl_mechanisms.end()) {
      return err("plaintext authentication requires TLS; use STLS first");
    }
    return err("unsupported SASL mechanism");
  }
  if (mech == "CRAM-MD5") {
    if (cmd.args.size() == 2) return err("CRAM-MD5 does not take an initial response");  // RFC 5034 §4
    // The challenge is a fresh msg-id, like the APOP timestamp (RFC 2195 §2).
    sasl_ = detail::sasl_exchange{detail::sasl_mechanism::cram_md5, env_.make_timestamp()};
    return challenge(sasl_->challenge);
  }
  sasl_ = detail::sasl_exchange{detail::sasl_mechanism::plain, {}};
  if (cmd.args.size() == 1) return challenge({});
  // "=" is a present but empty initial response (RFC 5034 §4).
  const auto decoded = cmd.args[1] == "=" ? std::optional<std::string>(std::string()) : protocol::base64_decode(cmd.args[1]);
  if (!decoded) {
    sasl_.reset();
    return err("invalid base64 in initial response");
  }
  return sasl_step(*decoded);
}

session_output session::impl::on_sasl_response(const protocol::framed_line& line) {
  // Every failure here ends the exchange: the session is back in AUTHORIZATION as if AUTH had
  // never been sent (RFC 5034 §4).
  if (line.too_long) {
    sasl_.reset();
    return err("line too long; authentication cancelled");
  }
  if (line.end != protocol::framed_line::ending::crlf && config_.strict_syntax) {
    sasl_.reset();
    return err("line must end with CRLF; authentication cancelled");
  }
  if (line.text == "*") {
    sasl_.reset();
    return err("authentication cancelled");
  }
  const auto decoded = protocol::base64_decode(line.text);
  if (!decoded) {
    sasl_.reset();
    return err("invalid base64; authentication cancelled");
  }
  return sasl_step(*decoded);
}

session_output session::impl::sasl_step(std::string_view decoded) {
  const auto exchange = *sasl_;
  sasl_.reset();
  if (exchange.mechanism == detail::sasl_mechanism::plain) {
    const auto creds = protocol::parse_sasl_plain(decoded);
    if (!creds) return err("malformed PLAIN response");
    // RFC 4616 §2: every field is prepared with SASLprep as a query before comparison, and a field
    // that fails preparation, or an authcid or password that prepares to nothing, fails; so does an
    // authzid that was sent but prepares to nothing (RFC 5034 §4).
    const auto authzid = protocol::saslprep(creds->authzid, false);
    const auto authcid = protocol::saslprep(creds->authcid, false);
    const auto password = protocol::saslprep(creds->password, false);
    const bool emptied = !authzid || !authcid || !password || authcid->empty() || password->empty() ||
                         (authzid->empty() && !creds->authzid.empty());
    if (emptied) {
      return login(authcid.value_or(creds->authcid), false);
    }
    // A non-empty authzid other than the authcid asks to act as another user, which nobody may do
    // here; that is a credentials problem.
    const auto* account = find_password_account(*authcid);
    const bool ok_id = authzid->empty() || *authzid == *authcid;
    // The stored password as a stored string; one that cannot be prepared is compared as it is.
    const auto stored = account ? protocol::saslprep(account->password, true).value_or(account->password) : std::string();
    return login(*authcid, account != nullptr && ok_id && detail::secrets_equal(*password, stored));
  }
  // CRAM-MD5 response: "<user> SP <32 lower-case hex digits>".
  const auto sp = decoded.rfind(' ');
  if (sp == std::string_view::npos || sp == 0) return err("malformed CRAM-MD5 response");
  const std::string user(decoded.substr(0, sp));
  const auto* account = find_password_account(user);
  const bool match = account != nullptr &&
                     detail::secrets_equal(detail::lower_ascii(decoded.substr(sp + 1)),
                                           protocol::cram_md5_digest(exchange.challenge, account->password));
  return login(user, match);
}

}  // namespace pop3::refd
