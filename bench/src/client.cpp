// The load generator's POP3 client (see client.hpp).
#include "client.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace pop3::bench {
namespace {

using asio::as_tuple;
using asio::use_awaitable;

// Room for the longest line plus a large read, so that a read never has to wait for a compaction.
constexpr std::size_t buffer_octets = max_line_octets + 256 * 1024;
constexpr std::size_t read_octets = 128 * 1024;

}  // namespace

client::client(const asio::any_io_executor& executor, asio::ssl::context& tls, std::chrono::milliseconds timeout)
    : socket_(executor), tls_context_(tls), timer_(executor), timeout_(timeout) {
  in_.resize(buffer_octets);
}

client::~client() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

// The timer cancels whatever operation is pending when the deadline passes; the operation then
// fails with operation_aborted and the caller sees timed_out_.
void client::arm() {
  timed_out_ = false;
  timer_.expires_after(timeout_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled: `this` may be gone, do not touch it
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
}

asio::awaitable<std::string> client::connect(const tcp::endpoint& server, security mode) {
  arm();
  auto [ec] = co_await socket_.async_connect(server, as_tuple(use_awaitable));
  if (ec) throw bench_error("connect: " + ec.message());
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (mode == security::tls) co_await handshake();
  std::string greeting(co_await line());
  if (!greeting.starts_with("+OK")) throw bench_error("greeting: " + greeting);
  if (mode == security::stls) {
    co_await command("STLS");
    co_await handshake();
  }
  co_return greeting;
}

asio::awaitable<void> client::handshake() {
  tls_ = std::make_unique<tls_stream>(socket_, tls_context_);
  arm();
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, as_tuple(use_awaitable));
  if (ec) throw bench_error(timed_out_ ? "TLS handshake: timeout" : "TLS handshake: " + ec.message());
}

asio::awaitable<void> client::send(std::string_view bytes) {
  arm();
  boost::system::error_code ec;
  if (tls_) {
    std::tie(ec, std::ignore) = co_await asio::async_write(*tls_, asio::buffer(bytes), as_tuple(use_awaitable));
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(bytes), as_tuple(use_awaitable));
  }
  if (ec) throw bench_error(timed_out_ ? "write: timeout" : "write: " + ec.message());
}

asio::awaitable<void> client::fill() {
  // in_ holds [start_, end) with end = in_.size() - free space; keep it as offsets in in_'s
  // first bytes: the live bytes are moved to the front when the tail is too short for a read.
  if (start_ == end_) start_ = end_ = 0;
  if (in_.size() - end_ < read_octets) {
    std::memmove(in_.data(), in_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  arm();
  boost::system::error_code ec;
  std::size_t n = 0;
  const auto room = asio::buffer(in_.data() + end_, in_.size() - end_);
  if (tls_) {
    std::tie(ec, n) = co_await tls_->async_read_some(room, as_tuple(use_awaitable));
  } else {
    std::tie(ec, n) = co_await socket_.async_read_some(room, as_tuple(use_awaitable));
  }
  if (ec) {
    if (timed_out_) throw bench_error("read: timeout after " + std::to_string(timeout_.count()) + " ms");
    throw bench_error(ec == asio::error::eof ? "read: the server closed the connection" : "read: " + ec.message());
  }
  end_ += n;
}

asio::awaitable<std::string_view> client::line() {
  std::size_t scanned = start_;
  for (;;) {
    const char* from = in_.data() + scanned;
    const auto* lf = static_cast<const char*>(std::memchr(from, '\n', end_ - scanned));
    if (lf != nullptr) {
      const auto at = static_cast<std::size_t>(lf - in_.data());
      const std::size_t begin = start_;
      start_ = at + 1;
      std::size_t stop = at;
      if (stop > begin && in_[stop - 1] == '\r') --stop;
      co_return std::string_view(in_.data() + begin, stop - begin);
    }
    if (end_ - start_ > max_line_octets) throw bench_error("a line longer than " + std::to_string(max_line_octets) + " octets");
    scanned = end_ - start_;  // offsets survive the compaction inside fill()
    co_await fill();
    scanned += start_;
  }
}

asio::awaitable<std::string_view> client::command(std::string_view text) {
  std::string wire(text);
  wire += "\r\n";
  co_await send(wire);
  const std::string_view answer = co_await line();
  if (!answer.starts_with("+OK")) throw bench_error(std::string(text.substr(0, text.find(' '))) + ": " + std::string(answer));
  co_return answer;
}

asio::awaitable<std::size_t> client::data() {
  std::size_t payload = 0;
  for (;;) {
    const std::string_view text = co_await line();
    if (text == ".") co_return payload;
    payload += text.size() + 2 - (text.starts_with('.') ? 1 : 0);
    if (payload > max_answer_octets) throw bench_error("a multi-line answer over " + std::to_string(max_answer_octets) + " octets");
  }
}

asio::awaitable<void> client::login(std::string_view user, std::string_view pass) {
  co_await command("USER " + std::string(user));
  co_await command("PASS " + std::string(pass));
}

asio::awaitable<void> client::quit() {
  co_await command("QUIT");
  // The session ends with the server's close (RFC 1939 §6); a TLS server sends close_notify
  // first, which reads as end of stream too.
  try {
    for (;;) {
      start_ = end_;  // whatever comes after the +OK is discarded
      co_await fill();
    }
  } catch (const bench_error&) {
    if (timed_out_) throw;
  }
  timer_.cancel();
}

}  // namespace pop3::bench
