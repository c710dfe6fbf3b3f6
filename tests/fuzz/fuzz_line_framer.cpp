// Fuzz target: line_framer and the multi-line codec never crash or throw, framing does not
// depend on how the bytes are split, and byte-stuffing round-trips.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/protocol/line_framer.hpp"
#include "pop3/protocol/multiline.hpp"

namespace {

using namespace pop3::protocol;

void require(bool ok) {
  if (!ok) std::abort();
}

struct framed {
  std::vector<framed_line> lines;
  std::size_t left_over = 0;
};

framed frame(std::string_view data, std::size_t limit, std::size_t chunk) {
  line_framer framer(limit);
  framed out;
  for (std::size_t at = 0; at < data.size(); at += chunk) {
    framer.feed(data.substr(at, chunk));
    while (auto line = framer.next()) {
      require(line->text.size() <= framer.max_line());
      require(line->too_long || line->text.find('\n') == std::string::npos);
      out.lines.push_back(std::move(*line));
    }
    // Whatever stays buffered is a partial line that can still fit.
    require(framer.buffered_size() < framer.max_line());
  }
  out.left_over = framer.buffered_size();
  return out;
}

bool same(const framed& a, const framed& b) { return a.lines == b.lines && a.left_over == b.left_over; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = 1 + bytes[0] % 64;
  const std::size_t chunk = 1 + bytes[1] % 16;
  const std::string_view data(reinterpret_cast<const char*>(bytes + 2), size - 2);

  require(same(frame(data, limit, data.size() + 1), frame(data, limit, chunk)));

  const auto content = normalize_crlf(data);
  require(content.size() == normalized_size(data));
  require(normalize_crlf(content) == content);

  multiline_decoder decoder;
  const auto wire = dot_stuff(content);
  for (const auto& line : frame(wire, wire.size() + 2, chunk).lines) {
    require(!decoder.finished());
    decoder.feed(line.text);
  }
  require(decoder.finished());
  require(decoder.content() == content);
  require(decoder.octets() == content.size());

  // Unstuffing arbitrary lines never throws, and octets always match content.
  multiline_decoder raw;
  for (const auto& line : frame(data, data.size() + 2, data.size() + 1).lines) raw.feed(line.text);
  require(raw.octets() == raw.content().size());
  return 0;
}
