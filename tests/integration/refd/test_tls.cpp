// TLS through the real driver: STLS (RFC 2595 §4) with its command-injection defence, the
// implicit-TLS port (RFC 8314), a failed handshake after STLS, TLS 1.2, no certificate.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <filesystem>
#include <string>
#include <vector>

#include "refd_test.hpp"

namespace pop3::refd_tests {
namespace {

using pop3::testing::test_cert_file;
using refd_tls = refd_test;

bool capa_lists(loopback_client& client, std::string_view tag) {
  client.send("CAPA\r\n");
  const auto block = client.read_multiline();
  EXPECT_TRUE(is_ok(block)) << block;
  return block.find("\r\n" + std::string(tag) + "\r\n") != std::string::npos ||
         block.find("\r\n" + std::string(tag) + " ") != std::string::npos;
}

TEST_F(refd_tls, commands_pipelined_after_stls_are_discarded) {
  auto client = connect();
  EXPECT_TRUE(capa_lists(*client, "STLS"));
  client->send("STLS\r\nCAPA\r\n");
  const auto answer = client->read_line();
  ASSERT_TRUE(is_ok(answer)) << answer;
  client->start_tls(test_cert_file());  // throws if anything else arrived in plaintext
  // The injected CAPA must not be answered inside TLS either: nothing arrives unasked...
  EXPECT_EQ(client->read_for(std::chrono::milliseconds(300)), "");
  // ...and the first answer belongs to the first command sent inside TLS.
  EXPECT_TRUE(is_ok(client->command("USER alice")));
  EXPECT_TRUE(is_ok(client->command("PASS alice-pass")));
  EXPECT_TRUE(client->command("STAT").starts_with("+OK 3 "));
  EXPECT_TRUE(is_ok(client->command("QUIT")));
  EXPECT_EQ(client->read_until_closed(), "");
  EXPECT_TRUE(client->close_notify_received());
}

TEST_F(refd_tls, an_injected_user_command_does_not_survive_stls) {
  auto client = connect();
  client->send("STLS\r\nUSER alice\r\n");
  ASSERT_TRUE(is_ok(client->read_line()));
  client->start_tls(test_cert_file());
  // Had "USER alice" been kept, this PASS would log in.
  const auto pass = client->command("PASS alice-pass");
  EXPECT_TRUE(is_err(pass)) << pass;
  EXPECT_TRUE(is_ok(client->command("USER alice")));
  EXPECT_TRUE(is_ok(client->command("PASS alice-pass")));
}

TEST_F(refd_tls, stls_session_retrieves_byte_exact_and_no_longer_offers_stls) {
  auto client = connect();
  ASSERT_TRUE(is_ok(client->command("STLS")));
  client->start_tls(test_cert_file());
  EXPECT_FALSE(capa_lists(*client, "STLS"));
  login(*client);
  client->send("RETR 2\r\n");
  EXPECT_EQ(unstuff(client->read_multiline()), messages_[1]);
}

TEST_F(refd_tls, implicit_tls_port_greets_inside_tls_and_sends_close_notify) {
  auto client = connect(/*implicit_tls=*/true);  // handshake first, then the +OK greeting
  EXPECT_TRUE(client->tls_active());
  EXPECT_FALSE(capa_lists(*client, "STLS"));
  EXPECT_TRUE(is_err(client->command("STLS")));
  login(*client);
  client->send("RETR 2\r\n");
  EXPECT_EQ(unstuff(client->read_multiline()), messages_[1]);
  EXPECT_TRUE(is_ok(client->command("QUIT")));
  EXPECT_EQ(client->read_until_closed(), "");
  EXPECT_TRUE(client->close_notify_received());
}

// The server's accepted sockets for `port` in this process (the server runs in-process): bound
// to the port and connected, which leaves out the listener and the test's own client sockets.
std::vector<int> accepted_sockets(std::uint16_t port) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int fd = std::stoi(entry.path().filename().string());
    sockaddr_in local{};
    sockaddr_in peer{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 || local.sin_family != AF_INET) continue;
    length = sizeof peer;
    if (ntohs(local.sin_port) == port && ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
      found.push_back(fd);
    }
  }
  return found;
}

