#pragma once
// Shared fixture of the reference-server integration tests: an in-process pop3refd over a
// temp Maildir holding three messages for alice (the second one carries the dot traps).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/protocol/multiline.hpp"
#include "pop3/testing/loopback_client.hpp"
#include "pop3/testing/messages.hpp"
#include "pop3/testing/refd_instance.hpp"
#include "pop3/testing/test_certificates.hpp"

namespace pop3::refd_tests {

using pop3::testing::loopback_client;

inline bool is_ok(std::string_view line) { return line.starts_with("+OK"); }
inline bool is_err(std::string_view line) { return line.starts_with("-ERR"); }

/// The unstuffed content of a raw multi-line block (status line excluded, CRLF kept).
inline std::string unstuff(std::string_view block) {
  protocol::multiline_decoder decoder;
  std::size_t pos = block.find("\r\n") + 2;  // skip the status line
  while (pos < block.size()) {
    const auto end = block.find("\r\n", pos);
    if (decoder.feed(block.substr(pos, end - pos)) == protocol::multiline_decoder::status::done) break;
    pos = end + 2;
  }
  return decoder.content();
}

/// About 6 KB of 76-octet lines (RFC 5322 keeps lines under 998), so RETR needs several reads.
inline std::string long_body() {
  std::string body;
  for (int i = 0; i < 80; ++i) body += std::to_string(1000 + i) + " " + std::string(69, 'x') + "\r\n";
  return body + "end\r\n";
}

class refd_test : public ::testing::Test {
 protected:
  /// Starts the server (call once per test; SetUp starts the default one unless a test
  /// needs its own config, in which case it calls restart()).
  void SetUp() override { restart(); }

  void restart(const pop3::testing::refd_instance::customize& adjust = {}) {
    server_.reset();
    server_ = std::make_unique<pop3::testing::refd_instance>(adjust);
    messages_ = {pop3::testing::make_message(1, "first", "Hello Alice.\r\nSecond line.\r\n"),
                 pop3::testing::dot_trap_message(2), pop3::testing::make_message(3, "third", long_body())};
    for (const auto& m : messages_) server_->maildir().deliver("alice", m);
    server_->maildir().create_user("bob");
  }

  /// A connected client whose greeting has been read and checked.
  std::unique_ptr<loopback_client> connect(bool implicit_tls = false) {
    auto client = std::make_unique<loopback_client>(implicit_tls ? server_->tls_port() : server_->port());
    if (implicit_tls) client->start_tls(pop3::testing::test_cert_file());
    const auto greeting = client->read_line();
    EXPECT_TRUE(is_ok(greeting)) << greeting;
    return client;
  }
  /// USER/PASS as alice (or another test user); both must succeed.
  static void login(loopback_client& client, const pop3::testing::test_user& user = pop3::testing::alice) {
    const auto u = client.command(std::string("USER ") + user.name);
    ASSERT_TRUE(is_ok(u)) << u;
    const auto p = client.command(std::string("PASS ") + user.password);
    ASSERT_TRUE(is_ok(p)) << p;
  }
  std::unique_ptr<loopback_client> connect_and_login(bool implicit_tls = false) {
    auto client = connect(implicit_tls);
    login(*client);
    return client;
  }

  pop3::testing::temp_maildir& maildir() { return server_->maildir(); }

  std::unique_ptr<pop3::testing::refd_instance> server_;
  std::vector<std::string> messages_;  // alice's messages 1..3 as stored
};

}  // namespace pop3::refd_tests
