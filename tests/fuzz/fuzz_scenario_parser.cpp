// Fuzzes the scenario parser, and the executor over every input that parses: no crash, no
// exception, no hang, whatever the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pop3/harness/executor.hpp"
#include "pop3/harness/scenario.hpp"

namespace {

using namespace pop3::harness;

// Includes that reach each other (cycles), and one fixture file.
std::optional<resolved_file> resolve(const std::string&, const std::string& path) {
  if (path == "a.inc") return resolved_file{"a.inc", "C: CAPA\nS: +OK\ninclude: b.inc\n"};
  if (path == "b.inc") return resolved_file{"b.inc", "  lines: 1\nS: .\ninclude: a.inc\n"};
  if (path == "m.eml") return resolved_file{"m.eml", "Subject: m\n\n.\n..x\n"};
  return std::nullopt;
}

// A server that says yes to everything: status lines with an APOP timestamp, short blocks.
void drive(const scenario& s) {
  run_context ctx;
  ctx.user = "u";
  ctx.password = "p";
  ctx.apop_secret = "s";
  ctx.fixtures_available = ctx.destructive_allowed = ctx.tls_available = true;
  executor ex(s, ctx);
  for (int i = 0; i < 2000; ++i) {
    const action a = ex.next();
    if (std::holds_alternative<finished_action>(a)) break;
    if (const auto* r = std::get_if<read_line_action>(&a)) {
      const bool data = r->max_octets > 512;
      std::string text = data ? (i % 3 == 0 ? "." : "..x 1") : "+OK 1 2 <1.2@h>";
      ex.on(line_event{
          pop3::protocol::framed_line{std::move(text), pop3::protocol::framed_line::ending::crlf, false}});
    } else {
      ex.on(ok_event{});
    }
  }
  (void)ex.result();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const parse_result parsed = parse_scenario(text, "fuzz.pop3", resolve);
  for (const diagnostic& d : parsed.diagnostics) (void)d.to_string();
  if (parsed.value.mailbox.count <= 20) (void)mailbox_messages(parsed.value);
  if (parsed.ok()) drive(parsed.value);
  return 0;
}
