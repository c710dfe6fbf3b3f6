// compare_runs(): pairs the two recordings' responses and hands each pair to the comparer;
// profile_recording(): the capability probe as a recording, so that it is compared the same way.
#include <algorithm>
#include <map>
#include <set>

#include "compare_internal.hpp"

namespace pop3::harness {
namespace {

using detail::shown;
using kind = recorded_response::kind;

std::string outcome_text(const recorded_response& r) {
  switch (r.k) {
    case kind::line:
      return shown(r.status);
    case kind::closed:
      return "<closed>";
    case kind::timeout:
      return "<timeout: no response>";
    case kind::failed:
      return shown(r.status);
  }
  return "?";
}

/// Flow: run() merges the two key sequences (they share their order); pair() compares what both
/// sides read, alone() what only one side read. Once one side has ended a connection that the
/// other kept, that connection's later reads on the other side are only counted (in the notes).
class run_comparer {
 public:
  run_comparer(const recorded_run& ref, const recorded_run& sut, const compare_options& options,
               const comparison* probe, comparison& out)
      : ref_(ref.responses), sut_(sut.responses), out_(out), responses_(options, out, probe) {}

  void run() {
    detail::pair_responses(ref_, sut_, [this](const recorded_response* r, const recorded_response* s) {
      if (r && s) {
        pair(*r, *s);
      } else {
        alone(r ? *r : *s, r != nullptr);
      }
    });
    responses_.finish();
    for (const auto& [conn, count] : uncompared_) {
      out_.notes.push_back(std::to_string(count) + " later response(s) on " +
                           (conn.empty() ? std::string("the connection") : "connection " + conn) +
                           " were not compared: " + ended_why_.at(conn));
    }
  }

 private:
  void pair(const recorded_response& r, const recorded_response& s) {
    const std::size_t before = out_.divergences.size();
    compare_pair(r, s);
    // A written expectation that both answers meet (the reads prepare_for_recording() adds have
    // none): the difference is one the scenario allows.
    const bool accepted = r.origin != reference_defined_origin && r.mismatch.empty() && s.mismatch.empty();
    for (std::size_t i = before; i < out_.divergences.size(); ++i) out_.divergences[i].scenario_accepts_both = accepted;
  }

  void compare_pair(const recorded_response& r, const recorded_response& s) {
    if (r.k == kind::line && s.k == kind::line) {
      if (detail::shape_of(r.command).keyword != detail::shape_of(s.command).keyword) {
        add(s, divergence::kind::session, "the two servers were sent different commands here",
            shown(r.command), shown(s.command));
        return;
      }
      responses_.lines(r, s);
      return;
    }
    if (r.k == s.k) return;  // both closed, both silent, or both broke the connection
    if (r.ended != s.ended) {
      const recorded_response& e = r.ended ? r : s;
      end(e.conn, std::string(r.ended ? "the reference " : "the server under test ") + ended_how(e) +
                      " at line " + std::to_string(e.where.line));
    }
    add(s, broken(r) || broken(s) ? divergence::kind::connection : divergence::kind::silence,
        "the reference " + behaviour(r) + ", the server under test " + behaviour(s), outcome_text(r),
        outcome_text(s));
  }

  static bool broken(const recorded_response& r) { return r.k == kind::closed || r.k == kind::failed; }

  static std::string behaviour(const recorded_response& r) {
    switch (r.k) {
      case kind::line:
        return "answered";
      case kind::closed:
        return "closed the connection";
      case kind::timeout:
        return "sent nothing in time";
      case kind::failed:
        return "broke the connection";
    }
    return "?";
  }

  static std::string ended_how(const recorded_response& r) {
    switch (r.k) {
      case kind::closed:
        return "closed it";
      case kind::failed:
        return "broke it";
      default:
        return "went silent on it";
    }
  }

  void alone(const recorded_response& r, bool reference) {
    if (ended_why_.contains(r.conn)) {
      ++uncompared_[r.conn];
      return;
    }
    const std::string who = reference ? "the reference" : "the server under test";
    const std::string missing = "(nothing read here)";
    if (r.ended) {
      end(r.conn, who + " " + ended_how(r) + " at line " + std::to_string(r.where.line));
      add(r, broken(r) ? divergence::kind::connection : divergence::kind::silence,
          who + " ended the connection here, the other side went on", reference ? outcome_text(r) : missing,
          reference ? missing : outcome_text(r));
      return;
    }
    add(r, divergence::kind::session,
        "only " + who + " read a response here (the sessions took different paths)",
        reference ? outcome_text(r) : missing, reference ? missing : outcome_text(r));
  }

