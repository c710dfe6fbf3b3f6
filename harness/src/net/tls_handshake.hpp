#pragma once
// The client side of one TLS handshake beyond what the context says: the `tls` step's offer
// applied to the SSL object, and a watch on the handshake's messages that tells a server's
// refusal apart from a client that never sent its ClientHello. Internal to harness_net.
#include <optional>
#include <string>

#include <openssl/ssl.h>

#include "pop3/harness/tls_offer.hpp"

namespace pop3::harness::detail {

/// Makes `ssl` offer exactly `offer` (nothing for the default offer, which keeps the context's
/// settings): the version range, whatever the context and openssl.cnf disable, at security
/// level 0 when a version below 1.2 is in it (OpenSSL 3 cannot complete TLS 1.0 or 1.1 at level
/// 1 and above: their handshake signatures use SHA-1), and the cipher list. Returns why it
/// cannot (an unknown cipher name, ...), nullopt when done.
[[nodiscard]] std::optional<std::string> apply_tls_offer(SSL* ssl, const tls_offer& offer);

/// "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256": the negotiated version and suite.
[[nodiscard]] std::string describe_tls_session(const SSL* ssl);

/// Flow: attach() before the handshake, detach() after it; meanwhile OpenSSL reports every
/// handshake message and alert through the message callback, and the fields record them.
class handshake_watch {
 public:
  void attach(SSL* ssl);
  void detach(SSL* ssl) noexcept;

  bool client_hello_sent = false;
  std::optional<int> alert_received;  ///< the server's alert (RFC 8446 §6 description), if any
  std::optional<int> alert_sent;      ///< the client's own alert, if it gave up

  /// "protocol version" for an alert description.
  [[nodiscard]] static std::string alert_name(int description);

 private:
  static void on_message(int write_p, int version, int content_type, const void* buf, std::size_t len, SSL* ssl,
                         void* arg);
};

}  // namespace pop3::harness::detail
