// fault_proxy: the Asio side of the proxy. It only moves octets between the two sockets and the
// fault_pipe, and owns the timers. (GCC 12: every co_await result goes into a named local first.)
#include "fault_proxy.hpp"

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "fault_pipe.hpp"

namespace pop3::mutation {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Longer than pop3refd's 10-minute autologout, so that the upstream, not the proxy, ends idle
// sessions; the bound only guarantees that nothing waits forever.
constexpr auto idle_limit = std::chrono::minutes(20);

void close_socket(tcp::socket& s) {
  boost::system::error_code ignored;
  s.shutdown(tcp::socket::shutdown_both, ignored);
  s.close(ignored);
}

// One client connection and its upstream connection.
// Flow: run() connects upstream, then one read loop per socket feeds the pipe and pump() hands
// the pipe's output to one writer per direction; a watchdog closes both sockets when idle too long.
class relay : public std::enable_shared_from_this<relay> {
 public:
  relay(tcp::socket client, tcp::endpoint upstream, std::unique_ptr<fault> f, credentials account)
      : client_(std::move(client)),
        server_(client_.get_executor()),
        upstream_(upstream),
        watchdog_(client_.get_executor()),
        pipe_(std::move(f), std::move(account)) {}

  void start() {
    auto self = shared_from_this();
    asio::co_spawn(client_.get_executor(), [self] { return self->run(); }, asio::detached);
  }

  void shutdown() {
    close_socket(client_);
    close_socket(server_);
    watchdog_.cancel();
  }

 private:
  // Bytes queued for one socket, written in order by one writer at a time.
  struct outbox {
    std::string queue;
    bool writing = false, close_after = false;
  };

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    asio::co_spawn(client_.get_executor(), [self] { return self->watch(); }, asio::detached);
    const auto [ec] = co_await server_.async_connect(upstream_, use_tuple);
    if (ec) {
      shutdown();
      co_return;
    }
    asio::co_spawn(client_.get_executor(), [self] { return self->read_loop(true); }, asio::detached);
    asio::co_spawn(client_.get_executor(), [self] { return self->read_loop(false); }, asio::detached);
  }

  asio::awaitable<void> read_loop(bool from_client) {
    tcp::socket& socket = from_client ? client_ : server_;
    std::array<char, 16384> buffer{};
    for (;;) {
      const auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
      if (ec) break;
      last_activity_ = steady::now();
      const std::string_view bytes(buffer.data(), n);
      if (from_client) pipe_.client_bytes(bytes);
      else pipe_.server_bytes(bytes);
      pump();
    }
    // A socket the proxy closed itself is no news for the fault.
    if (!socket.is_open()) co_return;
    if (from_client) pipe_.client_closed();
    else pipe_.server_closed();
    pump();
  }

  asio::awaitable<void> write_loop(bool to_client) {
    auto self = shared_from_this();
    tcp::socket& socket = to_client ? client_ : server_;
    outbox& box = to_client ? to_client_ : to_server_;
    while (!box.queue.empty() && socket.is_open()) {
      const std::string chunk = std::exchange(box.queue, {});
      const auto [ec, n] = co_await asio::async_write(socket, asio::buffer(chunk), use_tuple);
      if (ec) break;
      last_activity_ = steady::now();
    }
    box.queue.clear();
    box.writing = false;
    if (box.close_after) close_socket(socket);
  }

  asio::awaitable<void> watch() {
    auto self = shared_from_this();
    while (client_.is_open() || server_.is_open()) {
      watchdog_.expires_after(std::chrono::seconds(1));
      const auto [ec] = co_await watchdog_.async_wait(use_tuple);
      if (ec) co_return;
      if (steady::now() - last_activity_ > idle_limit) shutdown();
      pipe_.tick(steady::now());
      pump();
    }
  }

  void pump() {
    to_client_.queue += pipe_.take_for_client();
    to_server_.queue += pipe_.take_for_server();
    to_client_.close_after = to_client_.close_after || pipe_.wants_client_closed();
    to_server_.close_after = to_server_.close_after || pipe_.wants_server_closed();
    kick(true);
    kick(false);
  }

  void kick(bool to_client) {
    outbox& box = to_client ? to_client_ : to_server_;
    if (box.writing) return;
    if (box.queue.empty()) {
      if (box.close_after) close_socket(to_client ? client_ : server_);
      return;
    }
    box.writing = true;
    auto self = shared_from_this();
    asio::co_spawn(client_.get_executor(), [self, to_client] { return self->write_loop(to_client); }, asio::detached);
  }

  tcp::socket client_, server_;
  tcp::endpoint upstream_;
  asio::steady_timer watchdog_;
  fault_pipe pipe_;
  outbox to_client_, to_server_;
  steady::time_point last_activity_ = steady::now();
};

}  // namespace

struct fault_proxy::impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  tcp::endpoint upstream;
  credentials account;
  fault_factory make;
  std::vector<std::weak_ptr<relay>> relays;
  std::thread thread;
  std::uint16_t port = 0;
  bool stopped = false;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;
      auto r = std::make_shared<relay>(std::move(socket), upstream, make(), account);
      std::erase_if(relays, [](const std::weak_ptr<relay>& w) { return w.expired(); });
      relays.push_back(r);
      r->start();
    }
  }
};

fault_proxy::fault_proxy(std::uint16_t upstream_port, credentials account, fault_factory make)
    : impl_(std::make_unique<impl>()) {
  const auto loopback = asio::ip::make_address_v4("127.0.0.1");
  impl_->upstream = tcp::endpoint(loopback, upstream_port);
  impl_->account = std::move(account);
  impl_->make = std::move(make);
  try {
    impl_->acceptor.open(tcp::v4());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(tcp::endpoint(loopback, 0));
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("fault proxy: cannot listen on 127.0.0.1: ") + e.what());
  }
  asio::co_spawn(impl_->io, [i = impl_.get()] { return i->accept_loop(); }, asio::detached);
  impl_->thread = std::thread([i = impl_.get()] { i->io.run(); });
}

fault_proxy::~fault_proxy() { stop(); }

std::uint16_t fault_proxy::port() const noexcept { return impl_->port; }

void fault_proxy::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [i = impl_.get()] {
    boost::system::error_code ignored;
    i->acceptor.close(ignored);
    for (auto& w : i->relays) {
      if (auto r = w.lock()) r->shutdown();
    }
    // Closing ended every read and write; what is left (a watchdog tick) need not finish.
    i->io.stop();
  });
  impl_->thread.join();
}

}  // namespace pop3::mutation
