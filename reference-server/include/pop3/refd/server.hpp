#pragma once
// The network driver: Boost.Asio with C++20 coroutines, one io_context on one thread, no thread
// per connection. It only moves bytes between sockets (plain or TLS) and pop3::refd::session,
// and owns the timers. Used by the pop3refd program, by the harness's embedded mode and by tests.
#include <cstdint>
#include <memory>
#include <vector>

#include "pop3/refd/config.hpp"

namespace pop3::refd {

class maildir_store;

class server {
 public:
  /// Serves config.maildir_root through a maildir_store of its own.
  explicit server(server_config config);
  /// Serves through the given store (tests inject failing or instrumented stores).
  server(server_config config, std::shared_ptr<maildir_store> store);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds every listen endpoint; throws std::runtime_error on failure.
  void bind();
  /// The ports actually bound, in the order of config.listen (ephemeral ports resolved).
  [[nodiscard]] std::vector<std::uint16_t> bound_ports() const;
  /// Makes run() return cleanly (as after stop()) when one of these signals arrives, e.g.
  /// SIGTERM and SIGINT. Call before run().
  void stop_on_signals(const std::vector<int>& signals);
  /// Serves until stop(); call bind() first. Blocks the calling thread.
  void run();
  /// bind() then run() on a background thread; returns once listening.
  void start_background();
  /// Thread-safe (but not from a handler on the server's own thread). Stops accepting, closes
  /// sessions without UPDATE, returns after run() ended.
  void stop();

  [[nodiscard]] const server_config& config() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::refd
