// The per-connection coroutine of the reference server (see connection.hpp for the flow).
#include "connection.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <tuple>
#include <utility>

namespace pop3::refd::detail {
namespace {

using asio::as_tuple;
using asio::use_awaitable;

// Past this much queued output, it is written before the next pipelined command runs.
constexpr std::size_t flush_threshold = 64 * 1024;
// How long a graceful close waits for the peer's FIN (or TLS close_notify) after our last
// bytes: closing with unread input would send RST and could destroy the final response.
constexpr std::chrono::seconds close_linger{2};
// Keeps deadline arithmetic far from overflow whatever autologout the config asks for.
constexpr std::chrono::seconds longest_timeout{std::chrono::hours(24 * 365)};

}  // namespace

connection::connection(server_context& ctx, tcp::socket socket, bool implicit_tls)
    : ctx_(ctx),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      framer_(ctx.config.max_command_octets),
      implicit_tls_(implicit_tls) {
  // Every answer is one complete write, so Nagle's algorithm has nothing to coalesce; what it
  // does do is hold a small write behind an unacknowledged one until the client's delayed ACK
  // (about 40 ms): the greeting behind TLS 1.3's session tickets, close_notify behind QUIT's
  // +OK. Measured: two such waits per implicit-TLS session, 11 sessions/s instead of hundreds.
  boost::system::error_code ignored;  // a socket that cannot take the option still works
  socket_.set_option(tcp::no_delay(true), ignored);
  ctx_.live.insert(this);
}

connection::~connection() {
  ctx_.live.erase(this);
  end_session();
}

asio::awaitable<void> connection::run(std::shared_ptr<connection> self) {
  using namespace asio::experimental::awaitable_operators;
  self->arm(self->idle_timeout());
  try {
    co_await (self->serve() || self->watchdog());
  } catch (const std::exception& e) {
    // A failing session or store ends this connection only; the server keeps serving.
    std::cerr << "pop3refd: connection " << self->make_info().peer << " ended by error: " << e.what() << '\n';
  }
  self->close_socket();  // serve() already did this unless it never started
  self->end_session();
}

void connection::abort() noexcept { close_socket(); }

asio::awaitable<void> connection::serve() {
  co_await converse();
  // Straight away, not when run() resumes: the maildrop lock and the session slot must be
  // free before the next accepted connection can ask for them.
  close_socket();
  end_session();
}

// Every co_await result goes into a named local first: GCC 12 miscompiles co_await inside
// conditions, return expressions and switch cases in some combinations (seen as SIGILL).
asio::awaitable<void> connection::converse() {
  if (implicit_tls_) {
    const bool secured = co_await handshake();  // RFC 8314: TLS first, then greet
    if (!secured) co_return;
  }
  if (ctx_.sessions >= ctx_.config.max_sessions) {
    pending_ = "-ERR [SYS/TEMP] too many sessions\r\n";
    co_await flush_and_close();
    co_return;
  }
  session_.emplace(ctx_.config, ctx_.store, make_info());
  ++ctx_.sessions;
  counted_ = true;
  session_output out = session_->greet();
  for (;;) {
    if (pending_.empty()) {
      pending_ = std::move(out.bytes);  // a big RETR is not copied again
    } else {
      pending_ += out.bytes;
    }
    if (out.then == session_output::next::close) {
      session_done_ = true;  // the session ended itself (QUIT, ...): no on_disconnect()
      co_await flush_and_close();
      co_return;
    }
    if (out.then == session_output::next::start_tls) {
      const bool written = co_await flush();
      if (!written) co_return;
      // RFC 2595 §4: bytes pipelined after STLS must never be acted on (command injection).
      framer_.clear();
      // A failed handshake closes the connection; it never falls back to plaintext (A48).
      const bool secured = co_await handshake();
      if (!secured) co_return;
      session_->on_tls_established();
    } else if (out.then == session_output::next::flush || pending_.size() >= flush_threshold) {
      // Pipelined answers are coalesced, but a pipeline of big RETRs must not queue unbounded
      // memory, and an answer the client must wait for (SLEE) must not wait for later lines.
      const bool written = co_await flush();
      if (!written) co_return;
    }
    // Answer every complete line one read delivered before writing (PIPELINING), re-applying
    // the session's line limit before each line: it changes during SASL exchanges.
    std::optional<protocol::framed_line> line;
    for (;;) {
      framer_.set_max_line(session_->max_line_octets());
      line = framer_.next();
      if (line) break;
      const bool written = co_await flush();
      if (!written) co_return;
      const bool received = co_await read_more();
      if (!received) co_return;  // EOF, error or autologout: a drop, no UPDATE
    }
    out = session_->on_line(*line);
  }
}

asio::awaitable<void> connection::flush_and_close() {
  const bool written = co_await flush();
  // The session is over once its last answer is out: free the maildrop lock and the session
  // slot now, not after the linger below.
  end_session();
  if (written) co_await close_gracefully();
}

asio::awaitable<bool> connection::flush() {
  if (pending_.empty()) co_return true;
  arm(idle_timeout());
  boost::system::error_code ec;
  if (tls_) {
    std::tie(ec, std::ignore) =
        co_await asio::async_write(*tls_, asio::buffer(pending_), as_tuple(use_awaitable));
  } else {
    std::tie(ec, std::ignore) =
        co_await asio::async_write(socket_, asio::buffer(pending_), as_tuple(use_awaitable));
  }
  // Give back the memory of a big RETR so that idle connections stay small.
  if (pending_.capacity() > flush_threshold) {
    std::string().swap(pending_);
  } else {
    pending_.clear();
  }
  co_return !ec;
}

asio::awaitable<bool> connection::read_more() {
  arm(idle_timeout());
  boost::system::error_code ec;
  std::size_t received = 0;
  if (tls_) {
    std::tie(ec, received) = co_await tls_->async_read_some(asio::buffer(buffer_), as_tuple(use_awaitable));
  } else {
    std::tie(ec, received) = co_await socket_.async_read_some(asio::buffer(buffer_), as_tuple(use_awaitable));
  }
  if (ec) co_return false;
  framer_.feed(std::string_view(buffer_.data(), received));
  co_return true;
}

asio::awaitable<bool> connection::handshake() {
  if (ctx_.tls == nullptr) co_return false;
  tls_ = std::make_unique<tls_stream>(socket_, *ctx_.tls);
  arm(idle_timeout());
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, as_tuple(use_awaitable));
  co_return !ec;
}

