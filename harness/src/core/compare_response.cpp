// response_comparer: status lines (status, response code, the command's fields, free text, the
// greeting), sizes and unique-ids paired by message.
#include <charconv>

#include "compare_internal.hpp"
#include "pop3/protocol/auth.hpp"
#include "pop3/protocol/response.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

std::optional<long long> number(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text.front() == '-')
    return std::nullopt;
  return value;
}

std::string without_timestamp(std::string text) {
  if (const auto stamp = protocol::find_apop_timestamp(text)) {
    const std::size_t at = text.find(*stamp);
    if (at != std::string::npos) text.replace(at, stamp->size(), "<...>");
  }
  return text;
}

// The fields a command's "+OK" carries before its free text (RFC 1939 §5).
std::size_t field_count(const command_shape& command) {
  if (command.keyword == "STAT") return 2;
  if ((command.keyword == "LIST" || command.keyword == "UIDL") && command.has_args) return 2;
  return 0;
}

}  // namespace

status_parts split_status(std::string_view line, const command_shape& command) {
  status_parts out;
  const auto parsed = protocol::parse_status_line(line);
  if (!parsed.value) {
    // A SASL continuation ("+ challenge") or no status line at all: first token and the rest.
    const std::size_t sp = line.find(' ');
    out.status = std::string(line.substr(0, sp));
    out.text = sp == std::string_view::npos ? "" : std::string(line.substr(sp + 1));
    return out;
  }
  out.status = parsed.value->ok ? "+OK" : "-ERR";
  if (parsed.value->code) out.code = parsed.value->code->to_string();
  std::string_view text = parsed.value->text;
  const std::size_t fields = parsed.value->ok ? field_count(command) : 0;
  for (std::size_t i = 0; i < fields && !text.empty(); ++i) {
    const std::size_t sp = text.find(' ');
    out.fields.emplace_back(text.substr(0, sp));
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
  }
  out.text = std::string(text);
  return out;
}

void response_comparer::add(const recorded_response& at, divergence::kind k, std::string what,
                            std::string ref, std::string sut) {
  out_.divergences.push_back(divergence{k, at.conn, at.where, at.command, at.greeting, std::move(what),
                                        std::move(ref), std::move(sut)});
}

void response_comparer::normalised(normalisation n, const recorded_response& at, divergence::kind k,
                                   std::string what, std::string_view ref, std::string_view sut) {
  if (ref == sut) return;
  if (options_.on(n)) {
    ++out_.normalised[static_cast<std::size_t>(n)];
    return;
  }
  add(at, k, std::move(what) + " (normalisation " + std::string(name_of(n)) + " is off)", shown(ref),
      shown(sut));
}

void response_comparer::lines(const recorded_response& ref, const recorded_response& sut) {
  if (ref.framing != sut.framing) {
    add(sut, divergence::kind::framing, "the status line is framed differently",
        ref.framing.empty() ? "CRLF" : ref.framing, sut.framing.empty() ? "CRLF" : sut.framing);
  }
  status_line(ref, sut);
}

void response_comparer::status_line(const recorded_response& ref, const recorded_response& sut) {
  const command_shape command = shape_of(ref.command);
  const status_parts r = split_status(ref.status, command);
  const status_parts s = split_status(sut.status, command);
  if (r.status != s.status) {
    add(sut, divergence::kind::status,
        "the reference answered " + shown(r.status) + ", the server under test " + shown(s.status),
        shown(ref.status), shown(sut.status));
    return;  // the rest of two different answers has nothing to compare
  }
  if (to_upper(r.code.value_or("")) != to_upper(s.code.value_or(""))) {
    add(sut, divergence::kind::response_code, "the response codes differ",
        r.code ? "[" + *r.code + "]" : "(no code)", s.code ? "[" + *s.code + "]" : "(no code)");
  }
  if (ref.greeting) {
    greeting(sut, r, s);
    return;
  }
  fields(sut, command, r, s);
  if (r.status == "+" && r.text.empty() != s.text.empty()) {
    add(sut, divergence::kind::content, "a SASL challenge is empty on one side only", shown(ref.status),
        shown(sut.status));
  } else {
    normalised(normalisation::free_text, sut, divergence::kind::text, "the free text differs", r.text,
               s.text);
  }
  data(ref, sut);
}

