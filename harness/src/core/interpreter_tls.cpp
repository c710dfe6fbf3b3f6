// The step interpreter's `tls` steps: a handshake that must complete, must be refused
// (`refused`), or may be either (`or-refused`).
#include <optional>

#include "interpreter.hpp"

namespace pop3::harness::detail {
namespace {

// How the server refused a handshake (a close, an alert, a version not offered); nullopt if it did not.
std::optional<std::string> refusal(const event& e) {
  if (const auto* closed = std::get_if<closed_event>(&e)) return closed_note(*closed);
  const auto* failed = std::get_if<failed_event>(&e);
  return failed && failed->refused ? std::optional(failed->what) : std::nullopt;
}

}  // namespace

void interpreter::on_tls(const step& st, const event& e) {
  if (std::get<tls_step>(st.action).refused) {
    on_tls_refused(st, e);
    return;
  }
  if (const auto* ok = std::get_if<ok_event>(&e)) {
    transcript_.note(st.conn, established(*ok));
    conns_[st.conn].ledger.forget_unanswered();  // commands sent before it are never answered
    ++pc_;
    return;
  }
  if (std::get<tls_step>(st.action).or_refused) {
    if (const auto how = refusal(e)) {
      // `or-refused`: like a <closed> alternative, the refusal ends this connection's steps.
      transcript_.note(st.conn, "TLS handshake refused, which the scenario accepts: " + *how);
      if (std::holds_alternative<closed_event>(e)) conns_[st.conn].open = false;
      abandon(st);
      return;
    }
  }
  unexpected(st, e, "the TLS handshake");
}

void interpreter::on_tls_refused(const step& st, const event& e) {
  const auto* failed = std::get_if<failed_event>(&e);
  if (failed && failed->harness_fault) {
    unexpected(st, e, "the TLS handshake");  // the harness could not offer what was asked: an error
    return;
  }
  if (const auto how = refusal(e)) {
    // The refusal the scenario expects. The connection is over: lint lets only `close` follow.
    transcript_.note(st.conn, "TLS handshake refused as expected: " + *how);
    if (!failed) conns_[st.conn].open = false;
    ++pc_;
    return;
  }
  if (failed) {
    unexpected(st, e, "the TLS handshake");  // broken by the server, but no refusal
    return;
  }
  std::string actual = "<timeout: the server neither completed nor refused the handshake>";
  if (const auto* ok = std::get_if<ok_event>(&e)) {
    transcript_.note(st.conn, established(*ok));
    actual = "a completed handshake" + (ok->detail.empty() ? "" : " (" + ok->detail + ")");
  } else {
    transcript_.note(st.conn, "<timeout>");
  }
  remember(st, recorded_response::kind::failed, actual);
  fail(st, "the TLS handshake to be refused", actual, "");
  if (finishing_) return;
  abandon(st);  // record mode: what follows assumed a refusal
}

}  // namespace pop3::harness::detail
