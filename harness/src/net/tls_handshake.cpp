// The `tls` step's offer on an OpenSSL SSL object, and the handshake watch (tls_handshake.hpp).
#include "tls_handshake.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include <openssl/err.h>

namespace pop3::harness::detail {
namespace {

long openssl_version(tls_version v) {
  constexpr std::array<long, 4> versions{TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
  return versions[static_cast<std::size_t>(v)];
}

// Every name in a cipher list must be known: OpenSSL accepts a list as long as one entry matches,
// so a typo would silently shrink the offer.
std::optional<std::string> unknown_cipher(SSL* ssl, std::string_view list) {
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find_first_of(":,", start), list.size());
    const std::string_view entry = list.substr(start, end - start);
    start = end + 1;
    // Removals (!X -X), moves (+X) and commands (@STRENGTH, @SECLEVEL=n) select nothing themselves.
    if (entry.empty() || std::string_view("!-+@").find(entry.front()) != std::string_view::npos) continue;
    const int known = SSL_set_cipher_list(ssl, std::string(entry).c_str());
    ERR_clear_error();
    if (known != 1) return std::string(entry);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> apply_tls_offer(SSL* ssl, const tls_offer& offer) {
  if (offer.is_default()) return std::nullopt;
  // The context disables TLS 1.0 and 1.1 with options, which the version range does not undo.
  SSL_clear_options(ssl, SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
  // SSL_set_min/max_proto_version are macros around SSL_ctrl.
  if (SSL_ctrl(ssl, SSL_CTRL_SET_MIN_PROTO_VERSION, openssl_version(offer.lowest()), nullptr) != 1 ||
      SSL_ctrl(ssl, SSL_CTRL_SET_MAX_PROTO_VERSION, openssl_version(offer.highest()), nullptr) != 1) {
    ERR_clear_error();
    return "this OpenSSL cannot offer TLS " + std::string(tls_version_name(offer.lowest())) + " to " +
           std::string(tls_version_name(offer.highest()));
  }
  if (offer.lowest() < tls_version::v1_2) SSL_set_security_level(ssl, 0);
  if (offer.ciphers.empty()) return std::nullopt;
  if (const auto unknown = unknown_cipher(ssl, offer.ciphers)) {
    return "this OpenSSL knows no cipher suite '" + *unknown + "' (ciphers=" + offer.ciphers + ")";
  }
  const int chosen = SSL_set_cipher_list(ssl, offer.ciphers.c_str());
  ERR_clear_error();
  if (chosen != 1) return "no cipher suite in ciphers=" + offer.ciphers + " can be offered";
  return std::nullopt;
}

std::string describe_tls_session(const SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  return std::string(SSL_get_version(ssl)) + " " + (cipher ? SSL_CIPHER_get_name(cipher) : "(no cipher)");
}

void handshake_watch::attach(SSL* ssl) {
  SSL_set_msg_callback(ssl, &handshake_watch::on_message);
  SSL_ctrl(ssl, SSL_CTRL_SET_MSG_CALLBACK_ARG, 0, this);  // what SSL_set_msg_callback_arg() expands to
}

void handshake_watch::detach(SSL* ssl) noexcept {
  SSL_set_msg_callback(ssl, nullptr);
  SSL_ctrl(ssl, SSL_CTRL_SET_MSG_CALLBACK_ARG, 0, nullptr);
}

std::string handshake_watch::alert_name(int description) { return SSL_alert_desc_string_long(description); }

void handshake_watch::on_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*,
                                 void* arg) {
  auto* self = static_cast<handshake_watch*>(arg);
  const auto* bytes = static_cast<const std::uint8_t*>(buf);
  if (self == nullptr || len == 0) return;
  if (content_type == SSL3_RT_HANDSHAKE && write_p != 0 && bytes[0] == SSL3_MT_CLIENT_HELLO) {
    self->client_hello_sent = true;
  } else if (content_type == SSL3_RT_ALERT && len >= 2) {
    // An alert is two octets: level, description.
    (write_p != 0 ? self->alert_sent : self->alert_received) = bytes[1];
  }
}

}  // namespace pop3::harness::detail
