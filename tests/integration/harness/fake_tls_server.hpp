#pragma once
// A small POP3 server with TLS for the harness's TLS tests, on top of fake_server (127.0.0.1:0,
// one thread per connection): its TLS versions, suites and security level are the test's choice
// (e.g. one that still accepts TLS 1.0), and so is how it ends a session after QUIT (with a TLS
// close_notify or a bare TCP close). It records every handshake it completes or fails.
//
// Flow: construct with the options; point the harness at port(); each connection greets (after
// the handshake on implicit TLS), answers CAPA, STLS (then the handshake), QUIT (then the chosen
// ending) and a few commands with +OK; handshakes() waits for the handshake log.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fake_server.hpp"

namespace pop3::testing {

struct fake_tls_options {
  int min_version = TLS1_2_VERSION;  ///< the versions the server accepts
  int max_version = 0;               ///< 0: the highest OpenSSL has
  int security_level = -1;           ///< -1: OpenSSL's default; 0 lets TLS 1.0 and 1.1 complete
  std::string ciphers;               ///< TLS 1.2 and below; "" = OpenSSL's default list
  bool implicit = false;             ///< TLS at connect (else STLS on a plaintext greeting)
  enum class ending { close_notify, tcp_close } quit_ending = ending::close_notify;
};

class fake_tls_pop3 {
 public:
  fake_tls_pop3(const std::filesystem::path& cert, const std::filesystem::path& key, fake_tls_options options)
      : options_(std::move(options)), ctx_(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free) {
    SSL_CTX* c = ctx_.get();
    if (c == nullptr || SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_set_min_proto_version(c, options_.min_version) != 1 ||
        SSL_CTX_set_max_proto_version(c, options_.max_version) != 1 ||
        (!options_.ciphers.empty() && SSL_CTX_set_cipher_list(c, options_.ciphers.c_str()) != 1)) {
      throw std::runtime_error("fake_tls_pop3: cannot set up the server's TLS context");
    }
    if (options_.security_level >= 0) SSL_CTX_set_security_level(c, options_.security_level);
    server_ = std::make_unique<fake_server>([this](fake_peer& peer) { serve(peer); });
  }

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

  /// The handshakes so far ("TLSv1 ECDHE-ECDSA-AES256-SHA", or "failed: reason"), after waiting
  /// up to `timeout` for at least `count` of them.
  std::vector<std::string> handshakes(std::size_t count = 1, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      {
        const std::scoped_lock lock(mutex_);
        if (log_.size() >= count || std::chrono::steady_clock::now() >= deadline) return log_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  using ssl_ptr = std::unique_ptr<SSL, decltype(&SSL_free)>;

  // One connection. Plaintext goes through the fake_peer; once TLS is up, through `tls`.
  void serve(fake_peer& peer) {
    // Reads inside TLS use OpenSSL on the blocking socket: bound them like fake_peer's.
    const timeval limit{10, 0};
    ::setsockopt(peer.fd(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ssl_ptr tls(nullptr, &SSL_free);
    if (options_.implicit && !(tls = handshake(peer))) return;
    if (!write(peer, tls.get(), "+OK fake TLS POP3 server\r\n")) return;
    std::string buffer;
    while (auto line = tls ? read_tls_line(tls.get(), buffer) : peer.read_line()) {
      if (*line == "STLS" && !tls) {
        if (!peer.send("+OK begin TLS\r\n") || !(tls = handshake(peer))) return;
      } else if (*line == "CAPA") {
        if (!write(peer, tls.get(), tls ? "+OK\r\nUSER\r\n.\r\n" : "+OK\r\nUSER\r\nSTLS\r\n.\r\n")) return;
      } else if (*line == "QUIT") {
        write(peer, tls.get(), "+OK bye\r\n");
        if (tls && options_.quit_ending == fake_tls_options::ending::close_notify) SSL_shutdown(tls.get());
        peer.close();
        return;
      } else if (!write(peer, tls.get(), line->starts_with("USER") || line->starts_with("PASS") || *line == "NOOP"
                                             ? "+OK\r\n"
                                             : "-ERR unknown command\r\n")) {
        return;
      }
    }
  }

  ssl_ptr handshake(fake_peer& peer) {
    ssl_ptr tls(SSL_new(ctx_.get()), &SSL_free);
    ERR_clear_error();
    const bool ok = tls && SSL_set_fd(tls.get(), peer.fd()) == 1 && SSL_accept(tls.get()) == 1;
    std::string entry;
    if (ok) {
      entry = std::string(SSL_get_version(tls.get())) + " " + SSL_CIPHER_get_name(SSL_get_current_cipher(tls.get()));
    } else {
      std::string reason(256, '\0');
      ERR_error_string_n(ERR_get_error(), reason.data(), reason.size());
      entry = "failed: " + std::string(reason.c_str());
    }
    {
      const std::scoped_lock lock(mutex_);
      log_.push_back(std::move(entry));
    }
    if (!ok) return ssl_ptr(nullptr, &SSL_free);
    return tls;
  }

  static bool write(fake_peer& peer, SSL* tls, std::string_view bytes) {
    if (tls == nullptr) return peer.send(bytes);
    return SSL_write(tls, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size());
  }

  static std::optional<std::string> read_tls_line(SSL* tls, std::string& buffer) {
    for (;;) {
      if (const auto lf = buffer.find('\n'); lf != std::string::npos) {
        std::string line = buffer.substr(0, lf);
        buffer.erase(0, lf + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      char chunk[4096];
      const int n = SSL_read(tls, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;  // close, error or the 10 s receive timeout
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }

  fake_tls_options options_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_;
  std::mutex mutex_;
  std::vector<std::string> log_;
  std::unique_ptr<fake_server> server_;  // last: its threads use everything above
};

}  // namespace pop3::testing
