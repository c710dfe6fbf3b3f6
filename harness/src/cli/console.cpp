// console: the human-readable progress and summary of `pop3spec run`.
#include "console.hpp"

#include <cstdlib>
#include <string>

#include <unistd.h>

#include "pop3/reports/text.hpp"

namespace pop3::harness::cli {
namespace {

using namespace ansi;

// A SHOULD failure is a warning unless --strict; MAY and info failures are notes.
label label_for(const reports::scenario_result& r, bool strict) {
  switch (reports::classify(r)) {
    case reports::disposition::pass: return {"PASS ", green};
    case reports::disposition::skip: return {"SKIP ", yellow};
    case reports::disposition::error: return {"ERROR", magenta};
    case reports::disposition::known_failure: return {"XFAIL", cyan};
    case reports::disposition::unexpected_pass: return {"XPASS", red};
    case reports::disposition::fail: break;
  }
  if (r.lvl == reports::level::must || (r.lvl == reports::level::should && strict)) return {"FAIL ", red};
  if (r.lvl == reports::level::should) return {"WARN ", yellow};
  return {"NOTE ", cyan};
}

}  // namespace

console::console(std::ostream& out, bool colour, bool strict, bool verbose)
    : out_(out), colour_(colour), strict_(strict), verbose_(verbose) {}

bool console::colour_wanted() {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

std::string console::paint(std::string_view text, const char* sgr) const {
  if (!colour_) return std::string(text);
  return "\x1b[" + std::string(sgr) + "m" + std::string(text) + "\x1b[0m";
}

void console::result(const reports::scenario_result& r) {
  const auto [text, colour] = label_for(r, strict_);
  const auto shown = reports::classify(r);
  out_ << paint(text, colour) << ' ' << reports::visible_text(r.id) << ' '
       << paint("(" + reports::format_seconds(r.elapsed) + "s)", dim);
  if (shown == reports::disposition::skip && !r.message.empty()) out_ << ": " << reports::visible_text(r.message);
  if (shown == reports::disposition::fail && r.lvl != reports::level::must) {
    out_ << ' ' << paint(std::string("[") + reports::to_string(r.lvl) + "]", dim);
  }
  if (r.security) out_ << ' ' << paint("[SECURITY]", bold_red);  // whatever the level or baseline
  out_ << '\n';
  const bool problem = shown == reports::disposition::fail || shown == reports::disposition::error ||
                       shown == reports::disposition::unexpected_pass;
  if (problem) {
    const std::string message = shown == reports::disposition::unexpected_pass
                                    ? "unexpected pass: listed in the baseline"
                                    : r.message;
    if (!message.empty())
      out_ << "      " << (r.security ? paint("SECURITY: ", bold_red) : std::string()) << reports::visible_text(message) << '\n';
  }
  for (const auto& warning : r.warnings) out_ << "      " << paint("warning: ", yellow) << reports::visible_text(warning) << '\n';
  if (problem && verbose_) {
    for (const auto& line : r.transcript) out_ << "        " << reports::format_transcript_line(line) << '\n';
  }
  out_.flush();
}

void console::summary(const reports::run_report& report, const reports::summary& counts) {
  using reports::verdict;
  out_ << '\n'
       << paint("Summary:", "1") << ' ' << counts.total << " scenario" << (counts.total == 1 ? "" : "s") << " in "
       << reports::format_seconds(report.elapsed) << "s: " << paint(std::to_string(counts.count(verdict::pass)) + " passed", green)
       << ", " << paint(std::to_string(counts.count(verdict::fail)) + " failed", red) << ", "
       << paint(std::to_string(counts.count(verdict::error)) + " errors", magenta) << ", "
       << paint(std::to_string(counts.count(verdict::skip)) + " skipped", yellow) << '\n';
  out_ << "  failures by level: MUST " << counts.failures(reports::level::must) << ", SHOULD "
       << counts.failures(reports::level::should) << ", MAY " << counts.failures(reports::level::may) << ", info "
       << counts.failures(reports::level::info) << '\n';
  if (counts.known_failures || counts.unexpected_passes) {
    out_ << "  baseline: " << counts.known_failures << " known failure" << (counts.known_failures == 1 ? "" : "s")
         << ", " << counts.unexpected_passes << " unexpected pass" << (counts.unexpected_passes == 1 ? "" : "es") << '\n';
  }
  if (counts.security_findings) {
    out_ << "  " << paint("security findings: " + std::to_string(counts.security_findings), bold_red) << ':';
    for (const auto& r : report.results) {
      if (r.security && r.outcome == verdict::fail) out_ << ' ' << reports::visible_text(r.id);
    }
    out_ << '\n';
  }
  if (!report.target.empty()) out_ << "  target: " << reports::visible_text(report.target) << '\n';
  out_.flush();
}

void console::note(std::string_view text) {
  out_ << text << '\n';
  out_.flush();
}

}  // namespace pop3::harness::cli
