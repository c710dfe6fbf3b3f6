#pragma once
// The comparison of one scenario as the reports see it: its outcome, both recordings side by
// side, and the JUnit/JSON/Markdown model (one failing result per divergence). Pure.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/compare.hpp"

namespace pop3::harness {

enum class compare_outcome {
  same,       ///< no divergence (differences the normalisations allow aside)
  divergent,  ///< at least one divergence
  skip,       ///< one side could not run it (the reason says which)
  error,      ///< the harness, network or fixtures failed on one side
};
/// "same", "divergent", "skip", "error".
[[nodiscard]] std::string_view name_of(compare_outcome o) noexcept;

struct scenario_comparison {
  std::string id, suite, file, title;
  std::vector<std::string> rules;
  reports::level lvl = reports::level::must;
  bool reference_defined = false;  ///< no S: lines: the reference's answers are the expectations
  compare_outcome outcome = compare_outcome::same;
  std::string message;  ///< skip or error: why, naming the side
  recorded_run reference, under_test;
  comparison diff;
  std::vector<std::string> warnings;  ///< e.g. the reference does not meet the scenario's own expectations
  std::chrono::duration<double> elapsed{};
  bool known_divergence = false;  ///< listed in the --baseline file
};

/// Compares the two recordings of `s` (as prepared; see compare_runs()) and decides the outcome:
/// a skip or error on either side first (the server under test's before the reference's), then
/// the divergences.
[[nodiscard]] scenario_comparison judge_comparison(const scenario& s, recorded_run reference,
                                                   recorded_run under_test, const compare_options& options,
                                                   const comparison* probe = nullptr);

/// Both recordings side by side, paired as compare_runs() pairs them: a heading, then for each
/// read the command, the status line (or <closed>, <timeout>) and the data lines. Rows of a step
/// with a divergence start with "!". Each column is cut to `column_width` octets.
[[nodiscard]] std::vector<std::string> side_by_side(const scenario_comparison& c,
                                                    std::size_t column_width = 58);

/// For JUnit and Markdown: one result per divergence (fail; expected = the reference's value,
/// actual = the server under test's), else one result for the scenario (pass, skip or error).
/// Each carries the side-by-side rows as its transcript.
[[nodiscard]] std::vector<reports::scenario_result> to_results(const scenario_comparison& c);

}  // namespace pop3::harness
