// blocking_client: runs one detail::connection coroutine at a time on a private io_context.
#include "blocking_client.hpp"

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "connection.hpp"

namespace pop3::harness::detail {

struct blocking_client::impl {
  impl(const tls_client_options& tls, std::chrono::milliseconds limit)
      : tls_context(make_client_tls_context(tls)), conn(io.get_executor(), tls_context, !tls.insecure),
        timeout(limit) {}

  // Runs one connection operation to completion; rethrows exceptions from the coroutine.
  io_outcome run(asio::awaitable<io_outcome> op) {
    std::optional<io_outcome> result;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, io_outcome r) {
      failure = e;
      result = std::move(r);
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*result);
  }

  [[nodiscard]] steady::time_point deadline() const { return steady::now() + timeout; }

  asio::io_context io;
  asio::ssl::context tls_context;
  connection conn;
  std::chrono::milliseconds timeout;
};

namespace {

client_error to_error(const io_outcome& outcome, client_error::kind if_failed) {
  switch (outcome.status) {
    case io_outcome::kind::closed: return client_error(client_error::kind::closed, "the server closed the connection");
    case io_outcome::kind::timeout: return client_error(client_error::kind::timeout, outcome.what);
    default: return client_error(if_failed, outcome.what);
  }
}

}  // namespace

blocking_client::blocking_client(const tls_client_options& tls, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(tls, timeout)) {}

blocking_client::~blocking_client() { close(); }

void blocking_client::connect(const std::string& host, std::uint16_t port, bool implicit_tls) {
  auto outcome = impl_->run(impl_->conn.connect(host, port, implicit_tls, impl_->deadline()));
  if (outcome.status == io_outcome::kind::ok) return;
  close();
  throw client_error(client_error::kind::unreachable, outcome.status == io_outcome::kind::closed
                                                          ? "the server closed the connection during connect"
                                                          : outcome.what);
}

void blocking_client::send(std::string bytes) {
  auto outcome = impl_->run(impl_->conn.send(std::move(bytes), 0, impl_->deadline()));
  if (outcome.status == io_outcome::kind::ok) return;
  close();
  throw to_error(outcome, client_error::kind::failed);
}

protocol::framed_line blocking_client::read_line(std::size_t max_octets) {
  auto outcome = impl_->run(impl_->conn.read_line(max_octets, impl_->deadline()));
  if (outcome.status == io_outcome::kind::ok) return std::move(outcome.line);
  close();
  throw to_error(outcome, client_error::kind::failed);
}

void blocking_client::start_tls() {
  auto outcome = impl_->run(impl_->conn.start_tls(impl_->deadline()));
  if (outcome.status == io_outcome::kind::ok) return;
  close();
  throw to_error(outcome, client_error::kind::failed);
}

void blocking_client::close() noexcept { impl_->conn.close(); }

}  // namespace pop3::harness::detail
