// Incremental line framing with a hard limit (see line_framer.hpp for the contract).
#include "pop3/protocol/line_framer.hpp"

#include <algorithm>

namespace pop3::protocol {

namespace {
// A limit of 0 would report an endless run of empty too_long lines; 1 still frames "\n".
std::size_t sane_limit(std::size_t max_line_octets) noexcept { return std::max<std::size_t>(max_line_octets, 1); }
}  // namespace

line_framer::line_framer(std::size_t max_line_octets) : max_line_(sane_limit(max_line_octets)) {}

void line_framer::feed(std::string_view bytes) {
  // Invariant: while discarding_, nothing is buffered, so the tail of an over-long line is
  // dropped here as it arrives and never costs memory.
  if (discarding_) {
    const auto lf = bytes.find('\n');
    if (lf == std::string_view::npos) return;
    discarding_ = false;
    bytes.remove_prefix(lf + 1);
  }
  if (head_ != 0) {
    buffer_.erase(0, head_);
    scan_from_ -= std::min(scan_from_, head_);
    head_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<framed_line> line_framer::next() {
  const std::size_t available = buffer_.size() - head_;
  // Only the first max_line_ octets can hold the LF of an acceptable line.
  const std::size_t window_end = head_ + std::min(available, max_line_);
  const std::size_t from = std::max(scan_from_, head_);
  const std::size_t lf = from < window_end ? buffer_.find('\n', from) : std::string::npos;

  if (lf != std::string::npos && lf < window_end) {
    framed_line line;
    const bool crlf = lf > head_ && buffer_[lf - 1] == '\r';
    line.end = crlf ? framed_line::ending::crlf : framed_line::ending::bare_lf;
    line.text.assign(buffer_, head_, lf - head_ - (crlf ? 1 : 0));
    head_ = lf + 1;
    scan_from_ = head_;
    return line;
  }
  if (available < max_line_) {
    scan_from_ = buffer_.size();
    return std::nullopt;
  }

  // Even if the LF arrives next, the line would exceed the limit: report it now.
  framed_line line;
  line.text.assign(buffer_, head_, max_line_);
  line.end = framed_line::ending::none;
  line.too_long = true;
  const std::size_t tail_lf = lf != std::string::npos ? lf : buffer_.find('\n', window_end);
  if (tail_lf == std::string::npos) {
    buffer_.clear();
    head_ = 0;
    discarding_ = true;
  } else {
    head_ = tail_lf + 1;
  }
  scan_from_ = head_;
  return line;
}

std::size_t line_framer::buffered_size() const noexcept { return buffer_.size() - head_; }

void line_framer::clear() noexcept {
  buffer_.clear();
  head_ = 0;
  scan_from_ = 0;
  discarding_ = false;
}

void line_framer::set_max_line(std::size_t max_line_octets) noexcept { max_line_ = sane_limit(max_line_octets); }

std::size_t line_framer::max_line() const noexcept { return max_line_; }

}  // namespace pop3::protocol
