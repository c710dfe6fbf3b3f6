// JSON report writer and reader (nlohmann); the shape is documented in json.hpp and README.md.
#include "pop3/reports/json.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>

#include "base64.hpp"
#include "file_output.hpp"
#include "pop3/reports/summary.hpp"
#include "utf8.hpp"

namespace pop3::reports {
namespace {

// ordered_json keeps the documented field order in the output.
using json = nlohmann::ordered_json;

constexpr std::string_view schema_name = "pop3spec-report";
constexpr std::array<const char*, 3> direction_names{"client", "server", "note"};

// ---- writing -----------------------------------------------------------------------------

json text_value(std::string_view s) {
  if (detail::is_valid_utf8(s)) return std::string(s);
  return json{{"base64", detail::base64_encode(s)}};
}

json text_list(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(text_value(item));
  return out;
}

template <class Enum, std::size_t N>
json counts_by_name(const std::array<std::size_t, N>& counts) {
  json out = json::object();
  for (std::size_t i = 0; i < N; ++i) out[to_string(static_cast<Enum>(i))] = counts[i];
  return out;
}

json summary_json(const summary& s) {
  return json{{"total", s.total},
              {"by_verdict", counts_by_name<verdict>(s.by_verdict)},
              {"failures_by_level", counts_by_name<level>(s.failures_by_level)},
              {"known_failures", s.known_failures},
              {"unexpected_passes", s.unexpected_passes},
              {"security_findings", s.security_findings}};
}

json transcript_json(const std::vector<transcript_line>& lines) {
  json out = json::array();
  for (const auto& line : lines) {
    out.push_back(json{{"connection", text_value(line.connection)},
                       {"direction", direction_names[static_cast<std::size_t>(line.dir)]},
                       {"text", text_value(line.text)},
                       {"at_seconds", line.at_seconds}});
  }
  return out;
}

json result_json(const scenario_result& r) {
  return json{{"id", text_value(r.id)},
              {"suite", text_value(r.suite)},
              {"file", text_value(r.file)},
              {"title", text_value(r.title)},
              {"rules", text_list(r.rules)},
              {"level", to_string(r.lvl)},
              {"verdict", to_string(r.outcome)},
              {"disposition", to_string(classify(r))},
              {"known_failure", r.known_failure},
              {"message", text_value(r.message)},
              {"expected", text_value(r.expected)},
              {"actual", text_value(r.actual)},
              {"warnings", text_list(r.warnings)},
              {"failed_rule", text_value(r.failed_rule)},
              {"security", r.security},
              {"elapsed_seconds", r.elapsed.count()},
              {"transcript", transcript_json(r.transcript)}};
}

// ---- reading -----------------------------------------------------------------------------
// Every optional field may be absent (its default is used); a present field must have its type.

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw report_format_error("report JSON: " + where + ": " + what);
}

const json* find(const json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string read_text(const json& v, const std::string& where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.size() == 1 && v.contains("base64") && v["base64"].is_string()) {
    if (auto bytes = detail::base64_decode(v["base64"].get<std::string>())) return *bytes;
    fail(where, "invalid base64");
  }
  fail(where, "expected a string or {\"base64\": ...}");
}

std::string read_text(const json& obj, const char* key, const std::string& where) {
  const json* v = find(obj, key);
  return v == nullptr ? std::string() : read_text(*v, where + "." + key);
}

double read_number(const json& obj, const char* key, const std::string& where) {
  const json* v = find(obj, key);
  if (v == nullptr) return 0;
  if (!v->is_number()) fail(where + "." + key, "expected a number");
  return v->get<double>();
}

const json& read_array(const json& obj, const char* key, const std::string& where) {
  static const json empty = json::array();
  const json* v = find(obj, key);
  if (v == nullptr) return empty;
  if (!v->is_array()) fail(where + "." + key, "expected an array");
  return *v;
}

std::vector<std::string> read_text_list(const json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  const json& items = read_array(obj, key, where);
  for (std::size_t i = 0; i < items.size(); ++i) {
    out.push_back(read_text(items[i], where + "." + key + "[" + std::to_string(i) + "]"));
  }
  return out;
}

template <class Enum>
Enum read_enum(const json& obj, const char* key, const std::string& where,
               std::optional<Enum> (*parse)(std::string_view) noexcept, std::optional<Enum> fallback) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    fail(where + "." + key, "missing");
  }
  if (!v->is_string()) fail(where + "." + key, "expected a string");
  if (auto e = parse(v->get<std::string>())) return *e;
  fail(where + "." + key, "unknown value \"" + v->get<std::string>() + "\"");
}

