// The linter: parser diagnostics plus checks across files (catalogue, duplicate ids).
#include "pop3/harness/lint.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <system_error>

namespace pop3::harness {
namespace {

int strength(reports::level l) {
  switch (l) {
    case reports::level::must:
      return 3;
    case reports::level::should:
      return 2;
    case reports::level::may:
      return 1;
    case reports::level::info:
      return 0;
  }
  return 0;
}

std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir, std::error_code& ec) {
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == scenario_extension) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A scenario's id is its path below the folder holding rules.tsv, without the extension, so an
// id printed in a report (or listed in a baseline) always leads straight to its file.
std::optional<diagnostic> check_id_matches_path(const scenario& s, const std::filesystem::path& file) {
  const auto catalogue = find_rule_catalogue(file);
  if (s.id.empty() || !catalogue) return std::nullopt;
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(file, ec).lexically_normal();
  auto expected = absolute.lexically_relative(catalogue->parent_path());
  expected.replace_extension();
  if (expected.generic_string() == s.id) return std::nullopt;
  return diagnostic{s.id_where.file, s.id_where.line, s.id_where.column,
                    "scenario id '" + s.id + "' does not match its path",
                    "name the id after the file below scenarios/: id: " + expected.generic_string()};
}

// Everything lint says about one file: parser diagnostics, rule checks, the id/path check.
std::vector<diagnostic> lint_parsed(parse_result parsed, const std::filesystem::path& file,
                                    const rule_catalogue* catalogue) {
  if (catalogue) {
    auto more = lint_rules(parsed.value, *catalogue);
    parsed.diagnostics.insert(parsed.diagnostics.end(), more.begin(), more.end());
  }
  if (auto mismatch = check_id_matches_path(parsed.value, file)) parsed.diagnostics.push_back(std::move(*mismatch));
  return std::move(parsed.diagnostics);
}

}  // namespace

std::vector<diagnostic> lint_rules(const scenario& s, const rule_catalogue& catalogue) {
  std::vector<diagnostic> out;
  int strongest = -1;
  const rule_ref* security = nullptr;
  const rule_ref* other = nullptr;
  for (const rule_ref& ref : s.rules) {
    const rule* r = catalogue.find(ref.id);
    if (!r) {
      out.push_back({ref.where.file, ref.where.line, ref.where.column, "unknown rule id '" + ref.id + "'",
                     "add the rule to scenarios/rules.tsv or fix the id (`pop3spec rules` lists them)"});
      continue;
    }
    if (r->uncheckable) {
      out.push_back({ref.where.file, ref.where.line, ref.where.column,
                     "rule '" + ref.id + "' is marked uncheckable (" + *r->uncheckable + ")",
                     "remove the rule from this scenario or drop the uncheckable note in rules.tsv"});
    }
    strongest = std::max(strongest, strength(r->lvl));
    (r->security ? security : other) = &ref;
  }
  if (security && other) {
    out.push_back({other->where.file, other->where.line, other->where.column,
                   "rule '" + other->id + "' is no security rule, but '" + security->id + "' is",
                   "a failure would not tell a security finding apart: check the security rule in a scenario of its own"});
  }
  if (strongest >= 0 && strength(s.lvl) > strongest) {
    out.push_back({s.level_where.file, s.level_where.line, s.level_where.column,
                   std::string("level ") + level_keyword(s.lvl) + " is stronger than every rule listed",
                   "a scenario's level is at most the strongest level among its rules (see rules.tsv)"});
  }
  return out;
}

void mark_security(scenario& s, const rule_catalogue& catalogue) {
  s.security.clear();
  for (const rule_ref& ref : s.rules) {
    const rule* r = catalogue.find(ref.id);
    if (r && r->security) {
      s.security = *r->security;
      return;
    }
  }
}

std::vector<diagnostic> lint_file(const std::filesystem::path& path, const rule_catalogue* catalogue) {
  return lint_parsed(parse_scenario_file(path), path, catalogue);
}

std::vector<diagnostic> lint_directory(const std::filesystem::path& dir, const rule_catalogue* catalogue) {
  std::vector<diagnostic> out;
  std::error_code ec;
  const auto files = scenario_files(dir, ec);
  if (ec) {
    out.push_back(
        {dir.string(), 1, 1, "cannot list the folder: " + ec.message(), "check the path and permissions"});
    return out;
  }
  if (files.empty()) {
    out.push_back({dir.string(), 1, 1, "no *.pop3 scenario files below this folder",
                   "scenario files end in .pop3 (included step files in .inc)"});
  }
  std::map<std::string, source_location> ids;
  for (const auto& f : files) {
    parse_result parsed = parse_scenario_file(f);
    const scenario s = parsed.value;
    auto found = lint_parsed(std::move(parsed), f, catalogue);
    out.insert(out.end(), found.begin(), found.end());
    if (s.id.empty()) continue;
    const auto [it, inserted] = ids.emplace(s.id, s.id_where);
    if (!inserted) {
      out.push_back({s.id_where.file, s.id_where.line, s.id_where.column,
                     "duplicate scenario id '" + s.id + "' (also in " + it->second.file + ":" +
                         std::to_string(it->second.line) + ")",
                     "scenario ids are unique; name it after its file, e.g. rfc1939/dele/not-listed"});
    }
  }
  return out;
}

std::optional<std::filesystem::path> find_rule_catalogue(const std::filesystem::path& start) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::is_directory(start, ec) ? start : start.parent_path();
  dir = std::filesystem::absolute(dir, ec).lexically_normal();
  for (;;) {
    const auto candidate = dir / rule_catalogue_file;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    if (dir.empty() || dir == dir.parent_path()) return std::nullopt;
    dir = dir.parent_path();
  }
}

}  // namespace pop3::harness
