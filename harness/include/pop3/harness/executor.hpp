#pragma once
// Runs one parsed scenario as a pure state machine: it asks for I/O through actions and is told
// the outcome through events. No sockets, no timers: the runner (Asio) performs each action and
// reports back, which makes every matcher decision unit-testable with scripted events.
//
// Flow: loop { a = next(); if finished -> result(); perform a; on(event) }.
// Every read the runner performs has a timeout; a timeout is reported as timeout_event, a peer
// close or reset as closed_event. The executor never blocks and never throws on server input.
//
// Record mode (run_context::record_responses, used by `pop3spec compare`): every read is also
// kept as a recorded_response, and an expectation the server does not meet is noted (in the
// recording and as the result's first failure) instead of ending the scenario; a connection the
// server closed or broke just skips its later steps. docs/compare.md describes the mode.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/tls_offer.hpp"
#include "pop3/protocol/capabilities.hpp"
#include "pop3/protocol/line_framer.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness {

struct scenario;   // defined in scenario.hpp (the parsed language)

// ---- actions (executor -> runner) -------------------------------------------------------
struct connect_action { std::string conn; };               ///< open connection `conn` (implicit TLS if the target uses it)
struct send_action {
  std::string conn;
  std::string bytes;                                       ///< exact octets
  std::size_t chunk_size = 0;                              ///< 0: one write; 1: byte at a time; n: n-octet writes
};
struct read_line_action {                                  ///< one framed line
  std::string conn;
  std::size_t max_octets;
  /// 0: the runner's read timeout; otherwise this one (S: <silence 2s>).
  std::chrono::milliseconds timeout{0};
  /// Answers a login command: servers delay these on purpose after failed logins (RFC 1939 §13),
  /// so the time it takes extends the scenario's limit, as a wait: does.
  bool login_answer = false;
};
struct start_tls_action {                                  ///< TLS handshake on `conn` now (after STLS +OK)
  std::string conn;
  tls_offer offer;                                         ///< what the client offers (default: TLS 1.2+)
  /// The scenario expects the server to refuse: the certificate is not verified (only whether the
  /// server completes the handshake counts), and a timeout is reported as timeout_event.
  bool refusal_expected = false;
};
struct close_action { std::string conn; };                 ///< drop the connection without QUIT
struct deliver_action { std::string message; };            ///< fixture adapter delivers a new message into the account
struct wait_action { std::chrono::milliseconds duration; };
struct finished_action {};

using action = std::variant<connect_action, send_action, read_line_action, start_tls_action, close_action,
                            deliver_action, wait_action, finished_action>;

// ---- events (runner -> executor) --------------------------------------------------------
struct ok_event {                                          ///< connect / send / TLS / deliver / wait succeeded
  std::string detail;                                      ///< after a handshake: "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
};
struct line_event { protocol::framed_line line; };
/// How a connection ended: without TLS, or on TLS with or without a close_notify alert first.
enum class close_kind { tcp, tls_close_notify, tls_truncated };
struct closed_event {                                      ///< EOF or reset while reading
  close_kind kind = close_kind::tcp;
};
struct timeout_event {};
struct failed_event {                                      ///< e.g. connect refused, handshake failed
  std::string what;
  bool harness_fault = true;
  /// A handshake the server refused: it sent an alert, closed, or chose a version not offered.
  bool refused = false;
};

using event = std::variant<ok_event, line_event, closed_event, timeout_event, failed_event>;

/// A further login of the account for special fields (RFC 4616): empty when the account has none.
struct extra_login {
  std::string user, password;
  [[nodiscard]] bool empty() const noexcept { return user.empty(); }
};

/// What the run knows before any scenario starts.
struct run_context {
  std::string user, password, apop_secret;   ///< the account this scenario may use
  std::vector<std::string> extra_users;      ///< further accounts' names (several-account scenarios)
  extra_login long_login;                    ///< $long_user/$long_password: a 255-octet password
  extra_login utf8_login;                    ///< $utf8_user/$utf8_password: a non-ASCII password
  /// What the operator declares about the server (--fact), upper case, e.g. "XTND", "CLEARTEXT-REFUSED".
  std::vector<std::string> facts;
  protocol::capability_set caps_authorization;  ///< live CAPA before login (empty if CAPA fails)
  protocol::capability_set caps_transaction;    ///< live CAPA after login
  /// Capability tags the probe saw working though CAPA does not list them (e.g. USER on a server
  /// without CAPA): `requires:` takes them as available.
  std::vector<std::string> caps_seen_working;
  bool tls_available = false;                // the target supports STLS or implicit TLS
  bool implicit_tls = false;
  bool fixtures_available = false;           // a provisioning adapter is configured
  bool destructive_allowed = false;
  std::string mailbox_fixture_note;          // how the fixture was provisioned (for messages)
  /// Seconds since the scenario started, for transcript times and elapsed (empty: both stay 0).
  std::function<double()> clock;
  /// Read timeout for the answer to a login command (PASS, APOP, AUTH and the login macros);
  /// 0: the runner's read timeout.
  std::chrono::milliseconds auth_timeout{0};
  /// --max-wait: skip when the scenario's waits, with announced values (wait: LOGIN-DELAY), exceed it.
  std::optional<std::chrono::milliseconds> max_wait;
  /// Record mode (see above): keep every response, note unmet expectations and go on.
  bool record_responses = false;
};

/// One read in record mode: what the server sent in answer to one command (or as its greeting),
/// or how the wait for it ended.
struct recorded_response {
  enum class kind {
    line,     ///< a status line arrived (and, after a multi-line "+OK", its data)
    closed,   ///< the connection closed or was reset instead
    timeout,  ///< nothing arrived in time
    failed,   ///< the send or TLS handshake before it failed through the server (`status` says how)
  };
  std::string conn;
  std::size_t step = 0;           ///< the step's index in the executor's program
  source_location where;          ///< the step that read it (a synthetic read: the step that sent)
  std::string origin;             ///< the step's macro or "" (see step::origin)
  std::string command;            ///< the command answered, as the scenario wrote it; "" for the greeting
                                  ///< (for kind::failed: the send, or "tls" for the handshake)
  bool greeting = false;
  kind k = kind::line;
  std::string status;             ///< the status line (kind::line); what failed (kind::failed)
  std::string framing;            ///< "" or the first framing problem: "bare LF", "too long", "no line end"
  bool multiline = false;         ///< data lines were read after the status line
  std::vector<std::string> data;  ///< the data lines as sent (dot-stuffed), without the "." line
  bool complete = true;           ///< false: the data ended without its "." line (closed, timeout)
  bool ended = false;             ///< nothing more was read on this connection afterwards (closed,
                                  ///< broken, or silent where an answer was due)
  std::string mismatch;           ///< the scenario's expectation this read did not meet ("" if met)
};

class executor {
 public:
  executor(const scenario& s, run_context ctx);
  ~executor();
  executor(executor&&) noexcept;

  /// The next thing to do. finished_action once the verdict is known.
  [[nodiscard]] action next();
  /// The outcome of the last action.
  void on(const event& e);
  /// Valid once next() returned finished_action.
  [[nodiscard]] const reports::scenario_result& result() const;
  /// Record mode: every read so far, in order (empty otherwise).
  [[nodiscard]] const std::vector<recorded_response>& recording() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::harness
