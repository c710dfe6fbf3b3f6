#pragma once
// A lean POP3 client for load generation: one TCP (optionally TLS) connection, line reads from
// its own buffer, multi-line answers un-stuffed and counted without copying. Every operation is
// bounded by the client's timeout and every read by a cap, so a stalled or hostile server ends
// the operation with bench_error, never a hang. Single-threaded: one io_context per thread.
//
// The harness's own connection (harness/src/net) does more (chunked writes, TLS probing,
// transcripts) and costs more per line; a load generator must be cheaper than the server it
// measures, so it has its own small client.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "modes.hpp"

namespace pop3::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class bench_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Caps: a status line is at most 512 octets (RFC 2449 §4); data lines get more room, since
/// servers differ, and a whole answer is bounded so that a server that never ends one cannot
/// fill memory.
inline constexpr std::size_t max_line_octets = 64 * 1024;
inline constexpr std::size_t max_answer_octets = std::size_t{256} << 20;

class client {
 public:
  client(const asio::any_io_executor& executor, asio::ssl::context& tls, std::chrono::milliseconds timeout);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Connects, does the TLS handshake (tls) or reads the greeting and upgrades (stls), and
  /// returns the greeting line.
  asio::awaitable<std::string> connect(const tcp::endpoint& server, security mode);
  asio::awaitable<void> send(std::string_view bytes);
  /// One line, CRLF removed. Throws bench_error on timeout, close or a line over the cap.
  asio::awaitable<std::string_view> line();
  /// Sends `command` and reads one status line; throws unless it starts with +OK.
  asio::awaitable<std::string_view> command(std::string_view command);
  /// Reads the data lines of a multi-line answer up to the terminator; returns the octets of
  /// the un-stuffed payload, CRLF line ends included (what LIST's size counts).
  asio::awaitable<std::size_t> data();
  /// USER/PASS login.
  asio::awaitable<void> login(std::string_view user, std::string_view pass);
  /// QUIT, its +OK, then waits for the server to close the connection.
  asio::awaitable<void> quit();

 private:
  using tls_stream = asio::ssl::stream<tcp::socket&>;
  asio::awaitable<void> fill();
  asio::awaitable<void> handshake();
  void arm();

  tcp::socket socket_;
  asio::ssl::context& tls_context_;
  std::unique_ptr<tls_stream> tls_;
  asio::steady_timer timer_;
  std::chrono::milliseconds timeout_;
  std::string in_;         // a fixed buffer: in_[start_, end_) is received and not yet consumed
  std::size_t start_ = 0;
  std::size_t end_ = 0;
  bool timed_out_ = false;
};

}  // namespace pop3::bench
