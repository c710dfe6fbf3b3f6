// JUnit XML writer (pugixml); the mapping is documented in junit.hpp.
#include "pop3/reports/junit.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "file_output.hpp"
#include "pop3/reports/summary.hpp"
#include "pop3/reports/text.hpp"

namespace pop3::reports {
namespace {

struct suite_group {
  std::string name;
  std::vector<const scenario_result*> results;
};

struct counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::chrono::duration<double> time{};

  void add(const scenario_result& r) {
    ++tests;
    time += r.elapsed;
    switch (classify(r)) {
      case disposition::fail:
      case disposition::unexpected_pass: ++failures; break;
      case disposition::error: ++errors; break;
      case disposition::skip:
      case disposition::known_failure: ++skipped; break;
      case disposition::pass: break;
    }
  }
};

// One group per scenario folder, in order of first appearance (the run's order).
std::vector<suite_group> group_by_suite(const run_report& report) {
  std::vector<suite_group> groups;
  for (const auto& r : report.results) {
    const std::string& name = r.suite.empty() ? report.name : r.suite;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const suite_group& g) { return g.name == name; });
    if (it == groups.end()) it = groups.insert(groups.end(), suite_group{name, {}});
    it->results.push_back(&r);
  }
  return groups;
}

// Every string reaches pugixml through these two, so nothing unescaped can slip in.
void set_attr(pugi::xml_node node, const char* name, std::string_view value) {
  node.append_attribute(name).set_value(visible_text(value).c_str());
}
void set_attr(pugi::xml_node node, const char* name, std::size_t value) {
  set_attr(node, name, std::to_string(value));
}
pugi::xml_node add_text_child(pugi::xml_node parent, const char* name, std::string_view text) {
  auto child = parent.append_child(name);
  child.text().set(visible_text(text).c_str());
  return child;
}

void add_property(pugi::xml_node properties, std::string_view name, std::string_view value) {
  auto p = properties.append_child("property");
  set_attr(p, "name", name);
  set_attr(p, "value", value);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// The message, then what was expected and what arrived: the body of <failure> and <error>.
std::string details(const scenario_result& r) {
  std::string out = r.message;
  if (!r.expected.empty()) out += "\nexpected: " + r.expected;
  if (!r.actual.empty()) out += "\nactual:   " + r.actual;
  return out;
}

void add_outcome(pugi::xml_node testcase, const scenario_result& r) {
  auto element = [&](const char* name, std::string_view message, const char* type, std::string_view body) {
    auto e = add_text_child(testcase, name, body);
    set_attr(e, "message", message);
    if (type != nullptr) set_attr(e, "type", type);
  };
  switch (classify(r)) {
    case disposition::pass: break;
    case disposition::fail:
      element("failure", (r.security ? "SECURITY: " : "") + r.message, "fail", details(r));
      break;
    case disposition::error: element("error", r.message, "error", details(r)); break;
    case disposition::skip: element("skipped", r.message, nullptr, ""); break;
    case disposition::known_failure:
      element("skipped", "known failure: " + r.message, nullptr,
              details(r) + "\n(" + to_string(r.outcome) + ", listed in the baseline)");
      break;
    case disposition::unexpected_pass:
      element("failure", "unexpected pass (listed in baseline)", "unexpected-pass",
              "The scenario passed but the baseline lists it as a known failure: remove it from the baseline.");
      break;
  }
}

// Reporters show system-out next to a failure, so it starts with what identifies the check.
std::string system_out(const scenario_result& r) {
  std::string out;
  if (!r.title.empty()) out += "scenario: " + r.title + '\n';
  if (!r.file.empty()) out += "file: " + r.file + '\n';
  out += "rules: " + join(r.rules, " ") + '\n';
  out += std::string("level: ") + to_string(r.lvl) + '\n';
  if (!r.failed_rule.empty()) out += "failed rule: " + r.failed_rule + '\n';
  if (r.security) out += "security finding: yes\n";
  if (!r.transcript.empty()) out += '\n';
  for (const auto& line : r.transcript) out += format_transcript_line(line) + '\n';
  return out;
}

void add_testcase(pugi::xml_node suite, const std::string& suite_name, const scenario_result& r) {
  auto tc = suite.append_child("testcase");
  set_attr(tc, "name", r.id);
  set_attr(tc, "classname", suite_name);
  set_attr(tc, "time", format_seconds(r.elapsed));
  add_outcome(tc, r);
  add_text_child(tc, "system-out", system_out(r));
  if (!r.warnings.empty()) add_text_child(tc, "system-err", join(r.warnings, "\n") + '\n');
}

void add_suite(pugi::xml_node root, const run_report& report, const suite_group& group, std::size_t index) {
  counts c;
  for (const auto* r : group.results) c.add(*r);

  auto suite = root.append_child("testsuite");
  set_attr(suite, "name", group.name);
  set_attr(suite, "tests", c.tests);
  set_attr(suite, "failures", c.failures);
  set_attr(suite, "errors", c.errors);
  set_attr(suite, "skipped", c.skipped);
  set_attr(suite, "time", format_seconds(c.time));
  if (!report.started_at.empty()) set_attr(suite, "timestamp", report.started_at);
  // The harness runs on this machine; "localhost" is true when the caller did not look it up.
  set_attr(suite, "hostname", report.hostname.empty() ? std::string("localhost") : report.hostname);
  set_attr(suite, "id", index);
  set_attr(suite, "package", report.name);

  // junit-10.xsd allows no <properties> in a <testcase>, so per-scenario facts live here.
  auto properties = suite.append_child("properties");
  add_property(properties, "target", report.target);
  for (const auto* r : group.results) {
    add_property(properties, r->id + ".rules", join(r->rules, " "));
    add_property(properties, r->id + ".level", to_string(r->lvl));
    add_property(properties, r->id + ".file", r->file);
    if (!r->failed_rule.empty()) add_property(properties, r->id + ".failed-rule", r->failed_rule);
    if (r->security) add_property(properties, r->id + ".security", "true");
  }
  for (const auto* r : group.results) add_testcase(suite, group.name, *r);
}

}  // namespace

void write_junit(const run_report& report, std::ostream& out) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");

  counts total;
  for (const auto& r : report.results) total.add(r);
  auto root = doc.append_child("testsuites");
  set_attr(root, "name", report.name);
  set_attr(root, "tests", total.tests);
  set_attr(root, "failures", total.failures);
  set_attr(root, "errors", total.errors);
  set_attr(root, "time", format_seconds(report.elapsed));

  const auto groups = group_by_suite(report);
  for (std::size_t i = 0; i < groups.size(); ++i) add_suite(root, report, groups[i], i);
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
}

void write_junit(const run_report& report, const std::filesystem::path& path) {
  detail::write_file(path, [&](std::ostream& out) { write_junit(report, out); });
}

}  // namespace pop3::reports
