#pragma once
// Result matrices for people: rows are scenarios (or rules), columns are servers (one run_report
// per server; one report is the common case), cells are the dispositions, followed by a summary
// per requirement level. Markdown for READMEs and CI summaries, and a self-contained HTML page
// (inline CSS, no scripts, no external resources) with coloured cells.
#include <filesystem>
#include <ostream>
#include <vector>

#include "pop3/reports/model.hpp"

namespace pop3::reports {

struct matrix_options {
  enum class row_kind {
    scenarios,  ///< one row per scenario id
    rules,      ///< one row per rule id; a cell shows the worst outcome of the scenarios naming the rule
  };
  row_kind rows = row_kind::scenarios;
};

void write_markdown(const std::vector<run_report>& reports, std::ostream& out, const matrix_options& options = {});
void write_html(const std::vector<run_report>& reports, std::ostream& out, const matrix_options& options = {});

/// File variants; throw std::runtime_error if the file cannot be written.
void write_markdown(const std::vector<run_report>& reports, const std::filesystem::path& path,
                    const matrix_options& options = {});
void write_html(const std::vector<run_report>& reports, const std::filesystem::path& path,
                const matrix_options& options = {});

}  // namespace pop3::reports
