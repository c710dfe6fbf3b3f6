// select_scenarios(): discovery, id selection and lint of the scenarios to run or list.
#include "scenario_set.hpp"

#include <algorithm>
#include <map>

#include "exit_codes.hpp"
#include "pop3/harness/lint.hpp"
#include "selection.hpp"

#ifndef POP3SPEC_SCENARIOS_DIR
#error "POP3SPEC_SCENARIOS_DIR must be defined by the build (harness/CMakeLists.txt)"
#endif

namespace pop3::harness::cli {
namespace {

namespace fs = std::filesystem;

// Catalogues are looked up per folder; most files share one.
class catalogue_cache {
 public:
  const rule_catalogue* for_file(const fs::path& file, std::vector<diagnostic>& problems) {
    auto found = find_rule_catalogue(file.parent_path());
    if (!found) return nullptr;
    auto [it, inserted] = loaded_.try_emplace(found->string());
    if (inserted) {
      auto result = rule_catalogue::load(*found);
      problems.insert(problems.end(), result.diagnostics.begin(), result.diagnostics.end());
      it->second = std::move(result.catalogue);
    }
    return &it->second;
  }

 private:
  std::map<std::string, rule_catalogue> loaded_;
};

}  // namespace

fs::path scenarios_root(const std::string& scenarios_dir) {
  return scenarios_dir.empty() ? fs::path(POP3SPEC_SCENARIOS_DIR) : fs::path(scenarios_dir);
}

std::vector<fs::path> scenario_files(const std::vector<fs::path>& roots) {
  // Paths stay as the user wrote them (messages read "scenarios/x.pop3:7"); duplicates are
  // recognised by their canonical form.
  std::map<fs::path, fs::path> files;
  for (const auto& root : roots) {
    if (fs::is_regular_file(root)) {
      files.try_emplace(fs::weakly_canonical(root), root);
      continue;
    }
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == scenario_extension) {
        files.try_emplace(fs::weakly_canonical(it->path()), it->path());
      }
    }
    if (ec) throw usage_error("cannot read " + root.string() + ": " + ec.message());
  }
  std::vector<fs::path> out;
  for (const auto& [canonical, given] : files) out.push_back(given);
  std::sort(out.begin(), out.end());
  return out;
}

scenario_selection select_scenarios(const options& o) {
  std::vector<fs::path> roots;
  id_filter filter;
  filter.include = o.filters;
  filter.exclude = o.excludes;
  if (!o.shard.empty()) filter.shard = parse_shard(o.shard);
  for (const auto& input : o.inputs) {
    if (fs::exists(input)) {
      roots.emplace_back(input);
    } else {
      filter.include.push_back(input);
    }
  }
  if (roots.empty()) {
    const auto root = scenarios_root(o.scenarios_dir);
    if (!fs::is_directory(root)) throw usage_error("no scenario folder at " + root.string() + " (use --scenarios DIR)");
    roots.push_back(root);
  }

  scenario_selection out;
  if (!o.baseline.empty()) out.baseline = load_baseline(o.baseline);
  catalogue_cache catalogues;
  std::map<std::string, std::string> file_of_id;
  for (const auto& file : scenario_files(roots)) {
    auto parsed = parse_scenario_file(file);
    // A file whose id could not be read cannot be filtered out: its errors always count.
    if (!parsed.value.id.empty() && !filter.accepts(parsed.value.id)) continue;
    // The same checks as `pop3spec lint` (the parser's, plus rule ids against the catalogue).
    const rule_catalogue* catalogue = catalogues.for_file(file, out.problems);
    const auto lint = lint_file(file, catalogue);
    out.problems.insert(out.problems.end(), lint.begin(), lint.end());
    if (!parsed.ok() || !lint.empty()) continue;
    if (catalogue) mark_security(parsed.value, *catalogue);
    auto [it, fresh] = file_of_id.try_emplace(parsed.value.id, file.string());
    if (!fresh) {
      out.problems.push_back(diagnostic{file.string(), parsed.value.id_where.line, parsed.value.id_where.column,
                                        "duplicate scenario id \"" + parsed.value.id + "\" (also in " + it->second + ")",
                                        "give every scenario its own id"});
      continue;
    }
    out.scenarios.push_back(std::move(parsed.value));
  }
  std::sort(out.scenarios.begin(), out.scenarios.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace pop3::harness::cli
