#pragma once
// A self-signed TLS certificate made at run time with OpenSSL's API, so the embedded server can
// offer STLS and an implicit-TLS port without any files shipped or an `openssl` binary.
#include <filesystem>

namespace pop3::harness {

struct certificate_files {
  std::filesystem::path cert;   ///< PEM certificate; also the trust anchor (--ca) for clients
  std::filesystem::path key;    ///< PEM private key, mode 0600
};

/// Writes cert.pem and key.pem into `dir`: a P-256 key and a self-signed certificate for
/// CN=localhost with subjectAltName DNS:localhost, IP:127.0.0.1, valid for 7 days from an hour ago.
/// Throws std::runtime_error on failure.
certificate_files generate_self_signed_certificate(const std::filesystem::path& dir);

}  // namespace pop3::harness
