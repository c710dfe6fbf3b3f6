#pragma once
// What the harness's client offers in a TLS handshake: the options of the `tls` step
// (`tls max-version=1.0 refused`). Plain data, no OpenSSL: the Asio driver applies it.
#include <optional>
#include <string>
#include <string_view>

namespace pop3::harness {

/// A TLS protocol version the client can offer (SSL 2.0 and 3.0 are gone from OpenSSL 3).
enum class tls_version { v1_0, v1_1, v1_2, v1_3 };

/// "1.0", "1.1", "1.2" or "1.3"; nullopt for anything else.
[[nodiscard]] std::optional<tls_version> parse_tls_version(std::string_view text) noexcept;
/// The version as the scenario language writes it ("1.0").
[[nodiscard]] std::string_view tls_version_name(tls_version v) noexcept;

/// The client's offer. All fields empty: what every handshake offers without options (TLS 1.2
/// and later with the default suites, certificate verified).
struct tls_offer {
  std::optional<tls_version> min_version, max_version;  ///< unset: see lowest() / highest()
  std::string ciphers;  ///< OpenSSL cipher list for TLS 1.2 and below; "" = the default list

  [[nodiscard]] bool is_default() const noexcept {
    return !min_version && !max_version && ciphers.empty();
  }
  /// The lowest version offered: min_version, else 1.0 when max_version is below 1.2 (a handshake
  /// limited to legacy versions), else 1.2.
  [[nodiscard]] tls_version lowest() const noexcept;
  /// The highest version offered: max_version, else 1.3.
  [[nodiscard]] tls_version highest() const noexcept;
  /// The options as written ("max-version=1.0 ciphers=..."), "" for the default offer.
  [[nodiscard]] std::string to_string() const;

  bool operator==(const tls_offer&) const = default;
};

}  // namespace pop3::harness
