#pragma once
// Reports the tests write: one result per disposition, and one full of hostile server bytes.
#include <chrono>
#include <string>

#include "pop3/reports/model.hpp"

namespace pop3::reports::testing {

inline scenario_result make_result(std::string id, std::string suite, verdict v, level l = level::must) {
  scenario_result r;
  r.id = std::move(id);
  r.suite = std::move(suite);
  r.file = "scenarios/" + r.id + ".pop3";
  r.title = "checks " + r.id;
  r.rules = {r.id, r.suite + "/general"};
  r.lvl = l;
  r.outcome = v;
  r.elapsed = std::chrono::milliseconds(25);
  if (v == verdict::fail || v == verdict::error) {
    r.message = r.file + ":12: expected +OK, got -ERR no such message";
    r.expected = "+OK";
    r.actual = "-ERR no such message";
  } else if (v == verdict::skip) {
    r.message = "capability UIDL not advertised";
  }
  r.transcript = {{"a", transcript_line::direction::server, "+OK POP3 ready <1.2@host>", 0.001},
                  {"a", transcript_line::direction::client, "USER alice", 0.002},
                  {"a", transcript_line::direction::server, "+OK", 0.003},
                  {"a", transcript_line::direction::client, "PASS ********", 0.004},
                  {"a", transcript_line::direction::note, "connection closed", 0.010}};
  return r;
}

/// Every verdict, and every disposition the baseline can produce, in two suites.
inline run_report every_verdict_report() {
  run_report rep;
  rep.target = "127.0.0.1:1110 (embedded pop3refd)";
  rep.hostname = "ci-runner-1";
  rep.started_at = "2024-05-01T12:00:00Z";
  rep.elapsed = std::chrono::milliseconds(1500);
  rep.results.push_back(make_result("rfc1939/stat/basic", "rfc1939", verdict::pass));
  rep.results.push_back(make_result("rfc1939/dele/not-listed", "rfc1939", verdict::fail));
  rep.results.push_back(make_result("rfc1939/rset/unmarks", "rfc1939", verdict::error));
  rep.results.push_back(make_result("rfc2449/uidl/capa", "rfc2449", verdict::skip, level::should));
  auto known = make_result("rfc2449/top/lines", "rfc2449", verdict::fail, level::should);
  known.known_failure = true;
  rep.results.push_back(known);
  auto stale = make_result("rfc1939/apop/digest", "rfc1939", verdict::pass, level::may);
  stale.known_failure = true;
  rep.results.push_back(stale);
  rep.results.back().warnings = {"works but not advertised"};
  return rep;
}

/// The bytes a broken or hostile server can send, all in one failing result.
inline std::string hostile_text() {
  using namespace std::string_literals;  // keeps the embedded NUL
  // The NUL comes last: a writer that stops at it would hide every other byte from the tests.
  return "]]> <tag attr=\"x\" a='y'>&amp; esc[\x1b[31m] ff[\xff\xfe] overlong[\xc0\xaf] "
         "surrogate[\xed\xa0\x80] nonchar[\xef\xbf\xbf] cut[\xe2\x82] nul[\0] after"s;
}

/// hostile_text() as every human-readable report shows it.
inline std::string hostile_text_shown() {
  return "]]> <tag attr=\"x\" a='y'>&amp; esc[\\x1B[31m] ff[\\xFF\\xFE] overlong[\\xC0\\xAF] "
         "surrogate[\\xED\\xA0\\x80] nonchar[\\xEF\\xBF\\xBF] cut[\\xE2\\x82] nul[\\x00] after";
}

inline run_report hostile_report() {
  run_report rep;
  rep.target = "evil <server> & \"friends\"";
  auto r = make_result("robustness/garbage", "robustness", verdict::fail);
  r.message = "garbage.pop3:3: expected +OK, got " + hostile_text();
  r.actual = hostile_text();
  r.warnings = {hostile_text()};
  r.transcript.push_back({"a", transcript_line::direction::server, hostile_text(), 0.02});
  r.transcript.push_back({"a", transcript_line::direction::server, std::string(1 << 20, 'x') + "\x01" "end", 0.03});
  rep.results.push_back(r);
  return rep;
}

}  // namespace pop3::reports::testing
