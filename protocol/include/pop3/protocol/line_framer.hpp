#pragma once
// Incremental line framing with a hard length limit, shared by both sides of the wire.
//
// Flow: feed() appends received bytes; next() hands out complete lines one at a time.
// A line longer than the limit is reported *once*, as soon as the limit is passed (so a
// 100 MB line costs no memory), as a framed_line with too_long set; the rest of that line,
// up to and including its LF, is then discarded silently.
//
// Length rule: a line's octets are its text plus the terminator actually received (CRLF or
// bare LF); a line is too long when that exceeds the limit. So with limit 255, 253 octets +
// CRLF pass and 254 + CRLF (256 octets) do not. A CR not followed by LF stays in the text.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pop3::protocol {

struct framed_line {
  enum class ending { crlf, bare_lf, none };
  std::string text;                 ///< the line without its terminator (first `limit` octets if too_long)
  ending end = ending::crlf;        ///< how the line was terminated (none for too_long)
  bool too_long = false;            ///< the line passed the limit; text is a prefix
  bool operator==(const framed_line&) const = default;
};

class line_framer {
 public:
  /// @param max_line_octets longest acceptable line *including* CRLF.
  explicit line_framer(std::size_t max_line_octets);

  void feed(std::string_view bytes);
  /// The next complete line, or nullopt when more bytes are needed.
  std::optional<framed_line> next();

  /// Bytes received but not yet returned as a line (e.g. data pipelined after STLS).
  [[nodiscard]] std::size_t buffered_size() const noexcept;
  /// Drops every buffered byte, including a partial line and a pending discard.
  void clear() noexcept;

  void set_max_line(std::size_t max_line_octets) noexcept;
  [[nodiscard]] std::size_t max_line() const noexcept;

 private:
  std::string buffer_;
  std::size_t head_ = 0;            // start of the unread part of buffer_ (compacted on feed)
  std::size_t scan_from_ = 0;       // bytes of buffer_ already searched for LF
  std::size_t max_line_;
  bool discarding_ = false;         // inside the tail of an over-long line
};

}  // namespace pop3::protocol
