#pragma once
// One client connection of the reference server: the coroutine that moves bytes between a
// socket (plain, STLS-upgraded or implicit TLS) and a pop3::refd::session, plus its timer.
// Internal to pop3_refd_net.
#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "asio.hpp"
#include "pop3/protocol/line_framer.hpp"
#include "pop3/refd/config.hpp"
#include "pop3/refd/session.hpp"

namespace pop3::refd::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class connection;

/// What every connection shares with the server. Lives on the io_context's single thread,
/// so nothing here needs a lock.
struct server_context {
  server_context(const server_config& c, maildir_store& s) : config(c), store(s) {}

  const server_config& config;
  maildir_store& store;
  asio::ssl::context* tls = nullptr;     ///< null when no certificate is configured
  std::size_t sessions = 0;              ///< connections that got a session (max_sessions)
  std::unordered_set<connection*> live;  ///< every open connection, for shutdown
  bool stopping = false;
};

/// Flow: run() races serve() against watchdog(). serve() runs converse() and then frees the
/// session at once. converse() does the implicit-TLS handshake if any, checks max_sessions,
/// sends the greeting, then loops: queue the session's output and act on its `then`
/// (flush: write the queue now; start_tls: flush the +OK, discard buffered input, upgrade the
/// stream; close: flush, free the session, close gracefully), take the next complete line from
/// the framer, or flush the queued answers and read more. The watchdog closes the socket silently when the
/// deadline passes (re-armed before every read and write from session.idle_timeout()).
/// Whatever way the connection ends other than the session's own close, the session gets
/// on_disconnect().
class connection {
 public:
  connection(server_context& ctx, tcp::socket socket, bool implicit_tls);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Serves the connection to its end. Never throws.
  static asio::awaitable<void> run(std::shared_ptr<connection> self);
  /// Ends the connection at once (server shutdown): pending operations fail, no response.
  void abort() noexcept;

 private:
  using tls_stream = asio::ssl::stream<tcp::socket&>;
  using clock = std::chrono::steady_clock;

  asio::awaitable<void> serve();
  asio::awaitable<void> converse();
  asio::awaitable<void> watchdog();
  asio::awaitable<void> flush_and_close();
  asio::awaitable<bool> flush();
  asio::awaitable<bool> read_more();
  asio::awaitable<bool> handshake();
  asio::awaitable<void> close_gracefully();

  void arm(std::chrono::steady_clock::duration timeout);
  [[nodiscard]] std::chrono::seconds idle_timeout() const;
  [[nodiscard]] connection_info make_info() const;
  void close_socket() noexcept;
  void end_session() noexcept;

  server_context& ctx_;
  tcp::socket socket_;
  std::unique_ptr<tls_stream> tls_;  // set once TLS starts; wraps socket_
  asio::steady_timer timer_;
  clock::time_point deadline_;
  protocol::line_framer framer_;
  std::optional<session> session_;
  std::string pending_;  // queued output, written in order
  std::array<char, 4096> buffer_{};
  bool implicit_tls_;
  bool counted_ = false;       // holds one of ctx_.sessions
  bool session_done_ = false;  // the session closed or got on_disconnect()
};

}  // namespace pop3::refd::detail
