// Fuzz target: status-line and continuation parsing never crash or throw, and a parsed status
// line survives format_status and a second parse unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pop3/protocol/response.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace pop3::protocol;
  const std::string_view line(reinterpret_cast<const char*>(bytes), size);

  std::string payload;
  if (parse_continuation(line, &payload)) require(payload.size() + 2 == line.size());

  const auto parsed = parse_status_line(line);
  require(parsed.value.has_value() == parsed.error.empty());
  if (!parsed.value) return 0;
  const auto& status = *parsed.value;
  const std::string code = status.code ? status.code->to_string() : std::string();
  if (status.code) {
    require(!status.code->levels.empty());
    require(status.code->matches(code));
    require(status.code->matches(status.code->levels.front()));
  }

  const auto formatted = format_status(status.ok, code, status.text);
  const auto again = parse_status_line(std::string_view(formatted).substr(0, formatted.size() - 2));
  require(again.value.has_value());
  require(*again.value == status);
  return 0;
}
