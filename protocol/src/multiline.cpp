// Multi-line bodies (RFC 1939 §3): CRLF normalisation, byte-stuffing and its decoder.
#include "pop3/protocol/multiline.hpp"

#include <cstring>

namespace pop3::protocol {

// The loops below jump from line end to line end with memchr and copy whole lines: a RETR of a
// large message goes through each of them once, at memory speed, not an octet at a time.

std::string normalize_crlf(std::string_view raw) {
  std::string out;
  out.reserve(normalized_size(raw));
  std::size_t begin = 0;
  while (begin < raw.size()) {
    const void* lf = std::memchr(raw.data() + begin, '\n', raw.size() - begin);
    if (lf == nullptr) break;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - raw.data());
    out.append(raw.substr(begin, at - begin));
    if (at == 0 || raw[at - 1] != '\r') out += '\r';
    out += '\n';
    begin = at + 1;
  }
  out.append(raw.substr(begin));
  // A trailing lone CR becomes the start of the final CRLF rather than a text octet.
  if (!out.empty() && !out.ends_with('\n')) out += out.ends_with('\r') ? "\n" : "\r\n";
  return out;
}

std::size_t normalized_size(std::string_view raw) noexcept {
  if (raw.empty()) return 0;
  std::size_t size = raw.size();
  for (std::size_t begin = 0; begin < raw.size();) {
    const void* lf = std::memchr(raw.data() + begin, '\n', raw.size() - begin);
    if (lf == nullptr) break;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - raw.data());
    if (at == 0 || raw[at - 1] != '\r') ++size;
    begin = at + 1;
  }
  if (raw.back() == '\r') return size + 1;
  if (raw.back() != '\n') return size + 2;
  return size;
}

void append_dot_stuffed(std::string& out, std::string_view crlf_content) {
  // Every line start (the beginning, and after each LF, as the receiving framer sees it) that
  // holds "." gets one more: ".." for a lone ".", "...x" for "..x".
  std::size_t begin = 0;
  while (begin < crlf_content.size()) {
    if (crlf_content[begin] == '.') out += '.';
    const void* lf = std::memchr(crlf_content.data() + begin, '\n', crlf_content.size() - begin);
    const std::size_t end =
        lf == nullptr ? crlf_content.size() : static_cast<std::size_t>(static_cast<const char*>(lf) - crlf_content.data()) + 1;
    out.append(crlf_content.substr(begin, end - begin));
    begin = end;
  }
}

void append_data_section(std::string& out, std::string_view crlf_content) {
  const std::size_t before = out.size();
  append_dot_stuffed(out, crlf_content);
  // The terminator must start a line; content that breaks the CRLF precondition still yields
  // a well-formed response instead of a terminator glued to the last line.
  if (out.size() > before && !out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
}

std::string dot_stuff(std::string_view crlf_content) {
  std::string out;
  out.reserve(crlf_content.size() + crlf_content.size() / 64 + 5);
  append_data_section(out, crlf_content);
  return out;
}

multiline_decoder::status multiline_decoder::feed(std::string_view line) {
  if (done_) return status::done;
  if (line == ".") {
    done_ = true;
    return status::done;
  }
  // RFC 1939 §3: a line that begins with the termination octet has that octet stripped.
  if (line.starts_with('.')) line.remove_prefix(1);
  lines_.emplace_back(line);
  octets_ += line.size() + 2;
  return status::more;
}

std::string multiline_decoder::content() const {
  std::string out;
  out.reserve(octets_);
  for (const auto& line : lines_) {
    out += line;
    out += "\r\n";
  }
  return out;
}

void multiline_decoder::reset() {
  lines_.clear();
  octets_ = 0;
  done_ = false;
}

}  // namespace pop3::protocol
