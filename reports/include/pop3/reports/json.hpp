#pragma once
// The machine-readable report, also the input of compare mode and baselines. Stable shape
// (reports/README.md documents each field; additions keep schema_version, removals bump it):
//   { "schema": "pop3spec-report", "schema_version": 1,
//     "name", "target", "hostname", "started_at", "elapsed_seconds",
//     "summary": { "total", "by_verdict": {pass, fail, error, skip},
//                  "failures_by_level": {must, should, may, info},
//                  "known_failures", "unexpected_passes" },
//     "results": [ { "id", "suite", "file", "title", "rules": [..], "level", "verdict",
//                    "disposition", "known_failure", "message", "expected", "actual",
//                    "warnings": [..], "elapsed_seconds",
//                    "transcript": [ { "connection", "direction": client|server|note,
//                                      "text", "at_seconds" } ] } ] }
// Text is a JSON string when it is valid UTF-8; otherwise (servers send garbage) it is
// { "base64": "..." } holding the exact bytes, so a report round-trips without loss.
// "summary" and "disposition" are derived: read_json ignores them and recomputes.
#include <filesystem>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "pop3/reports/model.hpp"

namespace pop3::reports {

inline constexpr int json_schema_version = 1;

/// A JSON report that cannot be read: not JSON, another schema or version, a field of the wrong type.
class report_format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes the report as indented JSON followed by a newline.
void write_json(const run_report& report, std::ostream& out);
/// Writes the report to `path`; throws std::runtime_error if the file cannot be written.
void write_json(const run_report& report, const std::filesystem::path& path);

/// Reads what write_json wrote. Throws report_format_error.
[[nodiscard]] run_report read_json(std::istream& in);
/// Reads a report file. Throws report_format_error (also when the file cannot be opened).
[[nodiscard]] run_report read_json(const std::filesystem::path& path);

}  // namespace pop3::reports
