// judge_comparison(), side_by_side() and to_results(): one scenario's comparison for the reports.
#include "pop3/harness/compare_report.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "compare_internal.hpp"
#include "text.hpp"

namespace pop3::harness {
namespace {

constexpr std::size_t data_rows_shown = 40;

std::string fit(std::string_view text, std::size_t width) {
  std::string out = detail::printable(text, 100000);
  if (out.size() > width) out = out.substr(0, width > 3 ? width - 3 : 0) + "...";
  out.resize(width, ' ');
  return out;
}

std::string side_name(bool reference) { return reference ? "reference" : "server under test"; }

// The rows one side shows for one read, in three parts that are aligned with the other side's:
// command and status (or how the read ended), data lines, and the "." line.
struct read_rows {
  std::vector<std::string> head, data, tail;
};

read_rows rows_of(const recorded_response* r) {
  read_rows out;
  if (r == nullptr) return out;
  const std::string prefix = r->conn.empty() ? "" : r->conn + ": ";
  out.head.push_back(prefix + (r->greeting ? std::string("(greeting)") : "C: " + r->command));
  switch (r->k) {
    case recorded_response::kind::line:
      out.head.push_back(prefix + "S: " + r->status);
      break;
    case recorded_response::kind::closed:
      out.head.push_back(prefix + "S: <closed>");
      break;
    case recorded_response::kind::timeout:
      out.head.push_back(prefix + "S: <timeout>");
      break;
    case recorded_response::kind::failed:
      out.head.push_back(prefix + "-- " + r->status);
      break;
  }
  const std::size_t shown = std::min(r->data.size(), data_rows_shown);
  for (std::size_t i = 0; i < shown; ++i) out.data.push_back(prefix + "S: " + r->data[i]);
  if (r->data.size() > shown) {
    out.data.push_back(prefix + "   (" + std::to_string(r->data.size() - shown) + " more data lines)");
  }
  if (r->multiline) out.tail.push_back(prefix + (r->complete ? "S: ." : "   (no \".\" line)"));
  return out;
}

std::string side_failure(const char* side, const reports::scenario_result& r) {
  return std::string(side) + ": " + r.message;
}

}  // namespace

std::string_view name_of(compare_outcome o) noexcept {
  switch (o) {
    case compare_outcome::same:
      return "same";
    case compare_outcome::divergent:
      return "divergent";
    case compare_outcome::skip:
      return "skip";
    case compare_outcome::error:
      return "error";
  }
  return "?";
}

scenario_comparison judge_comparison(const scenario& s, recorded_run reference, recorded_run under_test,
                                     const compare_options& options, const comparison* probe) {
  scenario_comparison c;
  c.id = s.id;
  c.suite = s.id.substr(0, s.id.find('/'));
  c.file = s.file;
  c.title = s.title;
  for (const auto& r : s.rules) c.rules.push_back(r.id);
  c.lvl = s.lvl;
  c.reference_defined = is_reference_defined(s);
  c.elapsed = reference.result.elapsed + under_test.result.elapsed;
  const auto& ref = reference.result;
  const auto& sut = under_test.result;
  if (sut.outcome == reports::verdict::skip) {
    c.outcome = compare_outcome::skip;
    c.message = side_failure("server under test", sut);
  } else if (ref.outcome == reports::verdict::skip) {
    c.outcome = compare_outcome::skip;
    c.message = side_failure("reference", ref);
  } else if (sut.outcome == reports::verdict::error) {
    c.outcome = compare_outcome::error;
    c.message = side_failure("server under test", sut);
  } else if (ref.outcome == reports::verdict::error) {
    c.outcome = compare_outcome::error;
    c.message = side_failure("reference", ref);
  } else {
    c.diff = compare_runs(reference, under_test, options, probe);
    c.outcome = c.diff.divergences.empty() ? compare_outcome::same : compare_outcome::divergent;
    // The scenario's own expectations are checked on both sides as well: worth knowing, not a divergence.
    if (!c.reference_defined && ref.outcome == reports::verdict::fail) {
      c.warnings.push_back("the reference does not meet the scenario's expectations: " + ref.message);
    }
    if (!c.reference_defined && sut.outcome == reports::verdict::fail &&
        ref.outcome == reports::verdict::pass) {
      c.warnings.push_back("the server under test does not meet the scenario's expectations: " + sut.message);
    }
  }
  c.reference = std::move(reference);
  c.under_test = std::move(under_test);
  return c;
}

std::vector<std::string> side_by_side(const scenario_comparison& c, std::size_t column_width) {
  std::set<std::string> divergent;
  for (const auto& d : c.diff.divergences) divergent.insert(detail::step_key(d.conn, d.where));
  std::vector<std::string> out;
  out.push_back("  line  " + fit(side_name(true), column_width) + " | " + side_name(false));
  detail::pair_responses(
      c.reference.responses, c.under_test.responses,
      [&](const recorded_response* r, const recorded_response* s) {
        const recorded_response& at = r ? *r : *s;
        const std::string mark = divergent.contains(detail::step_key(at.conn, at.where)) ? "! " : "  ";
        std::string line = std::to_string(at.where.line);
        line.resize(std::max<std::size_t>(line.size(), 4), ' ');
        const read_rows left = rows_of(r), right = rows_of(s);
        auto zip = [&](const std::vector<std::string>& a, const std::vector<std::string>& b) {
          for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
            out.push_back(mark + line + "  " + fit(i < a.size() ? a[i] : "", column_width) + " | " +
                          fit(i < b.size() ? b[i] : "", column_width));
          }
        };
        zip(left.head, right.head);
        zip(left.data, right.data);
        zip(left.tail, right.tail);
      });
  for (const auto& note : c.diff.notes) out.push_back("  note: " + note);
  return out;
}

std::vector<reports::scenario_result> to_results(const scenario_comparison& c) {
  reports::scenario_result base;
  base.id = c.id;
  base.suite = c.suite;
  base.file = c.file;
  base.title = c.title;
  base.rules = c.rules;
  base.lvl = c.lvl;
  base.warnings = c.warnings;
  base.elapsed = c.elapsed;
  base.known_failure = c.known_divergence;
  if (c.outcome != compare_outcome::skip) {
    for (auto& row : side_by_side(c)) {
      reports::transcript_line l;
      l.text = std::move(row);
      base.transcript.push_back(std::move(l));
    }
  }
  switch (c.outcome) {
    case compare_outcome::same:
      base.outcome = reports::verdict::pass;
      return {base};
    case compare_outcome::skip:
      base.outcome = reports::verdict::skip;
      break;
    case compare_outcome::error:
      base.outcome = reports::verdict::error;
      break;
    case compare_outcome::divergent: {
      std::vector<reports::scenario_result> out;
      std::map<std::string, std::size_t> seen;
      for (const auto& d : c.diff.divergences) {
        // One test case per divergence, named after its place so CI history can follow it.
        std::string name = c.id + " @" + std::to_string(d.where.line) + " " + std::string(name_of(d.k));
        if (const std::size_t n = ++seen[name]; n > 1) name += " #" + std::to_string(n);
        reports::scenario_result r = base;
        r.id = std::move(name);
        r.outcome = reports::verdict::fail;
        r.message = describe(d);
        r.expected = d.reference;
        r.actual = d.under_test;
        out.push_back(std::move(r));
      }
      return out;
    }
  }
  base.message = c.message;
  return {base};
}

}  // namespace pop3::harness
