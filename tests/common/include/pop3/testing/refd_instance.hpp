#pragma once
// The reference server running in-process on 127.0.0.1 ephemeral ports, over a temp Maildir,
// for integration tests. Link pop3::refd_net and pop3spec::test_certificates.
//
// Flow: the constructor builds a config (one plain and one implicit-TLS listener, the test
// certificate, users alice and bob), lets the test adjust it, then starts the server on its
// own thread. Deliver messages at any time (the store scans at login). The destructor stops
// the server (sessions end without UPDATE) and removes the Maildir.
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "pop3/refd/config.hpp"
#include "pop3/refd/server.hpp"
#include "pop3/testing/temp_maildir.hpp"
#include "pop3/testing/test_certificates.hpp"

namespace pop3::testing {

struct test_user {
  const char* name;
  const char* password;
  const char* apop_secret;
};
inline constexpr test_user alice{"alice", "alice-pass", "tanstaaf"};
inline constexpr test_user bob{"bob", "bob-pass", "bob-secret"};

/// The config refd_instance starts from (exposed so that tests can start their own server).
inline refd::server_config default_refd_config(const temp_maildir& maildir) {
  refd::server_config config;
  config.listen = {refd::listen_endpoint{"127.0.0.1", 0, false}, refd::listen_endpoint{"127.0.0.1", 0, true}};
  config.maildir_root = maildir.root();
  config.tls_cert = test_cert_file();
  config.tls_key = test_key_file();
  for (const auto& u : {alice, bob}) {
    refd::user_account account;
    account.name = u.name;
    account.password = u.password;
    account.apop_secret = u.apop_secret;
    config.users.emplace(account.name, account);
  }
  return config;
}

class refd_instance {
 public:
  using customize = std::function<void(refd::server_config&)>;

  explicit refd_instance(const customize& adjust = {}) {
    auto config = default_refd_config(maildir_);
    if (adjust) adjust(config);
    listeners_ = config.listen;
    server_ = std::make_unique<refd::server>(std::move(config));
    server_->start_background();
    ports_ = server_->bound_ports();
  }
  ~refd_instance() { stop(); }
  refd_instance(const refd_instance&) = delete;
  refd_instance& operator=(const refd_instance&) = delete;

  [[nodiscard]] temp_maildir& maildir() noexcept { return maildir_; }
  [[nodiscard]] refd::server& server() noexcept { return *server_; }
  /// The first plain-text listener's port.
  [[nodiscard]] std::uint16_t port() const { return find_port(false); }
  /// The first implicit-TLS listener's port.
  [[nodiscard]] std::uint16_t tls_port() const { return find_port(true); }
  /// Stops the server (idempotent); the Maildir stays until destruction.
  void stop() { server_->stop(); }

 private:
  [[nodiscard]] std::uint16_t find_port(bool implicit_tls) const {
    for (std::size_t i = 0; i < listeners_.size() && i < ports_.size(); ++i) {
      if (listeners_[i].implicit_tls == implicit_tls) return ports_[i];
    }
    throw std::logic_error(implicit_tls ? "no implicit-TLS listener configured"
                                        : "no plain listener configured");
  }

  temp_maildir maildir_;  // declared first: outlives the server
  std::vector<refd::listen_endpoint> listeners_;
  std::vector<std::uint16_t> ports_;
  std::unique_ptr<refd::server> server_;
};

}  // namespace pop3::testing
