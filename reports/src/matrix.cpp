// Builds the matrix that write_markdown and write_html render.
#include "matrix_model.hpp"

#include <algorithm>
#include <unordered_map>

namespace pop3::reports::detail {
namespace {

// Aggregation order for a rule checked by several scenarios: the worst outcome wins, and a rule
// counts as skipped only when nothing that names it was checked.
int severity(disposition d) noexcept {
  switch (d) {
    case disposition::fail: return 5;
    case disposition::unexpected_pass: return 4;
    case disposition::error: return 3;
    case disposition::known_failure: return 2;
    case disposition::pass: return 1;
    case disposition::skip: return 0;
  }
  return 0;
}

// The rows a result contributes to: its id, or each rule it names (its id if it names none).
std::vector<std::string> row_keys(const scenario_result& r, matrix_options::row_kind kind) {
  if (kind == matrix_options::row_kind::rules && !r.rules.empty()) return r.rules;
  return {r.id};
}

// Rows in order of first appearance, found by key in constant time.
// Flow: row_for(key, level) once per (result, key); a new key appends a row with empty cells.
class row_index {
 public:
  explicit row_index(matrix& m) : matrix_(m) {}

  matrix_row& row_for(const std::string& key, level lvl) {
    const auto [it, inserted] = positions_.try_emplace(key, matrix_.rows.size());
    if (inserted) {
      matrix_.rows.push_back(matrix_row{key, lvl, std::vector<std::optional<disposition>>(matrix_.columns.size())});
    }
    auto& row = matrix_.rows[it->second];
    row.lvl = std::min(row.lvl, lvl);  // enum order is strongest first
    return row;
  }

 private:
  matrix& matrix_;
  std::unordered_map<std::string, std::size_t> positions_;
};

}  // namespace

matrix build_matrix(const std::vector<run_report>& reports, const matrix_options& options) {
  matrix m;
  m.title = (reports.empty() ? std::string("pop3spec") : reports.front().name) + " results";
  m.row_heading = options.rows == matrix_options::row_kind::rules ? "Rule" : "Scenario";
  for (const auto& report : reports) m.columns.push_back(report.target.empty() ? report.name : report.target);

  row_index index(m);
  m.security.assign(m.columns.size(), 0);
  for (std::size_t column = 0; column < reports.size(); ++column) {
    for (const auto& r : reports[column].results) {
      const disposition d = classify(r);
      if (r.security && r.outcome == verdict::fail) ++m.security[column];
      for (const auto& key : row_keys(r, options.rows)) {
        auto& cell = index.row_for(key, r.lvl).cells[column];
        if (!cell || severity(d) > severity(*cell)) cell = d;
      }
    }
  }
  for (auto& per_column : m.by_level) per_column.assign(m.columns.size(), disposition_counts{});
  for (const auto& row : m.rows) {
    for (std::size_t column = 0; column < row.cells.size(); ++column) {
      if (row.cells[column]) ++m.by_level[static_cast<std::size_t>(row.lvl)][column][static_cast<std::size_t>(*row.cells[column])];
    }
  }
  return m;
}

const char* level_label(level l) noexcept {
  switch (l) {
    case level::must: return "MUST";
    case level::should: return "SHOULD";
    case level::may: return "MAY";
    case level::info: return "INFO";
  }
  return "?";
}

const char* symbol(disposition d) noexcept {
  switch (d) {
    case disposition::pass: return "\u2705";             // white heavy check mark
    case disposition::fail: return "\u274C";             // cross mark
    case disposition::error: return "\u26A0\uFE0F";      // warning sign
    case disposition::skip: return "\u23ED\uFE0F";       // next track
    case disposition::known_failure: return "\u2611\uFE0F";  // ballot box with check
    case disposition::unexpected_pass: return "\u2757";  // heavy exclamation mark
  }
  return "?";
}

const char* meaning(disposition d) noexcept {
  switch (d) {
    case disposition::pass: return "the server followed the rule";
    case disposition::fail: return "the server broke the rule";
    case disposition::error: return "the harness, network or fixture broke (not the server's fault)";
    case disposition::skip: return "a precondition is missing (capability, fixture, option)";
    case disposition::known_failure: return "failed, and listed in the baseline";
    case disposition::unexpected_pass: return "passed, but listed in the baseline (update it)";
  }
  return "?";
}

std::string describe(const disposition_counts& counts) {
  std::string out;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(counts[i]) + ' ' + to_string(static_cast<disposition>(i));
  }
  return out;
}

}  // namespace pop3::reports::detail
