#pragma once
// What `pop3spec compare` prints and writes: the console (one line a scenario, each divergence as
// a readable two-line diff, side-by-side transcripts with --verbose, a summary naming the
// normalisations that were needed) and the JSON report (docs/compare.md has its shape).
#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/compare_report.hpp"

namespace pop3::harness::cli {

/// Everything a compare run produced, for the summary and the reports.
struct compare_run {
  std::string reference, under_test;  ///< descriptions of both servers
  std::vector<std::string> mirror_notes;
  compare_options options;
  std::vector<scenario_comparison> results;  ///< compare/capabilities first, then the scenarios
  std::chrono::duration<double> elapsed{};
};

/// The run's counts: comparisons by outcome, divergences, known divergences (baseline).
struct compare_counts {
  std::array<std::size_t, 4> by_outcome{};  ///< indexed by compare_outcome
  std::size_t divergences = 0, known = 0;
  [[nodiscard]] std::size_t count(compare_outcome o) const noexcept {
    return by_outcome[static_cast<std::size_t>(o)];
  }
};
[[nodiscard]] compare_counts count_outcomes(const compare_run& run);

/// How many differences each normalisation hid over the whole run.
[[nodiscard]] std::array<std::size_t, normalisation_count> normalised_totals(const compare_run& run);

/// Flow: note() for heading lines, result() once per scenario as it finishes, summary() at the end.
class compare_console {
 public:
  compare_console(std::ostream& out, bool colour, bool verbose);

  void note(std::string_view text);
  void result(const scenario_comparison& c);
  void summary(const compare_run& run);

 private:
  [[nodiscard]] std::string paint(std::string_view text, const char* sgr) const;

  std::ostream& out_;
  bool colour_, verbose_;
};

/// Writes the JSON report (schema "pop3spec-compare", version 1). Throws std::runtime_error if
/// the file cannot be written.
void write_compare_json(const compare_run& run, std::ostream& out);
void write_compare_json(const compare_run& run, const std::filesystem::path& path);

}  // namespace pop3::harness::cli
