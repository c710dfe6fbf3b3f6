// Fuzz target: command tokenising, numbers, unique-ids and CAPA parsing never crash or throw;
// strict acceptance implies the same lenient result, and formatting round-trips.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/protocol/capabilities.hpp"
#include "pop3/protocol/command.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Lines ending in LF (a CR before it dropped); a last line without LF counts if non-empty.
std::vector<std::string> split_lines(std::string_view data) {
  std::vector<std::string> lines;
  while (!data.empty()) {
    const auto lf = data.find('\n');
    auto line = data.substr(0, lf);
    if (lf != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
    lines.emplace_back(line);
    if (lf == std::string_view::npos) break;
    data.remove_prefix(lf + 1);
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace pop3::protocol;
  const std::string_view line(reinterpret_cast<const char*>(bytes), size);

  const auto strict = parse_command(line, true);
  const auto lenient = parse_command(line, false);
  require(strict.value.has_value() == (strict.error == command_error::none));
  require(lenient.value.has_value() == (lenient.error == command_error::none));
  require(!strict.describe().empty() && !lenient.describe().empty());
  if (strict.value) {
    const auto& cmd = *strict.value;
    require(cmd.keyword.size() == 3 || cmd.keyword.size() == 4);
    require(lenient.value == cmd);
    for (const auto& arg : cmd.args) require(!arg.empty() && arg.find(' ') == std::string::npos);
    if (cmd.keyword != "PASS") {
      const auto formatted = format_command(cmd.keyword, cmd.args);
      const auto again = parse_command(std::string_view(formatted).substr(0, formatted.size() - 2));
      require(again.value == cmd);
    }
  }

  if (const auto number = parse_number(line)) {
    const auto digits = line.substr(std::min(line.find_first_not_of('0'), line.size() - 1));
    require(std::to_string(*number) == digits);
  }
  if (is_valid_unique_id(line)) require(!line.empty() && line.size() <= 70);

  const auto lines = split_lines(line);
  const auto caps = capability_set::parse(lines);
  require(caps.items().size() + caps.problems().size() >= lines.size());
  for (const auto& cap : caps.items()) require(caps.find(cap.tag) != nullptr);
  const auto reparsed = capability_set::parse(split_lines(caps.format()));
  require(reparsed.format() == caps.format() || !caps.problems().empty());
  (void)caps.sasl_mechanisms();
  return 0;
}
