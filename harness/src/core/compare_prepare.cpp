// prepare_for_recording(): a read for every command that no S: line answers (reference-defined
// scenarios), placed so that the scenario's own S: lines still answer the commands they answer.
#include <deque>
#include <map>

#include "compare_internal.hpp"
#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness {
namespace {

constexpr std::size_t command_shown = 200;

bool is_global(const step& st) {
  return std::holds_alternative<wait_step>(st.action) || std::holds_alternative<deliver_step>(st.action);
}

// What a send puts on the wire, for telling its commands apart and naming them: literal parts as
// they are, name-free expressions evaluated (one may hold several command lines, as the parser
// also assumes), the others as written ($name, ${expr}).
std::string display_bytes(const send_step& send) {
  std::string out;
  for (const auto& part : send.bytes.parts) {
    if (!part.expr) {
      out += part.literal;
    } else if (part.expr->names().empty()) {
      out += part.expr->evaluate({}).value.value_or("${" + part.expr->source() + "}");
    } else {
      const std::string& source = part.expr->source();
      out += is_valid_name(source) ? "$" + source : "${" + source + "}";
    }
  }
  return out;
}

// The parser's bookkeeping of one connection (scenario_steps.cpp), replayed: commands sent and
// not yet answered, the greeting before the first S: with state: greeting, and the TLS segment
// (a tls step discards what was pending).
struct connection_track {
  std::deque<std::string> pending;
  std::string partial;
  bool greeting_pending = false;
  std::size_t segment = 0;

  void sent(const send_step& send) {
    partial += display_bytes(send);
    for (std::size_t lf = partial.find('\n'); lf != std::string::npos; lf = partial.find('\n')) {
      std::string command = partial.substr(0, lf);
      if (command.ends_with('\r')) command.pop_back();
      partial.erase(0, lf + 1);
      // A name for reports: robustness scenarios send megabyte lines.
      if (command.size() > command_shown) {
        command = command.substr(0, command_shown) + "... (" + std::to_string(command.size()) + " octets)";
      }
      pending.push_back(std::move(command));
    }
  }
  /// An S: reads: the greeting, the oldest pending command, or (markers only) nothing.
  std::optional<std::string> answer() {
    if (greeting_pending) {
      greeting_pending = false;
      return std::string();
    }
    if (pending.empty()) return std::nullopt;
    std::string command = std::move(pending.front());
    pending.pop_front();
    return command;
  }
  void tls() {
    pending.clear();
    partial.clear();
    ++segment;
  }
};

/// Flow: count() replays the steps to learn how many S: lines answer something in each TLS
/// segment of each connection; build() replays them again, giving each S: its command and, once
/// a segment has no S: left, a read for each pending command right after the step that made it
/// pending.
class recording_builder {
 public:
  explicit recording_builder(const scenario& s) : s_(s) {}

  scenario build() {
    count();
    tracks_.clear();
    scenario out = s_;
    out.steps.clear();
    for (std::size_t i = 0; i < s_.steps.size(); ++i) {
      step st = s_.steps[i];
      if (is_global(st)) {
        out.steps.push_back(std::move(st));
        continue;
      }
      connection_track& t = track(st.conn);
      const bool reads =
          std::holds_alternative<send_step>(st.action) || std::holds_alternative<expect_step>(st.action);
      if (const auto* send = std::get_if<send_step>(&st.action)) {
        t.sent(*send);
      } else if (auto* x = std::get_if<expect_step>(&st.action)) {
        if (auto command = t.answer()) {
          --remaining_[key(st.conn, t.segment)];
          if (!x->greeting) x->command = std::move(*command);
        }
      } else if (std::holds_alternative<tls_step>(st.action)) {
        t.tls();
      }
      out.steps.push_back(st);
      if (reads) flush(st, i, t, out.steps);
    }
    return out;
  }

 private:
  static std::string key(const std::string& conn, std::size_t segment) {
    return conn + "/" + std::to_string(segment);
  }

  connection_track& track(const std::string& conn) {
    auto [it, inserted] = tracks_.try_emplace(conn);
    if (inserted) it->second.greeting_pending = s_.state == start_state::greeting;
    return it->second;
  }

  void count() {
    for (const step& st : s_.steps) {
      if (is_global(st)) continue;
      connection_track& t = track(st.conn);
      if (const auto* send = std::get_if<send_step>(&st.action)) {
        t.sent(*send);
      } else if (std::holds_alternative<expect_step>(st.action)) {
        if (t.answer()) ++remaining_[key(st.conn, t.segment)];
      } else if (std::holds_alternative<tls_step>(st.action)) {
        t.tls();
      }
    }
  }

  // The next step of the same connection after index i, if any.
  [[nodiscard]] const step* next_on(const std::string& conn, std::size_t i) const {
    for (std::size_t j = i + 1; j < s_.steps.size(); ++j) {
      if (!is_global(s_.steps[j]) && s_.steps[j].conn == conn) return &s_.steps[j];
    }
    return nullptr;
  }

  void flush(const step& at, std::size_t i, connection_track& t, std::vector<step>& out) {
    if (remaining_[key(at.conn, t.segment)] > 0) return;
    if (t.greeting_pending) {
      t.greeting_pending = false;
      out.push_back(read_step(at, "", true));
    }
    // Before a handshake only the answer to STLS is awaited; what was pipelined after it dies
    // with the plaintext session.
    std::size_t count = t.pending.size();
    const step* next = next_on(at.conn, i);
    if (next && std::holds_alternative<tls_step>(next->action)) {
      count = 0;
      for (std::size_t k = 0; k < t.pending.size(); ++k) {
        if (detail::shape_of(t.pending[k]).keyword == "STLS") count = k + 1;
      }
    }
    for (std::size_t k = 0; k < count; ++k) {
      out.push_back(read_step(at, std::move(t.pending.front()), false));
      t.pending.pop_front();
    }
  }

  static step read_step(const step& at, std::string command, bool greeting) {
    expect_step x;
    x.alternatives = parse_outcomes("... | <closed>", 1).alternatives;
    x.greeting = greeting;
    x.multiline = !greeting && detail::multiline_on_success(command).value_or(false);
    x.command = std::move(command);
    return step{at.where, at.conn, std::string(reference_defined_origin), std::move(x)};
  }

  const scenario& s_;
  std::map<std::string, connection_track> tracks_;
  std::map<std::string, std::size_t> remaining_;  // by key(): S: lines still to answer something
};

}  // namespace

scenario prepare_for_recording(const scenario& s) { return recording_builder(s).build(); }

bool is_reference_defined(const scenario& s) {
  for (const step& st : s.steps) {
    if (std::holds_alternative<expect_step>(st.action) && st.origin.empty()) return false;
  }
  return true;
}

namespace detail {

command_shape shape_of(std::string_view command) {
  const std::string_view line = trim(command);
  const std::size_t sp = line.find(' ');
  command_shape out;
  out.keyword = to_upper(line.substr(0, sp));
  out.has_args = sp != std::string_view::npos && !trim(line.substr(sp + 1)).empty();
  return out;
}

}  // namespace detail
}  // namespace pop3::harness
