// print_report(): the table of faults, what needs attention, and the figure.
#include <algorithm>
#include <iomanip>
#include <ostream>
#include <set>

#include "check_run.hpp"

namespace pop3::mutation {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out.empty() ? "-" : out;
}

void print_table(const check_report& report, bool verbose, std::ostream& out) {
  out << std::left << std::setw(52) << "rule" << std::setw(16) << "result" << "scenarios run / caught by\n";
  for (const auto& f : report.faults) {
    out << std::setw(52) << f.spec->rule << std::setw(16) << to_string(f.status);
    if (f.status == fault_status::caught) out << f.ran.size() << " / " << f.caught_by;
    else if (!f.ran.empty()) out << f.ran.size();
    else if (!f.skipped.empty()) out << "(skipped: " << joined(f.skipped) << ")";
    else if (!f.slow.empty()) out << "(idle too long: " << joined(f.slow) << ")";
    out << '\n';
    if (verbose && f.status == fault_status::caught) out << "    " << f.spec->how << ": " << f.detail << '\n';
  }
}

void print_attention(const check_report& report, std::ostream& out) {
  bool header = false;
  for (const auto& f : report.faults) {
    if (f.status != fault_status::not_caught) continue;
    if (report.known_gaps.contains(f.spec->rule)) {
      out << "\nKnown gap (listed in the known-gaps file): " << f.spec->rule << " — the server " << f.spec->how << '\n';
      continue;
    }
    if (!header) out << "\nNot caught: the fault is in place and every scenario of its rule still passes\n";
    header = true;
    out << "  " << f.spec->rule << ": the server " << f.spec->how << "\n    scenarios: " << joined(f.ran) << '\n';
    if (!f.detail.empty()) out << "    note: " << f.detail << '\n';
  }
  for (const auto& rule : report.stale_gaps()) {
    out << "\nStale known gap: " << rule << " is caught now; remove it from the known-gaps file\n";
  }
  if (!report.baseline.empty()) {
    out << "\nBaseline failures: without any fault, against pop3refd (profile, scenario, verdict, message)\n";
    for (const auto& b : report.baseline) {
      out << "  " << b.profile << " " << b.scenario << " " << b.verdict << ": " << b.message << '\n';
    }
  }
  for (const auto& f : report.faults) {
    if (!f.probe_problem.empty() && f.status == fault_status::caught) continue;
    if (!f.probe_problem.empty()) out << "  (" << f.spec->rule << ": the fault also broke the probe: " << f.probe_problem << ")\n";
  }
  if (!report.corpus_problems.empty()) {
    out << "\nScenario files left out (they do not lint clean): " << report.corpus_problems.size() << '\n';
    for (const auto& p : report.corpus_problems) out << "  " << p.substr(0, p.find('\n')) << '\n';
  }
}

}  // namespace

void print_report(const check_report& report, bool verbose, std::ostream& out) {
  print_table(report, verbose, out);
  print_attention(report, out);

  std::set<std::string> faulted, caught, covered, slow, uncovered, failing;
  const std::set<std::string> must(report.checkable_must.begin(), report.checkable_must.end());
  for (const auto& f : all_faults()) faulted.insert(f.rule);
  for (const auto& f : report.faults) {
    if (f.status == fault_status::caught) caught.insert(f.spec->rule);
    if (f.status == fault_status::caught || f.status == fault_status::not_caught) covered.insert(f.spec->rule);
    if (f.status == fault_status::not_caught || f.status == fault_status::baseline_failed) failing.insert(f.spec->rule);
    if (f.status == fault_status::too_slow) slow.insert(f.spec->rule);
    if (f.status == fault_status::not_covered) uncovered.insert(f.spec->rule);
  }
  for (const auto& r : failing) caught.erase(r);  // a rule counts as caught when all its faults are

  std::set<std::string> explained;
  for (const auto& u : unbroken_rules()) explained.insert(u.rule);
  out << "\nCheckable MUST rules without a fault:\n";
  for (const auto& u : unbroken_rules()) out << "  " << u.rule << ": " << u.reason << '\n';
  for (const auto& r : report.checkable_must) {
    if (!faulted.contains(r) && !explained.contains(r)) out << "  " << r << ": no fault written yet\n";
  }

  auto count = [&must](const std::set<std::string>& rules, bool of_must) {
    return std::count_if(rules.begin(), rules.end(), [&](const std::string& r) { return must.contains(r) == of_must; });
  };
  out << "\nMUST rules: " << report.checkable_must.size() << " checkable, " << count(faulted, true) << " with a fault, "
      << count(caught, true) << " caught\n"
      << "SHOULD rules: " << count(faulted, false) << " with a fault, " << count(caught, false) << " caught\n"
      << "  (faults run this time: " << report.faults.size() << "; " << covered.size()
      << " rules with scenarios that ran, " << uncovered.size() << " not covered by a runnable scenario, "
      << slow.size() << " only by scenarios idling too long; " << std::fixed << std::setprecision(0) << report.seconds
      << " s)\n"
      << "  known gaps listed: " << report.known_gaps.size() << '\n'
      << (report.passed() ? "PASSED: every covered fault was caught (or is a listed known gap) and the baseline is clean\n"
                          : "FAILED: see \"Not caught\", \"Stale known gap\" and \"Baseline failures\" above\n");
}

}  // namespace pop3::mutation