std::optional<transcript_line::direction> direction_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < direction_names.size(); ++i) {
    if (s == direction_names[i]) return static_cast<transcript_line::direction>(i);
  }
  return std::nullopt;
}

transcript_line read_transcript_line(const json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "expected an object");
  transcript_line line;
  line.connection = read_text(j, "connection", where);
  line.dir = read_enum<transcript_line::direction>(j, "direction", where, direction_from_string,
                                                   transcript_line::direction::note);
  line.text = read_text(j, "text", where);
  line.at_seconds = read_number(j, "at_seconds", where);
  return line;
}

scenario_result read_result(const json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "expected an object");
  if (find(j, "id") == nullptr) fail(where + ".id", "missing");
  scenario_result r;
  r.id = read_text(j, "id", where);
  r.suite = read_text(j, "suite", where);
  r.file = read_text(j, "file", where);
  r.title = read_text(j, "title", where);
  r.rules = read_text_list(j, "rules", where);
  r.lvl = read_enum<level>(j, "level", where, level_from_string, level::must);
  r.outcome = read_enum<verdict>(j, "verdict", where, verdict_from_string, std::nullopt);
  if (const json* k = find(j, "known_failure")) {
    if (!k->is_boolean()) fail(where + ".known_failure", "expected true or false");
    r.known_failure = k->get<bool>();
  }
  r.message = read_text(j, "message", where);
  r.expected = read_text(j, "expected", where);
  r.actual = read_text(j, "actual", where);
  r.warnings = read_text_list(j, "warnings", where);
  r.failed_rule = read_text(j, "failed_rule", where);
  if (const json* k = find(j, "security")) {
    if (!k->is_boolean()) fail(where + ".security", "expected true or false");
    r.security = k->get<bool>();
  }
  r.elapsed = std::chrono::duration<double>(read_number(j, "elapsed_seconds", where));
  const json& lines = read_array(j, "transcript", where);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    r.transcript.push_back(read_transcript_line(lines[i], where + ".transcript[" + std::to_string(i) + "]"));
  }
  return r;
}

}  // namespace

void write_json(const run_report& report, std::ostream& out) {
  json results = json::array();
  for (const auto& r : report.results) results.push_back(result_json(r));
  const json doc{{"schema", schema_name},
                 {"schema_version", json_schema_version},
                 {"name", text_value(report.name)},
                 {"target", text_value(report.target)},
                 {"hostname", text_value(report.hostname)},
                 {"started_at", text_value(report.started_at)},
                 {"elapsed_seconds", report.elapsed.count()},
                 {"summary", summary_json(summarize(report))},
                 {"results", std::move(results)}};
  out << doc.dump(2) << '\n';
}

void write_json(const run_report& report, const std::filesystem::path& path) {
  detail::write_file(path, [&](std::ostream& out) { write_json(report, out); });
}

run_report read_json(std::istream& in) {
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    fail("document", e.what());
  }
  if (!doc.is_object()) fail("document", "expected an object");
  const json* schema = find(doc, "schema");
  if (schema == nullptr || *schema != schema_name) fail("schema", "not a pop3spec report");
  const json* version = find(doc, "schema_version");
  if (version == nullptr || !version->is_number_integer()) fail("schema_version", "missing");
  if (*version != json_schema_version) {
    fail("schema_version", "version " + version->dump() + " is not supported (this build reads " +
                               std::to_string(json_schema_version) + ")");
  }
  run_report report;
  if (find(doc, "name") != nullptr) report.name = read_text(doc, "name", "report");  // else keep the default
  report.target = read_text(doc, "target", "report");
  report.hostname = read_text(doc, "hostname", "report");
  report.started_at = read_text(doc, "started_at", "report");
  report.elapsed = std::chrono::duration<double>(read_number(doc, "elapsed_seconds", "report"));
  const json& results = read_array(doc, "results", "report");
  for (std::size_t i = 0; i < results.size(); ++i) {
    report.results.push_back(read_result(results[i], "results[" + std::to_string(i) + "]"));
  }
  return report;
}

run_report read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw report_format_error("cannot open " + path.string());
  return read_json(in);
}

}  // namespace pop3::reports
