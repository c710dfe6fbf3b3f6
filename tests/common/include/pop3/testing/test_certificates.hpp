#pragma once
// The self-signed localhost certificate generated at configure time by
// cmake/test_certificates.cmake. Link pop3spec::test_certificates to use this header.
#include <filesystem>

#if !defined(POP3SPEC_TEST_CERT_FILE) || !defined(POP3SPEC_TEST_KEY_FILE)
#error "link the pop3spec::test_certificates target (cmake/test_certificates.cmake)"
#endif

namespace pop3::testing {

/// PEM certificate for CN=localhost, SAN DNS:localhost and IP:127.0.0.1; also the CA to trust.
inline std::filesystem::path test_cert_file() { return POP3SPEC_TEST_CERT_FILE; }
/// Its unencrypted PEM private key.
inline std::filesystem::path test_key_file() { return POP3SPEC_TEST_KEY_FILE; }

}  // namespace pop3::testing
