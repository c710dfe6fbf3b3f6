#pragma once
// A fault: one deliberate break of one rule, applied by the fault-injecting proxy to the POP3
// conversation between a client (pop3spec) and an upstream pop3refd. Sans-I/O: a fault sees
// lines (with what they answer and the session state the proxy tracked) and says what to send
// where; fault_pipe does the framing, ordering and bookkeeping, the proxy moves the bytes.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::mutation {

/// Where the conversation stands, as the proxy sees it from the upstream's answers.
enum class pop3_state { authorization, transaction, sleep, update };

/// The account the proxy's upstream serves (faults may log in on the client's behalf).
struct credentials {
  std::string user, password, apop_secret;
};

/// One line the client sent: a command, or a response to a SASL challenge.
struct client_line {
  std::string text;                ///< without its line end
  std::string raw;                 ///< the exact octets received, line end included
  std::string keyword;             ///< upper-cased first word ("" for a SASL response)
  std::vector<std::string> args;   ///< the words after the keyword, split at spaces
  bool sasl_response = false;      ///< answers a "+ " challenge (not a command)
  bool pipelined = false;          ///< sent while an earlier line was still unanswered
  pop3_state state = pop3_state::authorization;  ///< when it was received
  std::size_t number = 0;          ///< 1-based position in the connection (injected lines: 0)
  [[nodiscard]] bool has_args() const noexcept { return !args.empty(); }
  [[nodiscard]] std::string_view arg(std::size_t i) const noexcept {
    return i < args.size() ? std::string_view(args[i]) : std::string_view();
  }
};

/// One line the upstream sent, classified by what it answers.
struct server_line {
  enum class kind {
    greeting,     ///< the first line of the connection
    status,       ///< first line of a response (+OK / -ERR), single- or multi-line
    challenge,    ///< "+ ..." SASL continuation (answers an AUTH exchange)
    data,         ///< a data line of a multi-line response, as sent (still dot-stuffed)
    end,          ///< the "." line ending a multi-line response
    unsolicited,  ///< arrived when nothing was awaiting an answer
  };
  kind k = kind::status;
  std::string text;                ///< without its line end
  std::string raw;                 ///< the exact octets received, line end included
  const client_line* answers = nullptr;  ///< the line this answers (null: greeting, unsolicited)
  bool injected = false;           ///< answers a line the fault sent itself (not shown to the client)
  bool last = false;               ///< completes its answer (single line, challenge or ".")
  pop3_state state = pop3_state::authorization;  ///< before this line was taken into account
  [[nodiscard]] bool ok() const noexcept { return text.starts_with("+OK"); }
  [[nodiscard]] bool err() const noexcept { return text.starts_with("-ERR"); }
  /// The status line of a response to `keyword` (upper case).
  [[nodiscard]] bool status_of(std::string_view keyword) const noexcept {
    return k == kind::status && answers != nullptr && answers->keyword == keyword;
  }
};

/// What a fault can do; implemented by fault_pipe.
class fault_actions {
 public:
  virtual ~fault_actions() = default;
  /// Sends `line` and CRLF to the client, as part of the answer being built.
  virtual void to_client(std::string_view line) = 0;
  /// Sends exact octets to the client.
  virtual void to_client_raw(std::string_view bytes) = 0;
  /// Sends `line` upstream (CRLF appended unless it already ends in LF); its answer is the
  /// answer to the client line being handled (or to the response being handled).
  virtual void forward(std::string_view line) = 0;
  /// Sends `line` upstream on the fault's own account: its answer reaches only the fault
  /// (server_line::injected), never the client unless the fault passes it on.
  virtual void inject(std::string_view line) = 0;
  /// Closes the client connection once everything queued for it is written.
  virtual void close_client() = 0;
  /// Closes the upstream connection once everything queued for it is written.
  virtual void close_server() = 0;
  /// The upstream account, for faults that log in on the client's behalf.
  [[nodiscard]] virtual const credentials& account() const noexcept = 0;
};

/// One connection's fault. The defaults make a transparent proxy; a fault overrides what it breaks.
class fault {
 public:
  virtual ~fault() = default;
  /// True if client lines wait for on_client_line() to forward them (to rewrite or drop them).
  /// False: each line goes upstream as it arrives, octet for octet, and on_client_line() only
  /// learns of it (it may still inject lines or add to the answer).
  [[nodiscard]] virtual bool holds_client_lines() const noexcept { return false; }
  /// A client line; if holds_client_lines(), call out.forward() to pass it on (or answer it with
  /// to_client(), or neither to swallow it: the client then never gets an answer).
  virtual void on_client_line(const client_line& line, fault_actions& out);
  /// An upstream line; the default passes it to the client (injected answers go nowhere).
  virtual void on_server_line(const server_line& line, fault_actions& out);
  /// The client closed its connection; the default closes the upstream connection.
  virtual void on_client_closed(pop3_state state, fault_actions& out);
  /// The upstream closed its connection; the default closes the client connection.
  virtual void on_server_closed(fault_actions& out);
  /// Called about once a second while the connection is open (for faults about idle time).
  virtual void on_tick(std::chrono::steady_clock::time_point now, fault_actions& out);
};

}  // namespace pop3::mutation
