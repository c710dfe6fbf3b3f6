#pragma once
// Test support for the harness core: parsing from in-memory files, and a scripted fake server
// that answers the executor's actions from per-connection queues of events.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "pop3/harness/executor.hpp"
#include "pop3/harness/scenario.hpp"

namespace pop3::harness::testing {

/// A resolver over a map of path -> content (paths as written in the scenario).
inline include_resolver memory_files(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string&,
                                    const std::string& path) -> std::optional<resolved_file> {
    const auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return resolved_file{it->first, it->second};
  };
}

/// Parses and fails the test (with every diagnostic) if there are diagnostics.
inline scenario parse_ok(const std::string& text, std::map<std::string, std::string> files = {}) {
  auto r = parse_scenario(text, "t.pop3", memory_files(std::move(files)));
  std::string all;
  for (const auto& d : r.diagnostics) all += d.to_string() + "\n";
  EXPECT_TRUE(r.ok()) << all;
  return std::move(r.value);
}

/// The diagnostics as "line:column: message" strings.
inline std::vector<std::string> errors_of(const std::string& text,
                                          std::map<std::string, std::string> files = {}) {
  std::vector<std::string> out;
  for (const auto& d : parse_scenario(text, "t.pop3", memory_files(std::move(files))).diagnostics) {
    EXPECT_FALSE(d.hint.empty()) << d.message;
    out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  }
  return out;
}

inline event line(std::string text, protocol::framed_line::ending end = protocol::framed_line::ending::crlf) {
  return line_event{protocol::framed_line{std::move(text), end, false}};
}

/// Flow: queue events per connection (reply), then run(): every read pops the next event of its
/// connection (a timeout when none is left); connects, sends, TLS, waits and deliveries succeed
/// unless an event was queued for them with fail_next().
class scripted_server {
 public:
  scripted_server& reply(const std::string& conn, std::vector<std::string> lines) {
    for (auto& l : lines) replies_[conn].push_back(line(std::move(l)));
    return *this;
  }
  scripted_server& reply(const std::string& conn, event e) {
    replies_[conn].push_back(std::move(e));
    return *this;
  }
  /// The next non-read action of this kind index (action::index()) gets `e` instead of ok.
  scripted_server& fail_next(std::size_t action_index, event e) {
    failures_[action_index].push_back(std::move(e));
    return *this;
  }

  reports::scenario_result run(const scenario& s, run_context ctx) {
    executor ex(s, std::move(ctx));
    for (int i = 0; i < 100000; ++i) {
      const action a = ex.next();
      actions.push_back(a);
      if (std::holds_alternative<finished_action>(a)) return ex.result();
      if (const auto* r = std::get_if<read_line_action>(&a)) {
        reads.push_back(*r);
        auto& q = replies_[r->conn];
        if (q.empty()) {
          ex.on(timeout_event{});
        } else {
          const event e = q.front();
          q.pop_front();
          ex.on(e);
        }
        continue;
      }
      if (const auto* s2 = std::get_if<send_action>(&a)) sent[s2->conn] += s2->bytes;
      if (const auto* d = std::get_if<deliver_action>(&a)) delivered.push_back(d->message);
      auto& f = failures_[a.index()];
      if (!f.empty()) {
        const event e = f.front();
        f.pop_front();
        ex.on(e);
      } else {
        ex.on(ok_event{});
      }
    }
    ADD_FAILURE() << "the executor did not finish";
    return ex.result();
  }

  [[nodiscard]] std::size_t count(std::size_t action_index) const {
    std::size_t n = 0;
    for (const auto& a : actions) n += a.index() == action_index ? 1 : 0;
    return n;
  }

  std::vector<action> actions;
  std::vector<read_line_action> reads;
  std::map<std::string, std::string> sent;
  std::vector<std::string> delivered;

 private:
  std::map<std::string, std::deque<event>> replies_;
  std::map<std::size_t, std::deque<event>> failures_;
};

/// A run context with USER advertised and everything allowed.
inline run_context full_context() {
  run_context ctx;
  ctx.user = "alice";
  ctx.password = "s3cret";
  ctx.apop_secret = "tanstaaf";
  const std::vector<std::string> caps{"USER",       "TOP",  "UIDL",      "RESP-CODES",
                                      "SASL PLAIN", "STLS", "PIPELINING"};
  ctx.caps_authorization = protocol::capability_set::parse(caps);
  ctx.caps_transaction = protocol::capability_set::parse(caps);
  ctx.tls_available = true;
  ctx.fixtures_available = true;
  ctx.destructive_allowed = true;
  return ctx;
}

}  // namespace pop3::harness::testing
