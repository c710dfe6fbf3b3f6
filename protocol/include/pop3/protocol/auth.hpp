#pragma once
// Authentication helpers shared by server and harness: strict base64 (RFC 4648, as RFC 5034 §4
// demands), the APOP digest (RFC 1939 §7), CRAM-MD5 (RFC 2195) and SASL PLAIN (RFC 4616).
#include <optional>
#include <string>
#include <string_view>

namespace pop3::protocol {

[[nodiscard]] std::string base64_encode(std::string_view data);
/// Strict decoding: no characters outside the alphabet, padding only at the end, length % 4 == 0.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

/// Lower-case hex MD5 of timestamp (with its angle brackets) followed by the secret.
[[nodiscard]] std::string apop_digest(std::string_view timestamp, std::string_view secret);
/// Lower-case hex HMAC-MD5(key = secret, data = challenge).
[[nodiscard]] std::string cram_md5_digest(std::string_view challenge, std::string_view secret);

struct plain_credentials {
  std::string authzid, authcid, password;
  bool operator==(const plain_credentials&) const = default;
};
/// Splits "[authzid] NUL authcid NUL passwd"; nullopt if malformed or a field exceeds 255 octets.
[[nodiscard]] std::optional<plain_credentials> parse_sasl_plain(std::string_view decoded);

/// RFC 4013 SASLprep of UTF-8 text (GNU Libidn's "SASLprep" stringprep profile): a soft hyphen
/// maps to nothing, a non-ASCII space to SPACE, the result is NFKC. `stored` strings may not hold
/// unassigned code points; queries (what a client sends, RFC 4616 §2) may. nullopt when the text is
/// not UTF-8 or holds a prohibited character (a control character, a NUL, ...).
[[nodiscard]] std::optional<std::string> saslprep(std::string_view text, bool stored);

/// Extracts the "<...@...>" APOP timestamp from a greeting line, if there is exactly one.
[[nodiscard]] std::optional<std::string> find_apop_timestamp(std::string_view greeting);

}  // namespace pop3::protocol