asio::awaitable<void> connection::close_gracefully() {
  arm(std::min<clock::duration>(idle_timeout(), close_linger));
  if (tls_) {
    // Sends close_notify (RFC 8314 §3.4) and waits for the peer's reply or EOF.
    co_await tls_->async_shutdown(as_tuple(use_awaitable));
  } else {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    for (;;) {  // discard input until the peer closes (or the linger deadline closes the socket)
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer_), as_tuple(use_awaitable));
      if (ec) break;
    }
  }
  close_socket();
}

asio::awaitable<void> connection::watchdog() {
  for (;;) {
    timer_.expires_at(deadline_);
    co_await timer_.async_wait(as_tuple(use_awaitable));
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;  // serve() is over
    if (clock::now() >= deadline_) {
      // Autologout (RFC 1939 §3): close without a response; serve() sees the error and the
      // session gets on_disconnect(), so nothing is deleted.
      close_socket();
      co_return;
    }
  }
}

void connection::arm(clock::duration timeout) {
  deadline_ = clock::now() + timeout;
  // An earlier deadline than the one the watchdog sleeps on must wake it (re-armed there).
  if (deadline_ < timer_.expiry()) timer_.cancel();
}

std::chrono::seconds connection::idle_timeout() const {
  const auto timeout = session_ ? session_->idle_timeout() : ctx_.config.autologout;
  return std::clamp(timeout, std::chrono::seconds(0), longest_timeout);
}

connection_info connection::make_info() const {
  connection_info info;
  info.tls_active = implicit_tls_;
  info.implicit_tls = implicit_tls_;
  info.tls_available = ctx_.tls != nullptr;
  boost::system::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (!ec) info.peer = peer.address().to_string() + ":" + std::to_string(peer.port());
  return info;
}

void connection::close_socket() noexcept {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void connection::end_session() noexcept {
  if (session_ && !session_done_) {
    session_done_ = true;
    try {
      session_->on_disconnect();
    } catch (const std::exception& e) {
      std::cerr << "pop3refd: on_disconnect failed: " << e.what() << '\n';
    }
  }
  session_.reset();  // releases the maildrop lock now, not when the frame is destroyed
  if (counted_) {
    --ctx_.sessions;
    counted_ = false;
  }
}

}  // namespace pop3::refd::detail
