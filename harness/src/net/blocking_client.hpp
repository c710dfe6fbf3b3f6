#pragma once
// A synchronous face on detail::connection for the short, scripted exchanges outside scenarios:
// the capability probe, emptying a mailbox over POP3, SMTP/LMTP delivery. It runs the same
// coroutines on a private io_context, so there is one socket implementation, with the same
// deadlines. No Asio in this header.
//
// Flow: connect(), then send() / read_line() / start_tls() in protocol order; any failure throws
// client_error and leaves the client closed.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "pop3/protocol/line_framer.hpp"
#include "tls_options.hpp"

namespace pop3::harness::detail {

class client_error : public std::runtime_error {
 public:
  enum class kind { unreachable, closed, timeout, failed };
  client_error(kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  [[nodiscard]] kind reason() const noexcept { return kind_; }

 private:
  kind kind_;
};

class blocking_client {
 public:
  /// `timeout` bounds each operation.
  blocking_client(const tls_client_options& tls, std::chrono::milliseconds timeout);
  ~blocking_client();
  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  /// Throws client_error(unreachable) if the TCP connection or implicit TLS fails.
  void connect(const std::string& host, std::uint16_t port, bool implicit_tls);
  void send(std::string bytes);
  /// Throws client_error(closed / timeout / failed); a too_long line is returned as such.
  [[nodiscard]] protocol::framed_line read_line(std::size_t max_octets);
  void start_tls();
  void close() noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::harness::detail
