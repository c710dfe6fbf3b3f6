// Strict base64 (RFC 4648 §4), APOP (RFC 1939 §7), CRAM-MD5 (RFC 2195), SASL PLAIN (RFC 4616).
#include "pop3/protocol/auth.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "ascii.hpp"

namespace pop3::protocol {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) noexcept {
  const auto pos = alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0f];
  }
  return out;
}

// MD5 is always present in OpenSSL's default provider; failing here is a broken installation,
// not bad input, so it throws rather than handing out a wrong digest.
[[noreturn]] void crypto_failure(const char* what) { throw std::runtime_error(std::string("OpenSSL: ") + what + " failed"); }

constexpr std::size_t max_plain_field = 255;  // RFC 4616 §2: SAFE fields of 1..255 octets

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8 |
                   static_cast<unsigned>(static_cast<unsigned char>(data[i + 2]));
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += alphabet[n >> 6 & 63];
    out += alphabet[n & 63];
  }
  const std::size_t left = data.size() - i;
  if (left > 0) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16;
    if (left == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8;
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += left == 2 ? alphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.ends_with("==")) {
    padding = 2;
  } else if (text.ends_with('=')) {
    padding = 1;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  const std::size_t data_chars = text.size() - padding;
  unsigned accumulator = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    // Anything outside the alphabet, '=' included, is rejected here (RFC 5034 §4).
    const int value = sextet(text[i]);
    if (value < 0) return std::nullopt;
    accumulator = (accumulator << 6 | static_cast<unsigned>(value)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(accumulator >> bits & 0xff);
    }
  }
  return out;
}

std::string apop_digest(std::string_view timestamp, std::string_view secret) {
  std::string input;
  input.reserve(timestamp.size() + secret.size());
  input.append(timestamp).append(secret);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  std::size_t md_len = 0;
  if (EVP_Q_digest(nullptr, "MD5", nullptr, input.data(), input.size(), md.data(), &md_len) != 1) {
    crypto_failure("MD5");
  }
  return to_hex(md.data(), md_len);
}

std::string cram_md5_digest(std::string_view challenge, std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t mac_len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(challenge.data());
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "MD5", nullptr, secret.data(), secret.size(), data, challenge.size(),
                mac.data(), mac.size(), &mac_len) == nullptr) {
    crypto_failure("HMAC-MD5");
  }
  return to_hex(mac.data(), mac_len);
}

std::optional<plain_credentials> parse_sasl_plain(std::string_view decoded) {
  const auto first = decoded.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = decoded.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  plain_credentials creds;
  creds.authzid = std::string(decoded.substr(0, first));
  creds.authcid = std::string(decoded.substr(first + 1, second - first - 1));
  // A third NUL would sit inside the password, which SAFE excludes.
  const auto password = decoded.substr(second + 1);
  if (password.find('\0') != std::string_view::npos) return std::nullopt;
  creds.password = std::string(password);
  if (creds.authcid.empty() || creds.password.empty()) return std::nullopt;
  if (creds.authzid.size() > max_plain_field || creds.authcid.size() > max_plain_field ||
      creds.password.size() > max_plain_field) {
    return std::nullopt;
  }
  return creds;
}

std::optional<std::string> find_apop_timestamp(std::string_view greeting) {
  // RFC 2449 §3: gchar excludes "<", so the only "<" in a greeting opens the timestamp, which
  // is an RFC 822 msg-id: "<" local "@" domain ">" with no spaces.
  const auto open = greeting.find('<');
  if (open == std::string_view::npos || greeting.find('<', open + 1) != std::string_view::npos) return std::nullopt;
  const auto close = greeting.find('>', open);
  if (close == std::string_view::npos) return std::nullopt;
  const auto inner = greeting.substr(open + 1, close - open - 1);
  const auto at = inner.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == inner.size()) return std::nullopt;
  for (char c : inner) {
    if (!detail::is_vchar(c)) return std::nullopt;
  }
  return std::string(greeting.substr(open, close - open + 1));
}

}  // namespace pop3::protocol
