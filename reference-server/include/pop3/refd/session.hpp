#pragma once
// The POP3 server session as a pure state machine: lines in, actions out. No sockets, no Asio.
//
// Flow: the driver calls greet() once the connection is up (after the TLS handshake on an
// implicit-TLS port), then on_line() for each framed line in arrival order, queueing each
// returned output before feeding the next line (it may coalesce the answers to a pipelined
// batch; an output that says flush is written out before the next line is looked at, as SLEE's
// is: the SLEEPING draft §5 has the client wait for it). When an output says start_tls, the driver
// discards every buffered input byte (RFC 2595 §4: data pipelined after STLS must not be
// acted on), runs the handshake and calls on_tls_established(). When it says close, the
// driver closes after writing. If the connection ends any other way (drop, timeout), the
// driver calls on_disconnect(): no UPDATE, locks released, nothing deleted.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "pop3/protocol/line_framer.hpp"
#include "pop3/refd/config.hpp"

namespace pop3::refd {

class maildir_store;

struct session_output {
  /// read: go on with the next line; flush: write everything queued first; start_tls: write,
  /// then run the TLS handshake; close: write, then close.
  enum class next { read, flush, start_tls, close };
  std::string bytes;          ///< exact octets to write (may be empty)
  next then = next::read;
};

/// Facts about the connection that the session cannot see itself.
struct connection_info {
  bool tls_active = false;    ///< implicit TLS port, or after STLS
  bool tls_available = false; ///< a certificate is configured (STLS can succeed)
  bool implicit_tls = false;
  std::string peer;           ///< for logs only
};

/// Clock and id sources, injectable for tests.
struct session_environment {
  std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
  std::function<std::string()> make_timestamp;   ///< unique "<pid.counter.clock@host>"; default if empty
};

enum class session_state { authorization, transaction, sleep, update, closed };

class session {
 public:
  session(const server_config& config, maildir_store& store, connection_info conn,
          session_environment env = {});
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  session_output greet();
  session_output on_line(const protocol::framed_line& line);
  void on_tls_established();
  void on_disconnect();

  [[nodiscard]] session_state state() const noexcept;
  /// Longest line the framer should accept for the next read (grows during SASL exchanges).
  [[nodiscard]] std::size_t max_line_octets() const noexcept;
  /// Autologout timer for the current state.
  [[nodiscard]] std::chrono::seconds idle_timeout() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::refd
