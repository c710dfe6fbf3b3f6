// pop3::refd::server: listeners, the TLS context, the io_context thread and shutdown.
#include "pop3/refd/server.hpp"

#include <openssl/ssl.h>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "asio.hpp"
#include "connection.hpp"
#include "pop3/refd/maildir_store.hpp"

namespace pop3::refd {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// After stop() has closed everything, run() returns as soon as the last operation completes;
// this bounds the wait should anything still be pending, so stop() can never hang.
constexpr std::chrono::seconds shutdown_grace{5};
// Back-off after a failed accept (e.g. out of file descriptors) so the loop does not spin.
constexpr std::chrono::milliseconds accept_backoff{100};

std::string describe(const listen_endpoint& endpoint) {
  return endpoint.address + ":" + std::to_string(endpoint.port);
}

// TLS 1.2+ only (RFC 8314 §4.1), certificate and key from the config.
std::optional<asio::ssl::context> make_tls_context(const server_config& config) {
  if (config.tls_cert.empty() && config.tls_key.empty()) return std::nullopt;
  if (config.tls_cert.empty() || config.tls_key.empty()) {
    throw std::runtime_error("TLS needs both a certificate and a key (tls_cert, tls_key)");
  }
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  // Idle TLS connections give their record buffers back: thousands of them stay cheap.
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  tls.use_certificate_chain_file(config.tls_cert.string(), ec);
  if (ec)
    throw std::runtime_error("cannot load TLS certificate " + config.tls_cert.string() + ": " + ec.message());
  tls.use_private_key_file(config.tls_key.string(), asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + config.tls_key.string() + ": " + ec.message());
  if (SSL_CTX_check_private_key(tls.native_handle()) != 1) {
    throw std::runtime_error("TLS key " + config.tls_key.string() + " does not match the certificate");
  }
  return tls;
}

}  // namespace

// Flow: bind() opens the acceptors (and the TLS context); run() spawns one accept loop per
// acceptor and runs the io_context on the calling thread; each accepted socket becomes a
// detail::connection coroutine. stop() posts shutdown() to the io thread (close acceptors,
// abort every connection) and waits until run() has returned.
struct server::impl {
  server_config config;
  std::shared_ptr<maildir_store> store;
  std::optional<asio::ssl::context> tls;
  detail::server_context shared;
  asio::io_context io{1};
  std::vector<tcp::acceptor> acceptors;  // in the order of config.listen
  std::vector<std::uint16_t> ports;      // their bound ports, read by other threads
  std::optional<asio::signal_set> signals;
  std::thread thread;

  std::mutex mutex;
  std::condition_variable changed;
  bool running = false;
  bool stop_requested = false;
  bool bound = false;

  impl(server_config c, std::shared_ptr<maildir_store> s)
      : config(std::move(c)), store(std::move(s)), shared(config, *store) {}

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, bool implicit_tls);
  void shutdown();
};

asio::awaitable<void> server::impl::accept_loop(tcp::acceptor& acceptor, bool implicit_tls) {
  asio::steady_timer backoff(io);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (shared.stopping || !acceptor.is_open()) co_return;
    if (ec) {
      backoff.expires_after(accept_backoff);
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    auto conn = std::make_shared<detail::connection>(shared, std::move(socket), implicit_tls);
    asio::co_spawn(io, detail::connection::run(std::move(conn)), asio::detached);
  }
}

void server::impl::shutdown() {
  shared.stopping = true;
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors) acceptor.close(ignored);
  if (signals) signals->cancel(ignored);
  // abort() only closes sockets; the connections leave `live` when their coroutines end.
  for (auto* conn : shared.live) conn->abort();
}

server::server(server_config config) : server(config, std::make_shared<maildir_store>(config.maildir_root)) {}

server::server(server_config config, std::shared_ptr<maildir_store> store)
    : impl_(std::make_unique<impl>(std::move(config), std::move(store))) {}

server::~server() { stop(); }

void server::bind() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->bound) return;
  impl_->tls = make_tls_context(impl_->config);
  impl_->shared.tls = impl_->tls ? &*impl_->tls : nullptr;
  // Built aside and kept only if every endpoint binds: a failed bind() leaves nothing open.
  std::vector<tcp::acceptor> acceptors;
  std::vector<std::uint16_t> ports;
  for (const auto& endpoint : impl_->config.listen) {
    if (endpoint.implicit_tls && !impl_->tls) {
      throw std::runtime_error("implicit-TLS listener " + describe(endpoint) + " needs tls_cert and tls_key");
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(endpoint.address, ec);
    if (ec) throw std::runtime_error("listen address '" + endpoint.address + "' is not an IP address");
    tcp::acceptor acceptor(impl_->io);
    const tcp::endpoint where(address, endpoint.port);
    acceptor.open(where.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(where, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + describe(endpoint) + ": " + ec.message());
    ports.push_back(acceptor.local_endpoint().port());
    acceptors.push_back(std::move(acceptor));
  }
  impl_->acceptors = std::move(acceptors);
  impl_->ports = std::move(ports);
  impl_->bound = true;
}

std::vector<std::uint16_t> server::bound_ports() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->ports;
}

void server::stop_on_signals(const std::vector<int>& signals) {
  auto& set = impl_->signals.emplace(impl_->io);
  for (const int signal : signals) set.add(signal);
  set.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) impl_->shutdown();
  });
}

void server::run() {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->bound) throw std::logic_error("pop3::refd::server::run() before bind()");
    // One io_context on one thread: the connections share state without locks.
    if (impl_->running) throw std::logic_error("pop3::refd::server::run() is already running");
    if (impl_->stop_requested) return;
    impl_->running = true;
  }
  for (std::size_t i = 0; i < impl_->acceptors.size(); ++i) {
    const bool implicit_tls = impl_->config.listen[i].implicit_tls;
    asio::co_spawn(impl_->io, impl_->accept_loop(impl_->acceptors[i], implicit_tls), asio::detached);
  }
  for (;;) {
    try {
      impl_->io.run();
      break;
    } catch (const std::exception& e) {
      // Connections catch their own errors; anything reaching here (e.g. bad_alloc in the
      // accept loop) must not take the server thread down with it.
      std::cerr << "pop3refd: event loop error: " << e.what() << '\n';
    }
  }
  std::lock_guard lock(impl_->mutex);
  impl_->running = false;
  impl_->changed.notify_all();
}

void server::start_background() {
  bind();
  std::lock_guard lock(impl_->mutex);
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([this] { run(); });
}

void server::stop() {
  std::unique_lock lock(impl_->mutex);
  if (!impl_->stop_requested) {
    impl_->stop_requested = true;
    asio::post(impl_->io, [this] { impl_->shutdown(); });
  }
  if (!impl_->changed.wait_for(lock, shutdown_grace, [this] { return !impl_->running; })) {
    std::cerr << "pop3refd: shutdown still pending after " << shutdown_grace.count()
              << "s; stopping the event loop\n";
    impl_->io.stop();
    impl_->changed.wait(lock, [this] { return !impl_->running; });
  }
  lock.unlock();
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) impl_->thread.join();
}

const server_config& server::config() const noexcept { return impl_->config; }

}  // namespace pop3::refd
