// The client certificate (--client-cert/--client-key) is presented in the TLS handshake: a TLS
// server on 127.0.0.1 that requires a peer certificate completes the handshake only with it.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "net/blocking_client.hpp"
#include "net/tls_options.hpp"
#include "pop3/harness/net/certificate.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// Accepts one implicit-TLS connection that must present a client certificate; greets with
/// "+OK cert" after the handshake. handshake_succeeded() says whether it did.
class cert_requiring_server {
 public:
  cert_requiring_server(const harness::certificate_files& own, const std::filesystem::path& client_ca)
      : tls_(asio::ssl::context::tls_server), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    tls_.use_certificate_chain_file(own.cert.string());
    tls_.use_private_key_file(own.key.string(), asio::ssl::context::pem);
    tls_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    tls_.load_verify_file(client_ca.string());
    // The generated certificates are made for servers (extendedKeyUsage serverAuth), which
    // OpenSSL refuses as a client's; what matters here is that one is presented at all.
    tls_.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    result_ = std::async(std::launch::async, [this] {
      asio::ssl::stream<asio::ip::tcp::socket> stream(io_, tls_);
      acceptor_.accept(stream.next_layer());
      boost::system::error_code ec;
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (ec) return false;
      asio::write(stream, asio::buffer(std::string("+OK cert\r\n")), ec);
      return !ec;
    });
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] bool handshake_succeeded() {
    if (result_.wait_for(10s) != std::future_status::ready) return false;
    return result_.get();
  }

 private:
  asio::io_context io_;
  asio::ssl::context tls_;
  asio::ip::tcp::acceptor acceptor_;
  std::future<bool> result_;
};

harness::target tls_target(std::uint16_t port, const harness::certificate_files& server) {
  harness::target where;
  where.port = port;
  where.tls = harness::tls_mode::implicit;
  where.ca_file = server.cert.string();
  return where;
}

TEST(HarnessClientCert, PresentedInTheHandshake) {
  temp_maildir dir;
  std::filesystem::create_directories(dir.base() / "server");
  std::filesystem::create_directories(dir.base() / "client");
  const auto server_files = harness::generate_self_signed_certificate(dir.base() / "server");
  const auto client_files = harness::generate_self_signed_certificate(dir.base() / "client");

  cert_requiring_server server(server_files, client_files.cert);
  auto where = tls_target(server.port(), server_files);
  where.client_cert = client_files.cert.string();
  where.client_key = client_files.key.string();
  harness::detail::blocking_client client(harness::detail::client_tls_for(where), 5s);
  client.connect(where.host, where.port, true);
  EXPECT_EQ(client.read_line(512).text, "+OK cert");
  EXPECT_TRUE(server.handshake_succeeded());
}

TEST(HarnessClientCert, WithoutItTheServerRefusesTheHandshake) {
  temp_maildir dir;
  std::filesystem::create_directories(dir.base() / "server");
  std::filesystem::create_directories(dir.base() / "client");
  const auto server_files = harness::generate_self_signed_certificate(dir.base() / "server");
  const auto client_files = harness::generate_self_signed_certificate(dir.base() / "client");

  cert_requiring_server server(server_files, client_files.cert);
  const auto where = tls_target(server.port(), server_files);
  harness::detail::blocking_client client(harness::detail::client_tls_for(where), 5s);
  try {
    client.connect(where.host, where.port, true);
    (void)client.read_line(512);  // TLS 1.3: the refusal arrives after the client's handshake
    ADD_FAILURE() << "the server accepted a handshake without a client certificate";
  } catch (const harness::detail::client_error&) {
  }
  EXPECT_FALSE(server.handshake_succeeded());
}

}  // namespace
}  // namespace pop3::testing
