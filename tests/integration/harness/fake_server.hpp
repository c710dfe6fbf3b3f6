#pragma once
// Small, deliberately broken servers for the harness's tests: blocking sockets on 127.0.0.1:0,
// one thread per accepted connection running the test's script. Every read has a timeout and
// the destructor shuts every socket down, so a script can never keep a test alive.
//
// Flow: construct with a script; point the harness at port(); the destructor stops accepting,
// shuts down the open connections (unblocking their scripts) and joins every thread.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pop3::testing {

/// One accepted connection, as the script sees it.
class fake_peer {
 public:
  explicit fake_peer(int fd) : fd_(fd) {}

  /// Writes all bytes; false once the client is gone (never raises SIGPIPE).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// The next line without CR LF; nullopt on timeout, EOF or error.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto lf = buffer_.find('\n'); lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[4096];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  /// The socket, for a script that speaks TLS on it (fake_tls_server.hpp).
  [[nodiscard]] int fd() const noexcept { return fd_; }
  /// Closes with FIN.
  void close() { ::shutdown(fd_, SHUT_RDWR); }
  /// Closes with RST, like a crashed server.
  void abort() {
    const linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::shutdown(fd_, SHUT_RDWR);
  }

 private:
  int fd_;
  std::string buffer_;
};

class fake_server {
 public:
  using script = std::function<void(fake_peer&)>;

  explicit fake_server(script s) : script_(std::move(s)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("fake_server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~fake_server() {
    stopping_ = true;
    acceptor_.join();
    ::close(listen_fd_);
    {
      const std::scoped_lock lock(mutex_);
      for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    for (const int fd : open_) ::close(fd);
  }
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::size_t accepted() const noexcept { return accepted_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      const std::scoped_lock lock(mutex_);
      open_.push_back(fd);
      workers_.emplace_back([this, fd] {
        fake_peer peer(fd);
        try {
          script_(peer);
        } catch (...) {
          // A script that throws just ends its connection.
        }
        ::shutdown(fd, SHUT_RDWR);
      });
    }
  }

  script script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  std::mutex mutex_;
  std::vector<int> open_;  // shut down, then closed, by the destructor
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

/// A scripted POP3 server: a greeting, then each command line goes to `answer`, which writes the
/// reply (or misbehaves) and returns false to end the connection. A fixed set of defaults answers
/// what `answer` leaves alone, enough for the harness's probe and for logging in.
struct fake_pop3 {
  using responder = std::function<bool(fake_peer&, const std::string& command)>;

  static constexpr std::string_view greeting = "+OK fake POP3 server <1896.697170952@fake.example>\r\n";

  /// Default answers: CAPA (USER TOP UIDL), USER, PASS, NOOP, STAT (2 messages, 320 octets), QUIT.
  static bool default_answer(fake_peer& peer, const std::string& command) {
    const std::string keyword = command.substr(0, command.find(' '));
    if (keyword == "CAPA") return peer.send("+OK\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n");
    if (keyword == "USER" || keyword == "PASS" || keyword == "NOOP") return peer.send("+OK\r\n");
    if (keyword == "STAT") return peer.send("+OK 2 320\r\n");
    if (keyword == "QUIT") {
      peer.send("+OK bye\r\n");
      return false;
    }
    return peer.send("-ERR unknown command\r\n");
  }

  /// A script: greeting, then `special` first (return nullopt to fall back to the defaults).
  static fake_server::script with(std::function<std::optional<bool>(fake_peer&, const std::string&)> special) {
    return [special](fake_peer& peer) {
      if (!peer.send(greeting)) return;
      while (auto line = peer.read_line()) {
        auto handled = special ? special(peer, *line) : std::nullopt;
        if (!(handled ? *handled : default_answer(peer, *line))) return;
      }
    };
  }
};

}  // namespace pop3::testing