// Nagle's algorithm held every small write that followed an unacknowledged one until the
// client's delayed ACK: the greeting behind TLS 1.3's session tickets and close_notify behind
// QUIT's +OK, about 40 ms each, so an implicit-TLS session took 90 ms. Every answer is written
// whole, so the server turns Nagle off on every connection. (Checked on the socket, not timed.)
TEST_F(refd_tls, every_connection_sends_without_nagle_delay) {
  for (const bool implicit_tls : {false, true}) {
    SCOPED_TRACE(implicit_tls ? "implicit TLS" : "plain");
    auto client = connect(implicit_tls);  // the greeting has arrived: the connection is accepted
    const auto sockets = accepted_sockets(implicit_tls ? server_->tls_port() : server_->port());
    ASSERT_FALSE(sockets.empty());
    for (const int fd : sockets) {
      int no_delay = 0;
      socklen_t length = sizeof no_delay;
      ASSERT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, &length), 0);
      EXPECT_NE(no_delay, 0) << "TCP_NODELAY is off on the server's socket " << fd;
    }
  }
}

TEST_F(refd_tls, plaintext_on_the_implicit_tls_port_gets_no_pop3_answer) {
  loopback_client client(server_->tls_port());
  client.send("CAPA\r\nUSER alice\r\nPASS alice-pass\r\n");
  const auto received = client.read_until_closed();
  EXPECT_EQ(received.find("+OK"), std::string::npos) << received;
  EXPECT_EQ(received.find("-ERR"), std::string::npos) << received;
}

TEST_F(refd_tls, garbage_instead_of_client_hello_closes_without_plaintext_answers) {
  auto client = connect();
  ASSERT_TRUE(is_ok(client->command("STLS")));
  client->send("this is not a TLS ClientHello\r\nCAPA\r\nUSER alice\r\nPASS alice-pass\r\n");
  // The server may send a TLS alert record, but never falls back to answering in plaintext.
  const auto received = client->read_until_closed();
  EXPECT_EQ(received.find("+OK"), std::string::npos) << received;
  EXPECT_EQ(received.find("-ERR"), std::string::npos) << received;
}

TEST_F(refd_tls, tls_1_2_is_accepted_and_1_3_is_preferred) {
  auto capped = connect();
  ASSERT_TRUE(is_ok(capped->command("STLS")));
  pop3::testing::tls_client_options tls_1_2;
  tls_1_2.max_version = TLS1_2_VERSION;
  capped->start_tls(test_cert_file(), tls_1_2);
  EXPECT_EQ(capped->tls_version(), "TLSv1.2");
  EXPECT_TRUE(is_ok(capped->command("USER alice")));

  auto modern = connect(/*implicit_tls=*/true);
  EXPECT_EQ(modern->tls_version(), "TLSv1.3");
}

TEST_F(refd_tls, tls_1_1_is_refused_by_the_server) {
  loopback_client client(server_->tls_port());
  // The client allows TLS 1.1 (and its old ciphers), so a failure can only be the server's refusal.
  pop3::testing::tls_client_options tls_1_1;
  tls_1_1.min_version = tls_1_1.max_version = TLS1_1_VERSION;
  tls_1_1.cipher_list = "DEFAULT:@SECLEVEL=0";
  try {
    client.start_tls(test_cert_file(), tls_1_1);
    ADD_FAILURE() << "TLS 1.1 handshake succeeded: " << client.tls_version();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("protocol version"), std::string::npos) << e.what();
  }
}

TEST_F(refd_tls, without_a_certificate_stls_is_neither_offered_nor_accepted) {
  restart([](refd::server_config& config) {
    config.tls_cert.clear();
    config.tls_key.clear();
    config.listen = {refd::listen_endpoint{"127.0.0.1", 0, false}};
  });
  auto client = connect();
  EXPECT_FALSE(capa_lists(*client, "STLS"));
  EXPECT_TRUE(is_err(client->command("STLS")));
  login(*client);  // the connection carries on in plaintext
}

TEST(refd_tls_config, implicit_tls_listener_without_certificate_is_refused_at_bind) {
  pop3::testing::temp_maildir maildir;
  auto config = pop3::testing::default_refd_config(maildir);
  config.tls_cert.clear();
  config.tls_key.clear();
  refd::server server(config);
  EXPECT_THROW(server.bind(), std::runtime_error);
}

TEST(refd_tls_config, unreadable_certificate_is_refused_at_bind) {
  pop3::testing::temp_maildir maildir;
  auto config = pop3::testing::default_refd_config(maildir);
  config.tls_cert = maildir.write_file("not-a-cert.pem", "garbage\n");
  refd::server server(config);
  EXPECT_THROW(server.bind(), std::runtime_error);
}

}  // namespace
}  // namespace pop3::refd_tests
