// The runner's client connection: TCP + TLS through Boost.Asio, every operation raced against a
// deadline timer (awaitable operator ||), so a silent or hostile server can never hold us.
#include "connection.hpp"

#include <algorithm>
#include <optional>
#include <tuple>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace pop3::harness::detail {
namespace {

using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Runs `op` unless `deadline` passes first; the loser is cancelled. nullopt means timeout.
template <typename T>
asio::awaitable<std::optional<T>> before(asio::awaitable<T> op, asio::steady_timer& timer,
                                         steady::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  timer.expires_at(deadline);
  auto raced = co_await (std::move(op) || timer.async_wait(use_tuple));
  if (raced.index() == 0) co_return std::get<0>(std::move(raced));
  co_return std::nullopt;
}

bool is_disconnect(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::not_connected;
}

bool is_certificate_failure(const error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

io_outcome timed_out(std::string what) {
  return io_outcome{io_outcome::kind::timeout, std::move(what), false, {}};
}

io_outcome from_error(const error_code& ec, std::string_view doing) {
  if (is_disconnect(ec)) return io_outcome{io_outcome::kind::closed, std::string(ec.message()), false, {}};
  const bool tls = ec.category() == asio::error::get_ssl_category();
  return io_outcome{io_outcome::kind::failed, std::string(doing) + ": " + ec.message(), tls, {}};
}

}  // namespace

asio::ssl::context make_client_tls_context(const tls_client_options& options) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  if (options.insecure) {
    ctx.set_verify_mode(asio::ssl::verify_none);
  } else {
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (options.ca_file.empty()) {
      ctx.set_default_verify_paths();
    } else {
      ctx.load_verify_file(options.ca_file);
    }
  }
  if (!options.client_cert.empty()) {
    ctx.use_certificate_chain_file(options.client_cert);
    ctx.use_private_key_file(options.client_key, asio::ssl::context::pem);
  }
  return ctx;
}

connection::connection(const asio::any_io_executor& executor, asio::ssl::context& tls, bool verify)
    : stream_(executor, tls), timer_(executor), framer_(512), verify_(verify) {}

asio::awaitable<io_outcome> connection::connect(std::string host, std::uint16_t port, bool implicit_tls,
                                                steady::time_point deadline) {
  host_ = host;
  asio::ip::tcp::resolver resolver(stream_.get_executor());
  auto resolved =
      co_await before(resolver.async_resolve(host, std::to_string(port), use_tuple), timer_, deadline);
  if (!resolved) co_return timed_out("resolving " + host + " timed out");
  auto [resolve_ec, endpoints] = *resolved;
  if (resolve_ec) co_return io_outcome{io_outcome::kind::failed, "cannot resolve " + host + ": " + resolve_ec.message(), false, {}};

  auto connected = co_await before(asio::async_connect(stream_.next_layer(), endpoints, use_tuple), timer_, deadline);
  const std::string where = host + ":" + std::to_string(port);
  if (!connected) {
    close();
    co_return timed_out("connecting to " + where + " timed out");
  }
  if (auto ec = std::get<0>(*connected)) {
    co_return io_outcome{io_outcome::kind::failed, "cannot connect to " + where + ": " + ec.message(), false, {}};
  }
  error_code ignored;
  // Byte-at-a-time writes must reach the server as separate segments.
  stream_.next_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (implicit_tls) {
    auto shaken = co_await handshake(deadline, no_tls_options, false);
    co_return shaken;
  }
  co_return io_outcome{};
}

asio::awaitable<io_outcome> connection::write_all(std::string_view bytes, steady::time_point deadline) {
  auto buffer = asio::buffer(bytes.data(), bytes.size());
  auto written = tls_active_ ? co_await before(asio::async_write(stream_, buffer, use_tuple), timer_, deadline)
                             : co_await before(asio::async_write(stream_.next_layer(), buffer, use_tuple), timer_, deadline);
  if (!written) co_return timed_out("write timed out (the server does not read)");
  if (auto ec = std::get<0>(*written)) co_return broken(ec, "write");
  co_return io_outcome{};
}

asio::awaitable<io_outcome> connection::send(std::string bytes, std::size_t chunk_size, steady::time_point deadline) {
  const std::string_view all(bytes);
  if (chunk_size == 0) chunk_size = std::max<std::size_t>(all.size(), 1);
  for (std::size_t pos = 0; pos < all.size(); pos += chunk_size) {
    auto done = co_await write_all(all.substr(pos, chunk_size), deadline);
    if (done.status != io_outcome::kind::ok) co_return done;
  }
  co_return io_outcome{};
}

