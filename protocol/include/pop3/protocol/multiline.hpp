#pragma once
// Multi-line bodies (RFC 1939 §3): byte-stuffing on the way out, unstuffing on the way in,
// and CRLF normalisation of stored messages so that sizes equal the octets RETR sends.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::protocol {

/// Converts bare LF (and a lone CR before LF) to CRLF and makes sure the text ends in CRLF
/// (empty input stays empty). The result's size is the size LIST and STAT must report.
[[nodiscard]] std::string normalize_crlf(std::string_view raw);
/// The size normalize_crlf(raw) would have, without building it.
[[nodiscard]] std::size_t normalized_size(std::string_view raw) noexcept;

/// Byte-stuffs CRLF-normalised content and appends the ".\r\n" terminator: the exact data
/// section of a multi-line response. A line that is exactly "." goes out as "..".
[[nodiscard]] std::string dot_stuff(std::string_view crlf_content);
/// Appends the stuffed form of crlf_content to out (no terminator); for streaming large bodies.
void append_dot_stuffed(std::string& out, std::string_view crlf_content);
/// Appends what dot_stuff() returns to out, without building it apart first.
void append_data_section(std::string& out, std::string_view crlf_content);

/// Collects the data lines of one multi-line response, one framed line at a time.
///
/// Flow: feed() each line that follows the status line; it unstuffs and stores data lines
/// until the "." terminator, then reports done and ignores further lines until reset().
class multiline_decoder {
 public:
  enum class status { more, done };
  /// Feeds one data line without its CRLF. Returns done on the terminating ".".
  status feed(std::string_view line);
  [[nodiscard]] bool finished() const noexcept { return done_; }
  /// Unstuffed data lines, terminator excluded.
  [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return lines_; }
  /// Unstuffed content as octets, each line followed by CRLF (what LIST's size counts).
  [[nodiscard]] std::string content() const;
  [[nodiscard]] std::size_t octets() const noexcept { return octets_; }
  void reset();

 private:
  std::vector<std::string> lines_;
  std::size_t octets_ = 0;
  bool done_ = false;
};

}  // namespace pop3::protocol
