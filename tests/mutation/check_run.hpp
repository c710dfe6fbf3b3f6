#pragma once
// The mutation check itself: the baseline (every scenario concerned passes against pop3refd
// behind a transparent proxy), then each fault (at least one scenario of its rule fails).
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "fault_catalogue.hpp"
#include "pop3/harness/net/runner.hpp"

namespace pop3::mutation {

struct check_options {
  std::filesystem::path scenarios;          ///< the corpus folder (holds rules.tsv)
  std::size_t jobs = 2;                     ///< checks in parallel
  std::chrono::seconds max_idle{30};        ///< scenarios that wait longer on purpose are left out
  std::vector<std::string> rules;           ///< only faults of rules matching these globs (empty: all)
  std::set<std::string> known_gaps;         ///< rules whose fault the corpus is known not to catch yet
  harness::timing limits;                   ///< the runner's time limits
};

enum class fault_status {
  caught,           ///< a MUST scenario of the rule (for a SHOULD rule: or a SHOULD one) failed with the fault
  not_caught,       ///< every scenario of the rule still passed
  not_covered,      ///< no scenario names the rule (or none runs against pop3refd)
  too_slow,         ///< the rule's scenarios all idle longer than max_idle
  baseline_failed,  ///< none ran: none of the rule's scenarios passes without the fault
};
[[nodiscard]] const char* to_string(fault_status s) noexcept;

struct fault_result {
  const fault_spec* spec = nullptr;
  fault_status status = fault_status::not_covered;
  std::vector<std::string> ran;      ///< scenarios run with the fault in place
  std::vector<std::string> slow;     ///< left out for their idle time
  std::vector<std::string> skipped;  ///< skipped in the baseline (not run with the fault)
  std::string caught_by, detail;     ///< the failing scenario and its message
  std::string probe_problem;         ///< the fault broke the capability probe too
  double seconds = 0;
};

/// A scenario that did not pass against pop3refd without any fault.
struct baseline_problem {
  std::string profile, scenario, verdict, message;
};

struct check_report {
  std::vector<fault_result> faults;
  std::vector<baseline_problem> baseline;
  std::vector<std::string> corpus_problems;    ///< scenario files left out (lint errors)
  std::vector<std::string> checkable_must;     ///< every checkable MUST rule of the catalogue
  std::set<std::string> known_gaps;            ///< from check_options: not caught, and listed as such
  double seconds = 0;
  /// Every covered fault caught (or listed as a known gap), the baseline clean, and no known gap
  /// caught after all (a stale entry must be removed, so the list cannot hide progress or rot).
  [[nodiscard]] bool passed() const;
  /// Known gaps whose fault was caught in this run.
  [[nodiscard]] std::vector<std::string> stale_gaps() const;
};

/// Runs the check; prints one line per finished fault to `progress`. Throws std::runtime_error
/// when the catalogue of faults names rules the corpus catalogue lacks (or not checkable MUSTs).
[[nodiscard]] check_report run_check(const check_options& options, std::ostream& progress);

/// The table, the lists and the figure, for people; verbose adds why each caught fault failed.
void print_report(const check_report& report, bool verbose, std::ostream& out);

}  // namespace pop3::mutation
