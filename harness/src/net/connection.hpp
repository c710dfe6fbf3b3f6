#pragma once
// One client connection of the runner: TCP, optional TLS (implicit or after STLS), framed line
// reads and chunked writes, each bounded by a deadline. Internal to harness_net (Asio inside).
//
// Flow: connect() (implicit TLS: the handshake follows at once), then send() / read_line() in any
// order, start_tls() once the server said +OK to STLS, close() or destruction to drop it.
// A deadline that passes yields outcome::timeout and leaves the connection usable (the pending
// operation is cancelled), so a scenario can expect silence and carry on.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "pop3/protocol/line_framer.hpp"
#include "tls_options.hpp"

namespace pop3::harness::detail {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

struct io_outcome {
  enum class kind { ok, closed, timeout, failed };
  kind status = kind::ok;
  std::string what;           ///< for closed / failed: why
  bool server_fault = false;  ///< failed because of what the server sent (vs. network or setup)
  protocol::framed_line line; ///< read_line() only
};

/// A client TLS context: TLS 1.2 or later, peer verification unless insecure.
[[nodiscard]] asio::ssl::context make_client_tls_context(const tls_client_options& options);

class connection {
 public:
  /// `tls` must outlive the connection; `verify` says whether to check the host name.
  connection(const asio::any_io_executor& executor, asio::ssl::context& tls, bool verify);

  asio::awaitable<io_outcome> connect(std::string host, std::uint16_t port, bool implicit_tls,
                                      steady::time_point deadline);
  /// chunk_size 0: one write; n: writes of n octets each (1 = byte at a time).
  asio::awaitable<io_outcome> send(std::string bytes, std::size_t chunk_size, steady::time_point deadline);
  /// One framed line of at most max_octets (CRLF included); a longer one comes back too_long.
  asio::awaitable<io_outcome> read_line(std::size_t max_octets, steady::time_point deadline);
  /// Client TLS handshake on the open TCP connection; buffered plaintext is discarded first.
  asio::awaitable<io_outcome> start_tls(steady::time_point deadline);
  void close() noexcept;

  [[nodiscard]] bool is_open() const noexcept;
  [[nodiscard]] bool tls_active() const noexcept { return tls_active_; }

 private:
  asio::awaitable<io_outcome> handshake(steady::time_point deadline);
  asio::awaitable<io_outcome> write_all(std::string_view bytes, steady::time_point deadline);

  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  asio::steady_timer timer_;
  protocol::line_framer framer_;
  std::array<char, 16384> buffer_{};
  std::string host_;
  bool verify_;
  bool tls_active_ = false;
};

}  // namespace pop3::harness::detail
