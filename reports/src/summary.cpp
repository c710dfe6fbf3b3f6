// The baseline rule (classify) and the run's counts (summarize, must_failed).
#include "pop3/reports/summary.hpp"

namespace pop3::reports {

disposition classify(const scenario_result& r) noexcept {
  switch (r.outcome) {
    case verdict::pass: return r.known_failure ? disposition::unexpected_pass : disposition::pass;
    case verdict::fail: return r.known_failure ? disposition::known_failure : disposition::fail;
    case verdict::error: return r.known_failure ? disposition::known_failure : disposition::error;
    case verdict::skip: break;
  }
  // A skipped scenario checked nothing, so the baseline says nothing about it either.
  return disposition::skip;
}

const char* to_string(disposition d) noexcept {
  switch (d) {
    case disposition::pass: return "pass";
    case disposition::fail: return "fail";
    case disposition::error: return "error";
    case disposition::skip: return "skip";
    case disposition::known_failure: return "known-failure";
    case disposition::unexpected_pass: return "unexpected-pass";
  }
  return "?";
}

summary summarize(const run_report& report) {
  summary s;
  for (const auto& r : report.results) {
    ++s.total;
    ++s.by_verdict[static_cast<std::size_t>(r.outcome)];
    // A known security finding is still one: the baseline silences the exit code, not the mark.
    if (r.security && r.outcome == verdict::fail) ++s.security_findings;
    switch (classify(r)) {
      case disposition::fail: ++s.failures_by_level[static_cast<std::size_t>(r.lvl)]; break;
      case disposition::known_failure: ++s.known_failures; break;
      case disposition::unexpected_pass: ++s.unexpected_passes; break;
      case disposition::pass:
      case disposition::error:
      case disposition::skip: break;
    }
  }
  return s;
}

bool must_failed(const summary& s, bool strict) noexcept {
  return s.failures(level::must) > 0 || (strict && s.failures(level::should) > 0) || s.unexpected_passes > 0;
}

}  // namespace pop3::reports
