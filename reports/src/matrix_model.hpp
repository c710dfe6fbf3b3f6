#pragma once
// Private: the server x scenario (or rule) matrix, built once and rendered by the Markdown and
// HTML writers, so both show the same rows, cells and counts.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pop3/reports/matrix.hpp"
#include "pop3/reports/summary.hpp"

namespace pop3::reports::detail {

inline constexpr std::size_t disposition_count = 6;
using disposition_counts = std::array<std::size_t, disposition_count>;  ///< indexed by disposition

struct matrix_row {
  std::string key;                               ///< scenario id or rule id
  level lvl = level::must;                       ///< the scenario's level; for a rule, the strongest naming it
  std::vector<std::optional<disposition>> cells; ///< one per column; nullopt: not run on that server
};

struct matrix {
  std::string title;
  std::string row_heading;                       ///< "Scenario" or "Rule"
  std::vector<std::string> columns;              ///< one label per report (its target, else its name)
  std::vector<matrix_row> rows;                  ///< in order of first appearance
  /// [level][column]: how the rows of that level came out on that server.
  std::array<std::vector<disposition_counts>, level_count> by_level;
  /// [column]: the results marked as security findings on that server (scenario_result::security).
  std::vector<std::size_t> security;
};

[[nodiscard]] matrix build_matrix(const std::vector<run_report>& reports, const matrix_options& options);

/// "MUST", "SHOULD", "MAY", "INFO".
[[nodiscard]] const char* level_label(level l) noexcept;
/// A one-character symbol for a cell ("✅", "❌", ...).
[[nodiscard]] const char* symbol(disposition d) noexcept;
/// What each disposition means, for the legend under a matrix.
[[nodiscard]] const char* meaning(disposition d) noexcept;
/// "12 pass, 1 fail" (non-zero counts only), or "" when all are zero.
[[nodiscard]] std::string describe(const disposition_counts& counts);

}  // namespace pop3::reports::detail
