// compare_console: the human-readable progress, diffs and summary of `pop3spec compare`.
#include <string>

#include "compare_output.hpp"
#include "console.hpp"
#include "pop3/reports/text.hpp"

namespace pop3::harness::cli {
namespace {

using namespace ansi;

label label_for(const scenario_comparison& c) {
  switch (c.outcome) {
    case compare_outcome::same:
      return c.known_divergence ? label{"XSAME", red} : label{"SAME ", green};
    case compare_outcome::divergent:
      return c.known_divergence ? label{"KNOWN", cyan} : label{"DIFF ", red};
    case compare_outcome::skip:
      return {"SKIP ", yellow};
    case compare_outcome::error:
      return {"ERROR", magenta};
  }
  return {"?    ", dim};
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

compare_counts count_outcomes(const compare_run& run) {
  compare_counts out;
  for (const auto& c : run.results) {
    ++out.by_outcome[static_cast<std::size_t>(c.outcome)];
    out.divergences += c.diff.divergences.size();
    if (c.known_divergence) ++out.known;
  }
  return out;
}

std::array<std::size_t, normalisation_count> normalised_totals(const compare_run& run) {
  std::array<std::size_t, normalisation_count> out{};
  for (const auto& c : run.results) {
    for (std::size_t i = 0; i < normalisation_count; ++i) out[i] += c.diff.normalised[i];
  }
  return out;
}

compare_console::compare_console(std::ostream& out, bool colour, bool verbose)
    : out_(out), colour_(colour), verbose_(verbose) {}

std::string compare_console::paint(std::string_view text, const char* sgr) const {
  if (!colour_) return std::string(text);
  return "\x1b[" + std::string(sgr) + "m" + std::string(text) + "\x1b[0m";
}

void compare_console::note(std::string_view text) {
  out_ << reports::visible_text(text) << '\n';
  out_.flush();
}

void compare_console::result(const scenario_comparison& c) {
  const auto [text, colour] = label_for(c);
  out_ << paint(text, colour) << ' ' << reports::visible_text(c.id) << ' '
       << paint("(" + reports::format_seconds(c.elapsed) + "s)", dim);
  if (c.outcome == compare_outcome::divergent)
    out_ << ": " << plural(c.diff.divergences.size(), "divergence");
  if (c.outcome == compare_outcome::same && c.known_divergence)
    out_ << ": listed in the baseline, but no divergence";
  if (c.outcome == compare_outcome::skip || c.outcome == compare_outcome::error) {
    out_ << ": " << reports::visible_text(c.message);
  }
  if (c.reference_defined) out_ << ' ' << paint("[reference-defined]", dim);
  out_ << '\n';
  // Each divergence as a two-line diff: what the reference sent, what the server under test sent.
  for (const auto& d : c.diff.divergences) {
    out_ << "      " << reports::visible_text(describe(d)) << '\n'
         << "        " << paint("- reference:         " + reports::visible_text(d.reference), red) << '\n'
         << "        " << paint("+ server under test: " + reports::visible_text(d.under_test), green) << '\n';
  }
  for (const auto& n : c.diff.notes)
    out_ << "      " << paint("note: ", dim) << reports::visible_text(n) << '\n';
  for (const auto& w : c.warnings)
    out_ << "      " << paint("warning: ", yellow) << reports::visible_text(w) << '\n';
  const bool problem = c.outcome == compare_outcome::divergent || c.outcome == compare_outcome::error;
  if (problem && verbose_ && (!c.reference.responses.empty() || !c.under_test.responses.empty())) {
    for (const auto& row : side_by_side(c)) out_ << "        " << reports::visible_text(row) << '\n';
  }
  out_.flush();
}

void compare_console::summary(const compare_run& run) {
  const compare_counts counts = count_outcomes(run);
  out_ << '\n'
       << paint("Summary:", "1") << ' ' << plural(run.results.size(), "comparison") << " in "
       << reports::format_seconds(run.elapsed)
       << "s: " << paint(std::to_string(counts.count(compare_outcome::same)) + " same", green) << ", "
       << paint(std::to_string(counts.count(compare_outcome::divergent)) + " divergent", red) << " ("
       << plural(counts.divergences, "divergence") << "), "
       << paint(std::to_string(counts.count(compare_outcome::error)) + " errors", magenta) << ", "
       << paint(std::to_string(counts.count(compare_outcome::skip)) + " skipped", yellow) << '\n';
  if (counts.known > 0) out_ << "  baseline: " << plural(counts.known, "known divergence") << '\n';
  // Which normalisations this server needed, and how often: the answer to "what differs legitimately".
  const auto totals = normalised_totals(run);
  std::string applied, off;
  for (const normalisation n : all_normalisations) {
    const std::size_t count = totals[static_cast<std::size_t>(n)];
    if (!run.options.on(n)) off += (off.empty() ? "" : ", ") + std::string(name_of(n));
    if (count > 0)
      applied += (applied.empty() ? "" : ", ") + std::string(name_of(n)) + " " + std::to_string(count);
  }
  out_ << "  normalisations needed: " << (applied.empty() ? "none" : applied) << '\n';
  if (!off.empty()) out_ << "  normalisations switched off: " << off << '\n';
  out_ << "  reference: " << reports::visible_text(run.reference) << '\n'
       << "  server under test: " << reports::visible_text(run.under_test) << '\n';
  out_.flush();
}

}  // namespace pop3::harness::cli
