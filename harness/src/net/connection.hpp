#pragma once
// One client connection of the runner: TCP, optional TLS (implicit or after STLS), framed line
// reads and chunked writes, each bounded by a deadline. Internal to harness_net (Asio inside).
//
// Flow: connect() (implicit TLS: the handshake follows at once), then send() / read_line() in any
// order, start_tls() once the server said +OK to STLS, close() or destruction to drop it.
// A close the server makes on TLS is reported with its kind (close_notify first, or not).
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

#include "pop3/harness/executor.hpp"
#include "pop3/protocol/line_framer.hpp"
#include "tls_handshake.hpp"
#include "tls_options.hpp"

namespace pop3::harness::detail {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

struct io_outcome {
  enum class kind { ok, closed, timeout, failed };
  kind status = kind::ok;
  std::string what;           ///< for closed / failed: why; after a handshake: version and suite
  bool server_fault = false;  ///< failed because of what the server sent (vs. network or setup)
  protocol::framed_line line; ///< read_line() only
  close_kind close = close_kind::tcp;  ///< closed: whether a TLS close_notify came first
  bool refused = false;       ///< a handshake the server refused (alert, close, version not offered)
};

/// The offer of a `tls` step without options (what every other handshake offers).
inline const tls_offer no_tls_options{};

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
  /// `offer` changes what the client offers (tls_handshake.hpp). With `refusal_expected` the
  /// certificate is not verified, and a failure is the server's only when it refused (an alert,
  /// a close, or a version the client did not offer); a client that could not send its
  /// ClientHello is always a failure of the harness (server_fault false).
  /// `offer` must outlive the operation (never a temporary: GCC 12 mishandles temporaries bound
  /// to a coroutine's reference parameters, and class types passed by value).
  asio::awaitable<io_outcome> start_tls(steady::time_point deadline, const tls_offer& offer = no_tls_options,
                                        bool refusal_expected = false);
  void close() noexcept;

  [[nodiscard]] bool is_open() const noexcept;
  [[nodiscard]] bool tls_active() const noexcept { return tls_active_; }

 private:
  asio::awaitable<io_outcome> handshake(steady::time_point deadline, const tls_offer& offer, bool refusal_expected);
  [[nodiscard]] io_outcome handshake_failure(const boost::system::error_code& failure, const tls_offer& offer,
                                             bool refusal_expected) const;
  asio::awaitable<io_outcome> write_all(std::string_view bytes, steady::time_point deadline);
  /// from_error() for the stream, with the kind of close on TLS.
  [[nodiscard]] io_outcome broken(const boost::system::error_code& ec, std::string_view doing);

  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  asio::steady_timer timer_;
  protocol::line_framer framer_;
  std::array<char, 16384> buffer_{};
  handshake_watch watch_;
  std::string host_;
  bool verify_;
  bool tls_active_ = false;
};

}  // namespace pop3::harness::detail
