#pragma once
// The network driver: Boost.Asio with C++20 coroutines, one io_context on one thread, no thread
// per connection. It only moves bytes between sockets (plain or TLS) and pop3::refd::session,
// and owns the timers. Used by the pop3refd program, by the harness's embedded mode and by tests.
#include <cstdint>
#include <memory>
#include <vector>

#include "pop3/refd/config.hpp"

namespace pop3::refd {

class server {
 public:
  explicit server(server_config config);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds every listen endpoint; throws std::runtime_error on failure.
  void bind();
  /// The ports actually bound, in the order of config.listen (ephemeral ports resolved).
  [[nodiscard]] std::vector<std::uint16_t> bound_ports() const;
  /// Serves until stop(); call bind() first. Blocks the calling thread.
  void run();
  /// bind() then run() on a background thread; returns once listening.
  void start_background();
  /// Thread-safe. Stops accepting, closes sessions without UPDATE, returns after run() ended.
  void stop();

  [[nodiscard]] const server_config& config() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::refd
