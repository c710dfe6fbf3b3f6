// write_compare_json(): the machine-readable report of `pop3spec compare` (shape: docs/compare.md).
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "compare_output.hpp"
#include "pop3/reports/text.hpp"

namespace pop3::harness::cli {
namespace {

using json = nlohmann::json;

// Like the transcripts, the recorded responses are cut: a report of a run with large messages
// must stay readable (the divergences keep their own short values).
constexpr std::size_t data_lines_kept = 200;
constexpr std::size_t line_octets_kept = 1000;

// Server bytes may be anything: every string goes through visible_text, so the file is UTF-8.
std::string text(std::string_view s) { return reports::visible_text(s); }

std::string cut(std::string_view s) {
  if (s.size() <= line_octets_kept) return text(s);
  return text(s.substr(0, line_octets_kept)) + "... (" + std::to_string(s.size()) + " octets)";
}

json strings(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(text(item));
  return out;
}

const char* kind_name(recorded_response::kind k) {
  switch (k) {
    case recorded_response::kind::line:
      return "line";
    case recorded_response::kind::closed:
      return "closed";
    case recorded_response::kind::timeout:
      return "timeout";
    case recorded_response::kind::failed:
      return "failed";
  }
  return "?";
}

json response_json(const recorded_response& r) {
  json data = json::array();
  for (std::size_t i = 0; i < r.data.size() && i < data_lines_kept; ++i) data.push_back(cut(r.data[i]));
  return json{{"connection", text(r.conn)}, {"line", r.where.line},        {"origin", text(r.origin)},
              {"command", cut(r.command)},  {"greeting", r.greeting},      {"kind", kind_name(r.k)},
              {"status", cut(r.status)},    {"framing", r.framing},        {"multiline", r.multiline},
              {"data", std::move(data)},    {"data_lines", r.data.size()}, {"complete", r.complete},
              {"ended", r.ended},           {"mismatch", cut(r.mismatch)}};
}

json side_json(const recorded_run& run) {
  json responses = json::array();
  for (const auto& r : run.responses) responses.push_back(response_json(r));
  return json{{"verdict", reports::to_string(run.result.outcome)},
              {"message", text(run.result.message)},
              {"responses", std::move(responses)}};
}

json normalised_json(const std::array<std::size_t, normalisation_count>& counts) {
  json out = json::object();
  for (const normalisation n : all_normalisations)
    out[std::string(name_of(n))] = counts[static_cast<std::size_t>(n)];
  return out;
}

json scenario_json(const scenario_comparison& c) {
  json divergences = json::array();
  for (const auto& d : c.diff.divergences) {
    divergences.push_back(json{{"kind", std::string(name_of(d.k))},
                               {"connection", text(d.conn)},
                               {"file", text(d.where.file)},
                               {"line", d.where.line},
                               {"command", text(d.command)},
                               {"what", text(d.what)},
                               {"reference", text(d.reference)},
                               {"under_test", text(d.under_test)},
                               {"scenario_accepts_both", d.scenario_accepts_both}});
  }
  return json{{"id", text(c.id)},
              {"file", text(c.file)},
              {"title", text(c.title)},
              {"rules", strings(c.rules)},
              {"level", reports::to_string(c.lvl)},
              {"reference_defined", c.reference_defined},
              {"outcome", std::string(name_of(c.outcome))},
              {"known_divergence", c.known_divergence},
              {"message", text(c.message)},
              {"warnings", strings(c.warnings)},
              {"elapsed_seconds", c.elapsed.count()},
              {"divergences", std::move(divergences)},
              {"notes", strings(c.diff.notes)},
              {"normalised", normalised_json(c.diff.normalised)},
              {"reference", side_json(c.reference)},
              {"under_test", side_json(c.under_test)}};
}

}  // namespace

void write_compare_json(const compare_run& run, std::ostream& out) {
  json scenarios = json::array();
  for (const auto& c : run.results) scenarios.push_back(scenario_json(c));
  const compare_counts counts = count_outcomes(run);
  json normalisations = json::object();
  const auto totals = normalised_totals(run);
  for (const normalisation n : all_normalisations) {
    normalisations[std::string(name_of(n))] =
        json{{"enabled", run.options.on(n)}, {"differences_hidden", totals[static_cast<std::size_t>(n)]}};
  }
  const json root{{"schema", "pop3spec-compare"},
                  {"schema_version", 1},
                  {"reference", text(run.reference)},
                  {"under_test", text(run.under_test)},
                  {"elapsed_seconds", run.elapsed.count()},
                  {"normalisations", std::move(normalisations)},
                  {"added_headers", strings(run.options.added_headers)},
                  {"mirror_notes", strings(run.mirror_notes)},
                  {"summary", json{{"comparisons", run.results.size()},
                                   {"same", counts.count(compare_outcome::same)},
                                   {"divergent", counts.count(compare_outcome::divergent)},
                                   {"skip", counts.count(compare_outcome::skip)},
                                   {"error", counts.count(compare_outcome::error)},
                                   {"divergences", counts.divergences},
                                   {"known_divergences", counts.known}}},
                  {"scenarios", std::move(scenarios)}};
  out << root.dump(2) << '\n';
}

void write_compare_json(const compare_run& run, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) write_compare_json(run, out);
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace pop3::harness::cli
