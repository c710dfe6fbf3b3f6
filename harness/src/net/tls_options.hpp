#pragma once
// Client TLS settings shared by the connection layer and its users (no Asio here).
#include <string>

namespace pop3::harness::detail {

struct tls_client_options {
  std::string ca_file;        ///< PEM trust anchors; empty: the system trust store
  bool insecure = false;      ///< skip certificate and host name verification
};

}  // namespace pop3::harness::detail