  void end(const std::string& conn, std::string why) { ended_why_.try_emplace(conn, std::move(why)); }

  void add(const recorded_response& at, divergence::kind k, std::string what, std::string ref,
           std::string sut) {
    out_.divergences.push_back(divergence{k, at.conn, at.where, at.command, at.greeting, std::move(what),
                                          std::move(ref), std::move(sut)});
  }

  const std::vector<recorded_response>& ref_;
  const std::vector<recorded_response>& sut_;
  comparison& out_;
  detail::response_comparer responses_;
  std::map<std::string, std::string> ended_why_;   // by connection: one side ended it, the other did not
  std::map<std::string, std::size_t> uncompared_;  // by connection: reads after that
};

}  // namespace

namespace detail {

std::vector<std::string> response_keys(const std::vector<recorded_response>& responses) {
  std::map<std::string, std::size_t> seen;
  std::vector<std::string> out;
  for (const auto& r : responses) {
    std::string base = step_key(r.conn, r.where);
    const std::size_t n = seen[base]++;
    out.push_back(base + '\n' + std::to_string(n));
  }
  return out;
}

void pair_responses(const std::vector<recorded_response>& ref, const std::vector<recorded_response>& sut,
                    const std::function<void(const recorded_response*, const recorded_response*)>& visit) {
  const auto ref_keys = response_keys(ref), sut_keys = response_keys(sut);
  std::map<std::string, std::size_t> sut_at;
  for (std::size_t j = 0; j < sut_keys.size(); ++j) sut_at.emplace(sut_keys[j], j);
  // Keys appear in the same relative order on both sides, and reads only one side made go
  // before the other side's later steps: a merge keeps the run's order.
  std::vector<bool> paired(sut.size(), false);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (const auto it = sut_at.find(ref_keys[i]); it != sut_at.end()) paired[it->second] = true;
  }
  std::size_t j = 0;  // the server under test's reads before j have been visited
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const auto it = sut_at.find(ref_keys[i]);
    if (it == sut_at.end()) {
      while (j < sut.size() && !paired[j] && sut[j].step < ref[i].step) visit(nullptr, &sut[j++]);
      visit(&ref[i], nullptr);
      continue;
    }
    for (; j < it->second; ++j) {
      if (!paired[j]) visit(nullptr, &sut[j]);
    }
    visit(&ref[i], &sut[it->second]);
    j = std::max(j, it->second + 1);
  }
  for (; j < sut.size(); ++j) {
    if (!paired[j]) visit(nullptr, &sut[j]);
  }
}

std::string step_key(const std::string& conn, const source_location& where) {
  return conn + '\n' + where.file + '\n' + std::to_string(where.line);
}

}  // namespace detail

comparison compare_runs(const recorded_run& reference, const recorded_run& under_test,
                        const compare_options& options, const comparison* probe) {
  comparison out;
  run_comparer(reference, under_test, options, probe, out).run();
  return out;
}

recorded_run profile_recording(const server_profile& p) {
  recorded_run out;
  auto add = [&](int line, std::string command, const protocol::capability_set* caps) {
    recorded_response r;
    r.where = source_location{"(capability probe)", line, 1};
    r.step = static_cast<std::size_t>(line);
    r.greeting = caps == nullptr;
    r.command = std::move(command);
    r.status = caps == nullptr ? p.greeting : caps->items().empty() ? "-ERR" : "+OK";
    if (caps != nullptr && !caps->items().empty()) {
      r.multiline = true;
      for (const auto& c : caps->items()) {
        std::string text = c.tag;
        for (const auto& param : c.params) text += " " + param;
        r.data.push_back(std::move(text));
      }
    }
    out.responses.push_back(std::move(r));
  };
  add(1, "", nullptr);
  add(2, "CAPA", &p.before_login);
  add(3, "CAPA", &p.after_login);
  return out;
}

}  // namespace pop3::harness
