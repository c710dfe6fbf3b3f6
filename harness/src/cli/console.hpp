#pragma once
// Console output of a run: one live line per scenario as it finishes, the reason under failures
// (and the transcript with --verbose), then a summary with counts by verdict and by level.
// Colour only on a terminal and never when NO_COLOR is set (https://no-color.org).
//
// Flow: note() for the header lines, result() once per finished scenario (the runner serialises
// the calls), summary() at the end.
#include <ostream>
#include <string_view>

#include "pop3/reports/model.hpp"
#include "pop3/reports/summary.hpp"

namespace pop3::harness::cli {

/// SGR colour codes and the verdict label shape, shared by `run` and `compare` output.
namespace ansi {
inline constexpr const char* green = "32";
inline constexpr const char* red = "31";
inline constexpr const char* yellow = "33";
inline constexpr const char* magenta = "35";
inline constexpr const char* cyan = "36";
inline constexpr const char* dim = "2";
inline constexpr const char* bold_red = "1;31";  // security findings

struct label {
  const char* text;
  const char* colour;
};
}  // namespace ansi

class console {
 public:
  console(std::ostream& out, bool colour, bool strict, bool verbose);

  /// True when stdout is a terminal and NO_COLOR is unset or empty.
  [[nodiscard]] static bool colour_wanted();

  /// "PASS  rfc1939/stat/basic (0.02s)" plus the reason or transcript where useful.
  void result(const reports::scenario_result& r);
  void summary(const reports::run_report& report, const reports::summary& counts);
  /// A line of its own (e.g. "target: ...").
  void note(std::string_view text);

 private:
  [[nodiscard]] std::string paint(std::string_view text, const char* sgr) const;

  std::ostream& out_;
  bool colour_, strict_, verbose_;
};

}  // namespace pop3::harness::cli
