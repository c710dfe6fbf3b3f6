#pragma once
// A minimal synchronous POP3 client for the work around scenarios: the capability probe and
// emptying a mailbox for adapters that cannot delete (SMTP/LMTP). Scenarios themselves never use
// it: they go through the executor. No Asio in this header.
//
// Flow: open() (greeting), [start_tls()], login(), command()/multiline() ..., quit().
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "blocking_client.hpp"
#include "pop3/harness/net/runner.hpp"
#include "pop3/protocol/capabilities.hpp"
#include "pop3/protocol/response.hpp"

namespace pop3::harness::detail {

class pop3_client {
 public:
  pop3_client(const target& where, std::chrono::milliseconds timeout);

  /// Connects and returns the greeting line. Throws client_error (unreachable if no connection).
  std::string open();
  /// Sends one command line (CRLF added) and parses the status line. Throws client_error,
  /// including when the reply is not a status line.
  protocol::status_line command(std::string_view line);
  /// The data lines of a multi-line response whose status line was just read (unstuffed).
  std::vector<std::string> multiline();
  /// CAPA; an empty set if the server answers -ERR.
  protocol::capability_set capa();
  /// STLS then the TLS handshake; false if the server refuses STLS.
  bool start_tls();
  /// Logs in with the account's credentials, choosing USER/PASS, AUTH PLAIN or APOP from what the
  /// server offers (APOP too when the password is refused and there is an APOP secret). Returns an
  /// empty string on success, else what went wrong.
  std::string login(const account& who, const protocol::capability_set& caps);
  /// After a successful login(): whether it was USER/PASS (and so USER works).
  [[nodiscard]] bool logged_in_with_user() const noexcept { return logged_in_with_user_; }
  /// QUIT; returns its status line.
  protocol::status_line quit();

 private:
  std::string apop_login(const account& who);

  blocking_client client_;
  target where_;
  std::string greeting_;
  bool logged_in_with_user_ = false;
};

/// Logs in and DELEs every message, then QUIT (the server commits the deletions).
/// Throws fixture_error on any refusal.
void empty_mailbox_over_pop3(const target& where, const account& who, std::chrono::milliseconds timeout);
/// Logs in and RETRs every message, then QUIT (nothing is deleted): the mailbox as the server
/// serves it, for copying into another server (`pop3spec compare`). Throws fixture_error on any
/// refusal, and when the mailbox holds more than `max_messages` or `max_octets`.
[[nodiscard]] std::vector<std::string> fetch_mailbox_over_pop3(const target& where, const account& who,
                                                               std::chrono::milliseconds timeout,
                                                               std::size_t max_messages, std::size_t max_octets);
/// Polls STAT (a fresh session each time) until the mailbox holds `expected` messages: an MTA may
/// queue what SMTP accepted. Throws fixture_error after `timeout` or when there are more.
void await_message_count(const target& where, const account& who, std::uint64_t expected,
                         std::chrono::milliseconds timeout);

}  // namespace pop3::harness::detail
