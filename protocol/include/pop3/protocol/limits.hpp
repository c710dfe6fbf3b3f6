#pragma once
// Protocol limits from the RFCs, in octets including the terminating CRLF.
#include <cstddef>

namespace pop3::protocol {

/// RFC 2449 §4: a server that supports CAPA accepts commands of at least this length.
inline constexpr std::size_t max_command_octets = 255;
/// RFC 1939 §3 / RFC 2449 §4: the first line of a response (and each CAPA line) fits in this.
inline constexpr std::size_t max_response_line_octets = 512;
/// RFC 1939 §3: the original argument limit (superseded by 2449 for CAPA servers).
inline constexpr std::size_t rfc1939_max_argument_chars = 40;
/// RFC 1939 §7: a unique-id is 1..70 characters in 0x21..0x7E.
inline constexpr std::size_t max_unique_id_chars = 70;

}  // namespace pop3::protocol
