// The names of the normalisations and of the kinds of divergence, and one-line descriptions.
#include "compare_internal.hpp"
#include "text.hpp"

namespace pop3::harness {

std::string_view name_of(normalisation n) noexcept {
  switch (n) {
    case normalisation::free_text:
      return "free-text";
    case normalisation::greeting:
      return "greeting";
    case normalisation::apop_timestamp:
      return "apop-timestamp";
    case normalisation::unique_ids:
      return "unique-ids";
    case normalisation::implementation:
      return "implementation";
    case normalisation::added_headers:
      return "added-headers";
  }
  return "?";
}

std::string_view description_of(normalisation n) noexcept {
  switch (n) {
    case normalisation::free_text:
      return "the text after +OK/-ERR, the response code and the command's own fields is not compared";
    case normalisation::greeting:
      return "the greeting's text is not compared (only its status)";
    case normalisation::apop_timestamp:
      return "the APOP timestamp's value is not compared (whether the greeting has one still is)";
    case normalisation::unique_ids:
      return "UIDL values are paired by message; only a broken pairing is a divergence";
    case normalisation::implementation:
      return "the argument of CAPA's IMPLEMENTATION line is not compared";
    case normalisation::added_headers:
      return "header fields the server under test adds (Received:, Status:, ...) are ignored in RETR and "
             "TOP, and sizes may grow by a constant amount per message";
  }
  return "?";
}

std::optional<normalisation> normalisation_from_name(std::string_view name) noexcept {
  for (const normalisation n : all_normalisations) {
    if (name_of(n) == name) return n;
  }
  return std::nullopt;
}

std::string_view name_of(divergence::kind k) noexcept {
  using kind = divergence::kind;
  switch (k) {
    case kind::status:
      return "status";
    case kind::response_code:
      return "response-code";
    case kind::text:
      return "text";
    case kind::greeting:
      return "greeting";
    case kind::size:
      return "size";
    case kind::unique_id:
      return "unique-id";
    case kind::line_count:
      return "line-count";
    case kind::content:
      return "content";
    case kind::capabilities:
      return "capabilities";
    case kind::connection:
      return "connection";
    case kind::silence:
      return "silence";
    case kind::framing:
      return "framing";
    case kind::session:
      return "session";
  }
  return "?";
}

std::string describe(const divergence& d) {
  std::string out = d.where.file + ":" + std::to_string(d.where.line) + ": ";
  if (!d.conn.empty()) out += d.conn + ": ";
  out += d.greeting          ? std::string("greeting")
         : d.command.empty() ? std::string("(no command)")
                             : detail::shown(d.command);
  out += ": " + std::string(name_of(d.k)) + ": " + d.what;
  if (d.scenario_accepts_both) out += " (the scenario accepts both)";
  return out;
}

namespace detail {

std::string shown(std::string_view line) { return printable(line, 120); }

}  // namespace detail
}  // namespace pop3::harness