void response_comparer::fields(const recorded_response& at, const command_shape& command,
                               const status_parts& ref, const status_parts& sut) {
  const std::size_t n = std::max(ref.fields.size(), sut.fields.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string r = i < ref.fields.size() ? ref.fields[i] : "";
    const std::string s = i < sut.fields.size() ? sut.fields[i] : "";
    const std::string message = command.keyword == "STAT" || ref.fields.empty() ? "" : ref.fields[0];
    if (i == 1 && !r.empty() && !s.empty() && command.keyword == "UIDL") {
      unique_id(at, message, r, s);
    } else if (i == 1 && !r.empty() && !s.empty()) {
      size(at, message, r, s);
    } else if (r != s) {
      add(at, divergence::kind::content,
          i == 1                      ? "a field is missing on one side"
          : command.keyword == "STAT" ? "the message counts differ"
                                      : "the message numbers differ",
          r.empty() ? "(missing)" : shown(r), s.empty() ? "(missing)" : shown(s));
    }
  }
}

void response_comparer::greeting(const recorded_response& at, const status_parts& ref,
                                 const status_parts& sut) {
  timestamps(at, ref.text, sut.text);
  const bool ignore_stamp = options_.on(normalisation::apop_timestamp);
  normalised(normalisation::greeting, at, divergence::kind::greeting, "the greeting's text differs",
             ignore_stamp ? without_timestamp(ref.text) : ref.text,
             ignore_stamp ? without_timestamp(sut.text) : sut.text);
}

void response_comparer::timestamps(const recorded_response& at, std::string_view ref_greeting,
                                   std::string_view sut_greeting) {
  const auto r = protocol::find_apop_timestamp(ref_greeting);
  const auto s = protocol::find_apop_timestamp(sut_greeting);
  if (r.has_value() != s.has_value()) {
    add(at, divergence::kind::capabilities,
        std::string("only the ") + (r ? "reference's" : "server under test's") +
            " greeting has an APOP timestamp (APOP is offered by one side only)",
        r ? shown(*r) : "(none)", s ? shown(*s) : "(none)");
  } else if (r) {
    normalised(normalisation::apop_timestamp, at, divergence::kind::greeting, "the APOP timestamps differ",
               *r, *s);
  }
}

void response_comparer::size(const recorded_response& at, const std::string& message, std::string_view ref,
                             std::string_view sut) {
  if (ref == sut) return;
  const std::string what =
      message.empty() ? "the total size differs" : "message " + shown(message) + "'s size differs";
  const auto r = number(ref), s = number(sut);
  if (!r || !s || !options_.on(normalisation::added_headers)) {
    add(at, divergence::kind::size, what + (r && s ? " (normalisation added-headers is off)" : ""),
        ref.empty() ? "(missing)" : shown(ref), sut.empty() ? "(missing)" : shown(sut));
    return;
  }
  // Added header fields only make a message larger, and by the same octets every time it is seen.
  const long long offset = *s - *r;
  if (offset < 0) {
    add(at, divergence::kind::size, what + ": smaller on the server under test", shown(ref), shown(sut));
    return;
  }
  if (!message.empty()) {
    const auto [it, fresh] = size_offset_.try_emplace(message, offset);
    if (!fresh && it->second != offset) {
      add(at, divergence::kind::size,
          what + " by " + std::to_string(offset) + " octets, where it differed by " +
              std::to_string(it->second) + " before",
          shown(ref), shown(sut));
      return;
    }
  }
  ++out_.normalised[static_cast<std::size_t>(normalisation::added_headers)];
}

void response_comparer::unique_id(const recorded_response& at, const std::string& message,
                                  std::string_view ref, std::string_view sut) {
  if (!options_.on(normalisation::unique_ids)) {
    if (ref != sut) {
      add(at, divergence::kind::unique_id,
          "message " + shown(message) + "'s unique-id differs (normalisation unique-ids is off)", shown(ref),
          shown(sut));
    }
    return;
  }
  // Paired by message: a reference unique-id keeps one partner for the whole run, and so does
  // each of the server under test's.
  const std::string r(ref), s(sut);
  const auto forward = uid_ref_to_sut_.find(r);
  const auto backward = uid_sut_to_ref_.find(s);
  if (forward != uid_ref_to_sut_.end() && forward->second != s) {
    add(at, divergence::kind::unique_id,
        "message " + shown(message) + "'s unique-id changed: the server under test said " +
            shown(forward->second) + " for the same message before",
        shown(r), shown(s));
    return;
  }
  if (backward != uid_sut_to_ref_.end() && backward->second != r) {
    add(at, divergence::kind::unique_id,
        "the server under test gives message " + shown(message) +
            " a unique-id it gave another message (reference " + shown(backward->second) + ")",
        shown(r), shown(s));
    return;
  }
  uid_ref_to_sut_[r] = s;
  uid_sut_to_ref_[s] = r;
  if (r != s) ++out_.normalised[static_cast<std::size_t>(normalisation::unique_ids)];
}

}  // namespace pop3::harness::detail
