#pragma once
// Test support for the differential comparison: a record-mode driver over scripted replies, and
// builders for recorded responses and runs.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness_test_support.hpp"
#include "pop3/harness/compare.hpp"

namespace pop3::harness::testing {

/// Flow: queue events per connection with reply(), then record(): each read pops its
/// connection's next event (a timeout when none is left); every other action succeeds, except a
/// send on a connection listed in refuse_sends (it gets closed_event). Returns the executor's
/// result and recording.
class recording_server {
 public:
  recording_server& reply(const std::string& conn, std::vector<std::string> lines) {
    for (auto& l : lines) replies_[conn].push_back(line(std::move(l)));
    return *this;
  }
  recording_server& reply(const std::string& conn, event e) {
    replies_[conn].push_back(std::move(e));
    return *this;
  }

  recorded_run record(const scenario& s, run_context ctx = full_context()) {
    ctx.record_responses = true;
    executor ex(s, std::move(ctx));
    for (int i = 0; i < 100000; ++i) {
      const action a = ex.next();
      if (std::holds_alternative<finished_action>(a)) return recorded_run{ex.result(), ex.recording()};
      if (const auto* r = std::get_if<read_line_action>(&a)) {
        auto& q = replies_[r->conn];
        if (q.empty()) {
          ex.on(timeout_event{});
          continue;
        }
        const event e = q.front();
        q.pop_front();
        ex.on(e);
        continue;
      }
      if (const auto* send = std::get_if<send_action>(&a)) {
        sent[send->conn] += send->bytes;
        if (refuse_sends.contains(send->conn)) {
          ex.on(closed_event{});
          continue;
        }
      }
      ex.on(ok_event{});
    }
    ADD_FAILURE() << "the executor did not finish";
    return {};
  }

  std::map<std::string, std::string> sent;
  std::set<std::string> refuse_sends;

 private:
  std::map<std::string, std::deque<event>> replies_;
};

/// A response read at `line` of t.pop3 in answer to `command`, by a read prepare_for_recording()
/// added (so the scenario has no expectation of its own there).
inline recorded_response response(int line, std::string command, std::string status,
                                  std::vector<std::string> data = {}, std::string conn = "") {
  recorded_response r;
  r.conn = std::move(conn);
  r.where = source_location{"t.pop3", line, 1};
  r.origin = std::string(reference_defined_origin);
  r.step = static_cast<std::size_t>(line);
  r.command = std::move(command);
  r.status = std::move(status);
  r.multiline = !data.empty() || r.command == "CAPA" || r.command == "LIST" || r.command == "UIDL" ||
                r.command.starts_with("RETR") || r.command.starts_with("TOP");
  r.multiline = r.multiline && r.status.starts_with("+OK");
  r.data = std::move(data);
  return r;
}

inline recorded_response greeting_response(std::string status) {
  recorded_response r = response(1, "", std::move(status));
  r.greeting = true;
  return r;
}

inline recorded_response ended(int line, std::string command, recorded_response::kind k,
                               std::string conn = "") {
  recorded_response r = response(line, std::move(command), "", {}, std::move(conn));
  r.k = k;
  r.ended = k != recorded_response::kind::line;  // as after a read where an answer was due
  return r;
}

inline recorded_run run_of(std::vector<recorded_response> responses) {
  recorded_run out;
  out.responses = std::move(responses);
  return out;
}

/// The kinds of the divergences, in order.
inline std::vector<divergence::kind> kinds(const comparison& c) {
  std::vector<divergence::kind> out;
  for (const auto& d : c.divergences) out.push_back(d.k);
  return out;
}

/// Every divergence, one per line, for failure messages.
inline std::string all(const comparison& c) {
  std::string out;
  for (const auto& d : c.divergences) out += describe(d) + " [" + d.reference + " | " + d.under_test + "]\n";
  return out;
}

inline std::size_t hidden(const comparison& c, normalisation n) {
  return c.normalised[static_cast<std::size_t>(n)];
}

}  // namespace pop3::harness::testing
