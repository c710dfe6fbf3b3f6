#pragma once
// How results count once the baseline of known failures is applied: the single place that rule
// lives, shared by the console, the exit code and every report writer.
#include <array>
#include <cstddef>

#include "pop3/reports/model.hpp"

namespace pop3::reports {

/// A result as the run reports it, after the baseline (scenario_result::known_failure) is applied.
enum class disposition {
  pass,
  fail,             ///< the server broke a rule (not in the baseline)
  error,            ///< the harness, network or fixture broke (not in the baseline)
  skip,             ///< a precondition is missing (baseline or not: nothing was checked)
  known_failure,    ///< fail or error, listed in the baseline
  unexpected_pass,  ///< pass, but listed in the baseline: the baseline is stale
};

[[nodiscard]] disposition classify(const scenario_result& r) noexcept;
/// "pass", "fail", "error", "skip", "known-failure", "unexpected-pass".
[[nodiscard]] const char* to_string(disposition d) noexcept;

inline constexpr std::size_t verdict_count = 4;
inline constexpr std::size_t level_count = 4;

/// Counts over one run.
struct summary {
  std::size_t total = 0;
  std::array<std::size_t, verdict_count> by_verdict{};       ///< raw outcomes, indexed by verdict
  std::array<std::size_t, level_count> failures_by_level{};  ///< fail outcomes not in the baseline, by level
  std::size_t known_failures = 0;                            ///< disposition::known_failure
  std::size_t unexpected_passes = 0;                         ///< disposition::unexpected_pass
  std::size_t security_findings = 0;                         ///< failures marked security, baseline or not

  [[nodiscard]] std::size_t count(verdict v) const noexcept { return by_verdict[static_cast<std::size_t>(v)]; }
  [[nodiscard]] std::size_t failures(level l) const noexcept {
    return failures_by_level[static_cast<std::size_t>(l)];
  }
};

[[nodiscard]] summary summarize(const run_report& report);

/// True when the run must fail (exit code 1): a MUST failure (or a SHOULD failure when `strict`),
/// or an unexpected pass (the baseline no longer matches, as the JUnit report also shows).
/// Errors are not counted here: they are the harness's fault and the caller reports them apart.
[[nodiscard]] bool must_failed(const summary& s, bool strict) noexcept;

}  // namespace pop3::reports