asio::awaitable<io_outcome> connection::read_line(std::size_t max_octets, steady::time_point deadline) {
  framer_.set_max_line(max_octets);
  for (;;) {
    if (auto line = framer_.next()) co_return io_outcome{io_outcome::kind::ok, {}, false, std::move(*line)};
    auto buffer = asio::buffer(buffer_);
    auto got = tls_active_ ? co_await before(stream_.async_read_some(buffer, use_tuple), timer_, deadline)
                           : co_await before(stream_.next_layer().async_read_some(buffer, use_tuple), timer_, deadline);
    if (!got) co_return timed_out("no complete line before the read timeout");
    auto [ec, n] = *got;
    framer_.feed(std::string_view(buffer_.data(), n));
    if (ec) {
      // Deliver what was framed before the error; the error shows again on the next read.
      if (auto line = framer_.next()) co_return io_outcome{io_outcome::kind::ok, {}, false, std::move(*line)};
      co_return broken(ec, "read");
    }
  }
}

asio::awaitable<io_outcome> connection::start_tls(steady::time_point deadline, const tls_offer& offer,
                                                  bool refusal_expected) {
  // RFC 2595 §4: anything the server sent after its +OK and before the handshake is not trusted.
  framer_.clear();
  auto outcome = co_await handshake(deadline, offer, refusal_expected);
  co_return outcome;
}

asio::awaitable<io_outcome> connection::handshake(steady::time_point deadline, const tls_offer& offer,
                                                  bool refusal_expected) {
  SSL* ssl = stream_.native_handle();
  error_code ec;
  const bool is_ip_literal = (asio::ip::make_address(host_, ec), !ec);
  if (!is_ip_literal) {
    // SNI; SSL_set_tlsext_host_name() is a macro with a C cast, so call what it expands to.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host_.data());
  }
  if (const auto problem = apply_tls_offer(ssl, offer)) {
    co_return io_outcome{io_outcome::kind::failed, "TLS handshake: " + *problem, false, {}};
  }
  if (refusal_expected) {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
  } else if (verify_) {
    stream_.set_verify_callback(asio::ssl::host_name_verification(host_));
  }
  watch_ = handshake_watch{};
  watch_.attach(ssl);
  auto shaken = co_await before(stream_.async_handshake(asio::ssl::stream_base::client, use_tuple), timer_, deadline);
  watch_.detach(ssl);
  if (!shaken) co_return timed_out("TLS handshake timed out");
  if (auto failure = std::get<0>(*shaken)) co_return handshake_failure(failure, offer, refusal_expected);
  tls_active_ = true;
  co_return io_outcome{io_outcome::kind::ok, describe_tls_session(ssl), false, {}};
}

io_outcome connection::handshake_failure(const error_code& failure, const tls_offer& offer,
                                         bool refusal_expected) const {
  const std::string offered = offer.is_default() ? "" : " (offering " + offer.to_string() + ")";
  if (!watch_.client_hello_sent) {
    // Nothing reached the server: this OpenSSL cannot make the offer (versions, suites, policy).
    return io_outcome{io_outcome::kind::failed,
                      "TLS handshake: the client could not send its ClientHello" + offered + ": " + failure.message(),
                      false, {}};
  }
  if (is_certificate_failure(failure)) {
    // The server's certificate did not verify against the CAs the run trusts: that is the
    // server's fault as far as rule tls/server/valid-certificate goes; the hint covers a
    // run that simply forgot its CA file.
    return io_outcome{io_outcome::kind::failed,
                      "TLS certificate verification failed for " + host_ + " (use --ca FILE or --insecure)", true, {}};
  }
  io_outcome out{io_outcome::kind::failed, "TLS handshake: " + failure.message(), true, {}};
  // An alert, a close or a version not offered is the server's refusal; garbage is no refusal.
  out.refused = true;
  if (watch_.alert_received) {
    out.what = "TLS handshake: the server sent the alert \"" + handshake_watch::alert_name(*watch_.alert_received) +
               "\"" + offered;
  } else if (is_disconnect(failure)) {
    // A peer that hangs up (or, below, talks garbage instead of TLS) is at fault, not the harness.
    out.what = "TLS handshake: the server closed the connection" + offered;
  } else if (watch_.alert_sent == SSL_AD_PROTOCOL_VERSION) {
    out.what = "TLS handshake: the server chose a TLS version the client did not offer" + offered + ": " +
               failure.message();
  } else {
    out.refused = false;
    if (refusal_expected) {
      // The client gave up on an answer that was no refusal: whether the server would have
      // completed this handshake is unknown, so this proves nothing either way.
      out.what = "TLS handshake: the client gave up" + offered + " without a refusal from the server: " +
                 failure.message();
      out.server_fault = false;
    }
  }
  return out;
}

io_outcome connection::broken(const error_code& ec, std::string_view doing) {
  io_outcome out = from_error(ec, doing);
  if (out.status == io_outcome::kind::closed && tls_active_) {
    // Asio reports eof on TLS only after a close_notify; the flag says so whatever came after it.
    const bool notified = (SSL_get_shutdown(stream_.native_handle()) & SSL_RECEIVED_SHUTDOWN) != 0;
    out.close = notified ? close_kind::tls_close_notify : close_kind::tls_truncated;
  }
  return out;
}

void connection::close() noexcept {
  error_code ignored;
  stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.next_layer().close(ignored);
  timer_.cancel();
  tls_active_ = false;
}

bool connection::is_open() const noexcept { return stream_.next_layer().is_open(); }

}  // namespace pop3::harness::detail
