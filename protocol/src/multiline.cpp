// Multi-line bodies (RFC 1939 §3): CRLF normalisation, byte-stuffing and its decoder.
#include "pop3/protocol/multiline.hpp"

namespace pop3::protocol {

std::string normalize_crlf(std::string_view raw) {
  std::string out;
  out.reserve(normalized_size(raw));
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\n' && (i == 0 || raw[i - 1] != '\r')) out += '\r';
    out += c;
  }
  // A trailing lone CR becomes the start of the final CRLF rather than a text octet.
  if (!out.empty() && !out.ends_with('\n')) out += out.ends_with('\r') ? "\n" : "\r\n";
  return out;
}

std::size_t normalized_size(std::string_view raw) noexcept {
  if (raw.empty()) return 0;
  std::size_t size = raw.size();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) ++size;
  }
  if (raw.back() == '\r') return size + 1;
  if (raw.back() != '\n') return size + 2;
  return size;
}

void append_dot_stuffed(std::string& out, std::string_view crlf_content) {
  // Every line start (the beginning, and after each LF, as the receiving framer sees it) that
  // holds "." gets one more: ".." for a lone ".", "...x" for "..x".
  bool line_start = true;
  std::size_t run_begin = 0;
  for (std::size_t i = 0; i < crlf_content.size(); ++i) {
    if (line_start && crlf_content[i] == '.') {
      out.append(crlf_content.substr(run_begin, i - run_begin));
      out += '.';
      run_begin = i;
    }
    line_start = crlf_content[i] == '\n';
  }
  out.append(crlf_content.substr(run_begin));
}

std::string dot_stuff(std::string_view crlf_content) {
  std::string out;
  out.reserve(crlf_content.size() + crlf_content.size() / 64 + 5);
  append_dot_stuffed(out, crlf_content);
  // The terminator must start a line; content that breaks the CRLF precondition still yields
  // a well-formed response instead of a terminator glued to the last line.
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
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
