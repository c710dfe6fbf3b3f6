#pragma once
// A blocking POP3 test client for raw-byte tests on 127.0.0.1, plain or TLS (STLS upgrade or
// implicit TLS) through OpenSSL. Every operation has a deadline and throws timeout_error
// when it passes, so a server that hangs fails the test instead of hanging it.
// Link OpenSSL::SSL to use this header.
//
// Flow: connect; send()/send_bytewise() write bytes; read_line()/read_multiline() take whole
// lines from an internal buffer; start_tls() wraps the socket (refused if plaintext bytes are
// still buffered: a server must not send any after "+OK" to STLS); read_until_closed() drains
// to EOF; abort() resets the connection like a crashed client.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace pop3::testing {

/// Thrown when an operation's deadline passes.
class timeout_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct tls_client_options {
  std::string host = "localhost";    ///< checked against the certificate; SNI if a DNS name
  int min_version = TLS1_2_VERSION;  ///< protocol versions offered (0 = library limit)
  int max_version = 0;
  std::string cipher_list;  ///< OpenSSL cipher string for TLS <= 1.2; empty = default
};

class loopback_client {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds default_timeout{10000};

  /// Connects to 127.0.0.1:port.
  explicit loopback_client(std::uint16_t port, std::chrono::milliseconds timeout = default_timeout)
      : timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Loopback connects complete at once (or are refused); no need for a non-blocking connect.
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) fail("connect");
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl");
  }
  ~loopback_client() { close(); }
  loopback_client(const loopback_client&) = delete;
  loopback_client& operator=(const loopback_client&) = delete;

  void set_timeout(std::chrono::milliseconds timeout) noexcept { timeout_ = timeout; }

  /// Writes all bytes (one write() where the kernel allows it: a pipelined batch).
  void send(std::string_view bytes) {
    const auto deadline = clock::now() + timeout_;
    while (!bytes.empty()) bytes.remove_prefix(write_some(bytes, deadline));
  }
  /// Writes one byte per write() call (each is its own TCP segment: TCP_NODELAY is set).
  void send_bytewise(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) send(bytes.substr(i, 1));
  }

  /// The next line including its LF. Throws on timeout or if the peer closes first.
  std::string read_line() {
    const auto deadline = clock::now() + timeout_;
    for (;;) {
      if (const auto lf = buffer_.find('\n'); lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf + 1);
        buffer_.erase(0, lf + 1);
        return line;
      }
      if (fill(deadline) == 0)
        throw std::runtime_error("connection closed before a full line; received '" + buffer_ + "'");
    }
  }
  /// Raw lines up to and including the terminating ".\r\n" (still byte-stuffed).
  std::string read_multiline() {
    std::string block;
    for (;;) {
      const auto line = read_line();
      block += line;
      if (line == ".\r\n") return block;
    }
  }
  /// Sends `line` + CRLF and returns the first response line.
  std::string command(std::string_view line) {
    send(std::string(line) + "\r\n");
    return read_line();
  }

  /// Everything the peer sends until it closes the connection. Throws on timeout.
  std::string read_until_closed() {
    const auto deadline = clock::now() + timeout_;
    while (fill(deadline) != 0) {
    }
    return std::exchange(buffer_, {});
  }
  /// Whatever arrives until the line is quiet for `quiet` (or closes); never throws on timeout.
  std::string read_for(std::chrono::milliseconds quiet) {
    try {
      while (fill(clock::now() + quiet) != 0) {
      }
    } catch (const timeout_error&) {
      // quiet for long enough (TLS records without application data, e.g. session tickets, count as quiet)
    }
    return std::exchange(buffer_, {});
  }
  /// True once the peer closed (EOF or reset) during a read.
  [[nodiscard]] bool peer_closed() const noexcept { return eof_; }

  /// TLS client handshake over this connection, trusting ca_file (see tls_client_options).
  void start_tls(const std::filesystem::path& ca_file, const tls_client_options& options = {}) {
    if (!buffer_.empty())
      throw std::runtime_error("plaintext bytes received before the TLS handshake: '" + buffer_ + "'");
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_ || SSL_CTX_set_min_proto_version(ctx_.get(), options.min_version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx_.get(), options.max_version) != 1 ||
        (!options.cipher_list.empty() &&
         SSL_CTX_set_cipher_list(ctx_.get(), options.cipher_list.c_str()) != 1) ||
        SSL_CTX_load_verify_locations(ctx_.get(), ca_file.c_str(), nullptr) != 1) {
      tls_fail("TLS client setup");
    }
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    ssl_.reset(SSL_new(ctx_.get()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_) != 1 || !expect_peer_name(options.host))
      tls_fail("TLS client setup");
    const auto deadline = clock::now() + timeout_;
    for (;;) {
      const int r = SSL_connect(ssl_.get());
      if (r == 1) return;
      if (!await_tls(r, deadline)) tls_fail("TLS handshake");
    }
  }
  [[nodiscard]] bool tls_active() const noexcept { return ssl_ != nullptr; }
  /// "TLSv1.3" etc. once TLS is active.
  [[nodiscard]] std::string tls_version() const { return ssl_ ? SSL_get_version(ssl_.get()) : ""; }
  /// True if the peer's EOF was a TLS close_notify (RFC 8314 §3.4).
  [[nodiscard]] bool close_notify_received() const noexcept { return close_notify_; }

  /// Resets the connection (SO_LINGER 0 -> RST), like a client that crashed.
  void abort() noexcept {
    if (fd_ < 0) return;
    const linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close();
  }
  /// Closes the connection (FIN) without a TLS close_notify.
  void close() noexcept {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  struct ssl_ctx_free {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
  };
  struct ssl_free {
    void operator()(SSL* p) const noexcept { SSL_free(p); }
  };

  [[noreturn]] static void fail(const char* what) {
    throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
  }
  [[noreturn]] static void tls_fail(const char* what) {
    char text[256] = "no OpenSSL error";
    if (const auto code = ERR_get_error(); code != 0) ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    throw std::runtime_error(std::string(what) + " failed: " + text);
  }

  // Certificate name check for `host`, and SNI when it is a DNS name (SNI never carries an IP).
  bool expect_peer_name(const std::string& host) {
    in_addr ip{};
    if (::inet_pton(AF_INET, host.c_str(), &ip) == 1) {
      return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), host.c_str()) == 1;
    }
    // SSL_set_tlsext_host_name() without its C cast (warnings are errors here).
    return SSL_set1_host(ssl_.get(), host.c_str()) == 1 &&
           SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                    const_cast<char*>(host.c_str())) == 1;
  }

  // Waits until fd_ is ready for `events`; false when the deadline passes first.
  bool wait_for(short events, clock::time_point deadline) const {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      pollfd p{fd_, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left < 0 ? 0 : left));
      if (r > 0) return true;
      if (r == 0) return false;
      if (errno != EINTR) fail("poll");
    }
  }
  void wait_or_throw(short events, clock::time_point deadline) const {
    if (!wait_for(events, deadline)) {
      throw timeout_error(std::string("timed out waiting to ") + (events == POLLIN ? "read" : "write") +
                          "; buffered so far: '" + buffer_ + "'");
    }
  }
  // After an SSL call returned r <= 0: waits as OpenSSL asks; false on a real error.
  bool await_tls(int r, clock::time_point deadline) const {
    switch (SSL_get_error(ssl_.get(), r)) {
      case SSL_ERROR_WANT_READ:
        wait_or_throw(POLLIN, deadline);
        return true;
      case SSL_ERROR_WANT_WRITE:
        wait_or_throw(POLLOUT, deadline);
        return true;
      default:
        return false;
    }
  }

  std::size_t write_some(std::string_view bytes, clock::time_point deadline) {
    if (fd_ < 0) throw std::runtime_error("write on a closed client");
    for (;;) {
      if (ssl_) {
        std::size_t written = 0;
        const int r = SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &written);
        if (r == 1) return written;
        if (!await_tls(r, deadline)) tls_fail("TLS write");
        continue;
      }
      const auto r = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (r >= 0) return static_cast<std::size_t>(r);
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_or_throw(POLLOUT, deadline);
      } else if (errno != EINTR) {
        fail("send");
      }
    }
  }

  // Appends what one read returns to buffer_; 0 on EOF (a reset counts as EOF).
  std::size_t fill(clock::time_point deadline) {
    if (eof_ || fd_ < 0) return 0;
    char chunk[16384];
    for (;;) {
      if (ssl_) {
        std::size_t got = 0;
        const int r = SSL_read_ex(ssl_.get(), chunk, sizeof chunk, &got);
        if (r == 1) return append(chunk, got);
        const int err = SSL_get_error(ssl_.get(), r);
        if (err == SSL_ERROR_ZERO_RETURN) close_notify_ = true;
        if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL || err == SSL_ERROR_SSL) {
          ERR_clear_error();  // EOF without close_notify or a reset: the peer is gone either way
          eof_ = true;
          return 0;
        }
        if (!await_tls(r, deadline)) tls_fail("TLS read");
        continue;
      }
      const auto r = ::recv(fd_, chunk, sizeof chunk, 0);
      if (r > 0) return append(chunk, static_cast<std::size_t>(r));
      if (r == 0 || errno == ECONNRESET) {
        eof_ = true;
        return 0;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_or_throw(POLLIN, deadline);
      } else if (errno != EINTR) {
        fail("recv");
      }
    }
  }
  std::size_t append(const char* data, std::size_t size) {
    buffer_.append(data, size);
    return size;
  }

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;  // received, not yet returned
  bool eof_ = false;
  bool close_notify_ = false;
  std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx_;
  std::unique_ptr<SSL, ssl_free> ssl_;
};

}  // namespace pop3::testing
