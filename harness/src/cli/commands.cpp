// `pop3spec list`, `lint` and `rules`: the commands that never touch the network.
#include "commands.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <optional>

#include "coverage.hpp"
#include "exit_codes.hpp"
#include "pop3/harness/lint.hpp"
#include "pop3/harness/rule_catalogue.hpp"
#include "scenario_set.hpp"
#include "selection.hpp"

namespace pop3::harness::cli {
namespace {

namespace fs = std::filesystem;

std::optional<catalogue_load_result> catalogue_near(const fs::path& start) {
  const auto found = find_rule_catalogue(fs::is_directory(start) ? start : start.parent_path());
  if (!found) return std::nullopt;
  return rule_catalogue::load(*found);
}

std::string requirements(const scenario& s) {
  std::string out;
  for (const auto& r : s.required_caps) out += (out.empty() ? "" : " ") + r.to_string();
  return out;
}

}  // namespace

int list_command(const options& o, std::ostream& out, std::ostream& err) {
  const auto selection = select_scenarios(o);
  if (!selection.problems.empty()) {
    for (const auto& d : selection.problems) err << d.to_string() << '\n';
    return exit_usage;
  }
  const auto setup = resolve_setup(o);
  // The embedded server's accounts are disposable and provisioned through their Maildirs.
  bool fixtures = true, destructive = true;
  for (const auto& a : setup.accounts) {
    fixtures = fixtures && a.fixtures != nullptr;
    destructive = destructive && a.disposable;
  }
  std::size_t runnable = 0;
  for (const auto& s : selection.scenarios) {
    std::string status;
    if (s.destructive && !destructive) {
      status = "skip: destructive (needs --allow-destructive or disposable accounts)";
    } else if (needs_fixtures(s) && !fixtures) {
      status = "skip: needs a fixture adapter (--fixtures)";
    } else {
      ++runnable;
      status = "run";
      if (const auto caps = requirements(s); !caps.empty()) status += " if the server advertises " + caps;
    }
    out << s.id << "  " << status << '\n';
  }
  out << selection.scenarios.size() << " scenarios selected, " << runnable << " can run\n";
  return exit_ok;
}

int lint_command(const std::vector<std::string>& paths, const std::string& scenarios_dir, std::ostream& out) {
  std::vector<fs::path> roots(paths.begin(), paths.end());
  if (roots.empty()) roots.push_back(scenarios_root(scenarios_dir));
  std::vector<diagnostic> problems;
  for (const auto& root : roots) {
    if (!fs::exists(root)) throw usage_error("no such file or folder: " + root.string());
    auto catalogue = catalogue_near(root);
    const rule_catalogue* rules = nullptr;
    if (catalogue) {
      problems.insert(problems.end(), catalogue->diagnostics.begin(), catalogue->diagnostics.end());
      rules = &catalogue->catalogue;
    }
    auto found = fs::is_directory(root) ? lint_directory(root, rules) : lint_file(root, rules);
    problems.insert(problems.end(), found.begin(), found.end());
  }
  for (const auto& d : problems) out << d.to_string() << '\n';
  const auto files = scenario_files(roots).size();
  out << files << " scenario file" << (files == 1 ? "" : "s") << " checked, " << problems.size() << " error"
      << (problems.size() == 1 ? "" : "s") << '\n';
  return problems.empty() ? exit_ok : exit_failures;
}

int rules_command(const std::string& scenarios_dir, const std::vector<std::string>& ids, bool coverage_only,
                  std::ostream& out, std::ostream& err) {
  const auto root = scenarios_root(scenarios_dir);
  auto loaded = catalogue_near(root);
  if (!loaded) throw usage_error("no " + std::string(rule_catalogue_file) + " in " + root.string() + " or its parents");
  if (!loaded->diagnostics.empty()) {
    for (const auto& d : loaded->diagnostics) err << d.to_string() << '\n';
    return exit_usage;
  }
  std::map<std::string, std::size_t> coverage;
  std::map<std::string, std::vector<std::string>> checked_by;
  std::size_t broken = 0;
  for (const auto& file : scenario_files({root})) {
    const auto parsed = parse_scenario_file(file);
    if (!parsed.ok()) ++broken;
    for (const auto& r : parsed.value.rules) {
      ++coverage[r.id];
      checked_by[r.id].push_back(parsed.value.id.empty() ? file.string() : parsed.value.id);
    }
  }
  const auto& rules = loaded->catalogue.rules();
  if (!ids.empty()) {
    std::size_t shown = 0;
    for (const auto& r : rules) {
      if (!matches_any(ids, r.id)) continue;
      ++shown;
      out << r.id << "  " << level_keyword(r.lvl) << "  " << r.source << '\n' << "  " << r.summary << '\n';
      if (r.uncheckable) out << "  uncheckable: " << *r.uncheckable << '\n';
      if (r.security) out << "  security: " << *r.security << '\n';
      const auto it = checked_by.find(r.id);
      if (it == checked_by.end() && !r.uncheckable) out << "  no scenario checks it yet\n";
      if (it != checked_by.end()) {
        for (const auto& id : it->second) out << "  checked by " << id << '\n';
      }
    }
    if (shown == 0) throw usage_error("no rule matches " + ids.front() + (ids.size() > 1 ? " (or the other ids)" : ""));
    return exit_ok;
  }
  if (coverage_only) {
    const bool complete = print_coverage(rules, coverage, out);
    if (broken) err << "note: " << broken << " scenario file(s) have errors; run `pop3spec lint`\n";
    return complete ? exit_ok : exit_failures;
  }
  std::size_t width = 4;
  for (const auto& r : rules) width = std::max(width, r.id.size());
  out << std::left << std::setw(static_cast<int>(width)) << "RULE" << "  LEVEL   SCENARIOS  SOURCE\n";
  std::size_t covered = 0, uncovered_must = 0, uncheckable = 0;
  for (const auto& r : rules) {
    const auto count = coverage.contains(r.id) ? coverage.at(r.id) : 0;
    std::string mark;
    if (r.uncheckable) {
      ++uncheckable;
      mark = "  (uncheckable: " + *r.uncheckable + ")";
    } else if (count == 0 && r.lvl == reports::level::must) {
      ++uncovered_must;
      mark = "  UNCOVERED MUST";
    }
    if (r.security) mark += "  SECURITY";
    if (count > 0) ++covered;
    out << std::left << std::setw(static_cast<int>(width)) << r.id << "  " << std::setw(6) << level_keyword(r.lvl)
        << "  " << std::right << std::setw(9) << count << "  " << r.source << mark << '\n';
  }
  out << rules.size() << " rules: " << covered << " covered, " << rules.size() - covered << " uncovered ("
      << uncovered_must << " MUST), " << uncheckable << " uncheckable\n";
  if (broken) err << "note: " << broken << " scenario file(s) have errors; run `pop3spec lint`\n";
  return exit_ok;
}

}  // namespace pop3::harness::cli
