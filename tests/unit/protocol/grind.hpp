#pragma once
// "Grinding" helpers: feed a byte string in every possible split, so that results that depend
// on where reads happen to end show up as test failures.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/protocol/line_framer.hpp"

namespace pop3::protocol::testing {

/// The pieces a sample is fed in: whole, in two at every split point, and byte at a time.
inline std::vector<std::vector<std::string_view>> every_split(std::string_view sample) {
  std::vector<std::vector<std::string_view>> ways;
  ways.push_back({sample});
  for (std::size_t i = 0; i <= sample.size(); ++i) ways.push_back({sample.substr(0, i), sample.substr(i)});
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < sample.size(); ++i) bytes.push_back(sample.substr(i, 1));
  ways.push_back(std::move(bytes));
  return ways;
}

/// Feeds the pieces to a fresh framer, draining complete lines after each feed (as a driver does).
inline std::vector<framed_line> frame_pieces(std::size_t limit, const std::vector<std::string_view>& pieces) {
  line_framer framer(limit);
  std::vector<framed_line> lines;
  for (auto piece : pieces) {
    framer.feed(piece);
    while (auto line = framer.next()) lines.push_back(std::move(*line));
  }
  return lines;
}

/// A comparable rendering of a framed line for EXPECT_EQ on vectors.
inline std::string describe(const framed_line& line) {
  std::string out = line.too_long ? "too_long:" : "";
  switch (line.end) {
    case framed_line::ending::crlf: out += "crlf:"; break;
    case framed_line::ending::bare_lf: out += "lf:"; break;
    case framed_line::ending::none: out += "none:"; break;
  }
  return out + line.text;
}

inline std::vector<std::string> describe(const std::vector<framed_line>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(describe(line));
  return out;
}

}  // namespace pop3::protocol::testing
