#pragma once
// The fault-injecting POP3 proxy: listens on 127.0.0.1 (ephemeral port), opens one upstream
// connection per client connection, and runs both through a fault_pipe with a fresh fault.
// Boost.Asio with C++20 coroutines on one thread of its own; the headers stay Asio-free.
#include <cstdint>
#include <functional>
#include <memory>

#include "fault.hpp"

namespace pop3::mutation {

/// Makes the fault for one connection (each connection has its own state).
using fault_factory = std::function<std::unique_ptr<fault>()>;

/// Flow: the constructor binds and starts serving on a background thread; every accepted
/// connection gets an upstream connection and a fault from the factory, and lives until either
/// side ends it (or 20 idle minutes pass); stop() or the destructor closes everything and joins.
class fault_proxy {
 public:
  /// Throws std::runtime_error if it cannot bind.
  fault_proxy(std::uint16_t upstream_port, credentials account, fault_factory make);
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  /// The port the proxy listens on (127.0.0.1).
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// Closes every connection and joins the thread; idempotent.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::mutation
