#pragma once
// Client TLS settings shared by the connection layer and its users (no Asio here).
#include <string>

#include "pop3/harness/net/runner.hpp"

namespace pop3::harness::detail {

struct tls_client_options {
  std::string ca_file;        ///< PEM trust anchors; empty: the system trust store
  bool insecure = false;      ///< skip certificate and host name verification
  std::string client_cert;    ///< PEM certificate (chain) presented in the handshake; empty: none
  std::string client_key;     ///< PEM private key of client_cert
};

/// The TLS settings every connection to `where` uses (the probe's and the scenarios').
[[nodiscard]] inline tls_client_options client_tls_for(const target& where) {
  return tls_client_options{where.ca_file, where.insecure, where.client_cert, where.client_key};
}

}  // namespace pop3::harness::detail
