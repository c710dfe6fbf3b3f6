// Visible escapes for hostile bytes, transcript lines and durations as text.
#include "pop3/reports/text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <system_error>

#include "utf8.hpp"

namespace pop3::reports {
namespace {

void append_escape(std::string& out, unsigned char byte) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  out += "\\x";
  out += hex[byte >> 4];
  out += hex[byte & 0x0F];
}

// Length of the XML-legal UTF-8 sequence at the start of `s`, or 0 when its first byte must be
// escaped: XML 1.0 forbids most C0 controls and U+FFFE/U+FFFF; DEL is legal but invisible.
std::size_t legal_sequence_length(std::string_view s) noexcept {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x20) return (b0 == '\t' || b0 == '\n' || b0 == '\r') ? 1 : 0;
  if (b0 == 0x7F) return 0;
  const std::size_t len = detail::utf8_sequence_length(s);
  const bool non_character = len == 3 && b0 == 0xEF && static_cast<unsigned char>(s[1]) == 0xBF &&
                             static_cast<unsigned char>(s[2]) >= 0xBE;
  return non_character ? 0 : len;
}

}  // namespace

std::string visible_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t len = legal_sequence_length(text);
    if (len == 0) {
      append_escape(out, static_cast<unsigned char>(text.front()));
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, len));
      text.remove_prefix(len);
    }
  }
  return out;
}

std::string format_seconds(std::chrono::duration<double> d) {
  const double seconds = d.count();
  std::array<char, 64> buf{};
  if (!std::isfinite(seconds) || seconds < 0) return "0.000";
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), seconds, std::chars_format::fixed, 3);
  if (res.ec != std::errc{}) return "0.000";  // beyond 10^60 s: not a real duration
  return {buf.data(), res.ptr};
}

std::string format_transcript_line(const transcript_line& line) {
  std::string out = "[+" + format_seconds(std::chrono::duration<double>(line.at_seconds)) + "s] ";
  if (!line.connection.empty()) out += visible_text(line.connection) + ' ';
  switch (line.dir) {
    case transcript_line::direction::client: out += "C: "; break;
    case transcript_line::direction::server: out += "S: "; break;
    case transcript_line::direction::note: out += "--: "; break;
  }
  out += visible_text(line.text);
  return out;
}

}  // namespace pop3::reports
