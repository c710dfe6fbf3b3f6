// The rule catalogue loader (format in rule_catalogue.hpp).
#include "pop3/harness/rule_catalogue.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace pop3::harness {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

// The reason after a note's prefix ("uncheckable: ", "security: "); nullopt without the prefix or a reason.
std::optional<std::string> note_reason(std::string_view note, std::string_view prefix) {
  if (!note.starts_with(prefix) || note.size() == prefix.size()) return std::nullopt;
  return std::string(note.substr(prefix.size()));
}

constexpr std::string_view expected_header = "id\tlevel\tsource\tsummary\tnotes";

}  // namespace

bool is_valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  bool segment_start = true;
  for (const char c : id) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '/') {
      if (segment_start) return false;
      segment_start = true;
    } else if (alnum || (c == '-' && !segment_start)) {
      segment_start = false;
    } else {
      return false;
    }
  }
  return !segment_start;
}

std::optional<reports::level> parse_level(std::string_view text) noexcept {
  if (text == "MUST") return reports::level::must;
  if (text == "SHOULD") return reports::level::should;
  if (text == "MAY") return reports::level::may;
  if (text == "INFO") return reports::level::info;
  return std::nullopt;
}

const char* level_keyword(reports::level l) noexcept {
  switch (l) {
    case reports::level::must:
      return "MUST";
    case reports::level::should:
      return "SHOULD";
    case reports::level::may:
      return "MAY";
    case reports::level::info:
      return "INFO";
  }
  return "MUST";
}

catalogue_load_result rule_catalogue::parse(std::string_view text, std::string file_name) {
  catalogue_load_result r;
  auto error = [&](int line, int column, std::string message, std::string hint) {
    r.diagnostics.push_back({file_name, line, column, std::move(message), std::move(hint)});
  };
  std::set<std::string, std::less<>> seen;
  bool header_seen = false;
  int number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.starts_with('#')) continue;
    if (!header_seen) {
      header_seen = true;
      if (line != expected_header) {
        error(number, 1, "the first line must be the header",
              "write: id<TAB>level<TAB>source<TAB>summary<TAB>notes");
      }
      continue;
    }
    const auto fields = split_tabs(line);
    if (fields.size() < 4 || fields.size() > 5) {
      error(number, 1, "expected 4 or 5 TAB-separated fields, got " + std::to_string(fields.size()),
            "write: id<TAB>level<TAB>source<TAB>summary[<TAB>uncheckable: reason]");
      continue;
    }
    auto column_of = [&](std::size_t index) {
      return static_cast<int>(fields[index].data() - line.data()) + 1;
    };
    rule ru;
    ru.id = std::string(fields[0]);
    ru.where = source_location{file_name, number, 1};
    bool ok = true;
    if (!is_valid_id(ru.id)) {
      error(number, 1, "bad rule id '" + ru.id + "'",
            "ids are lower-case path segments, e.g. rfc1939/dele/not-listed");
      ok = false;
    } else if (!seen.insert(ru.id).second) {
      error(number, 1, "duplicate rule id '" + ru.id + "'", "each rule id appears once");
      ok = false;
    }
    if (const auto lvl = parse_level(fields[1])) {
      ru.lvl = *lvl;
    } else {
      error(number, column_of(1), "unknown level '" + std::string(fields[1]) + "'",
            "write MUST, SHOULD, MAY or INFO");
      ok = false;
    }
    ru.source = std::string(fields[2]);
    ru.summary = std::string(fields[3]);
    if (ru.source.empty() || ru.summary.empty()) {
      error(number, column_of(ru.source.empty() ? 2 : 3), "empty source or summary",
            "give where the rule is written (e.g. RFC 1939 §5) and one sentence");
      ok = false;
    }
    if (fields.size() == 5 && !fields[4].empty()) {
      if (auto reason = note_reason(fields[4], "uncheckable: ")) {
        ru.uncheckable = std::move(reason);
      } else if (auto why = note_reason(fields[4], "security: ")) {
        ru.security = std::move(why);
      } else {
        error(number, column_of(4), "unknown note '" + std::string(fields[4]) + "'",
              "the notes field is empty, \"uncheckable: <reason>\" or \"security: <reason>\"");
        ok = false;
      }
    }
    if (ok) r.catalogue.rules_.push_back(std::move(ru));
  }
  if (!header_seen)
    error(1, 1, "the catalogue is empty",
          "start with the header line id<TAB>level<TAB>source<TAB>summary<TAB>notes");
  return r;
}

catalogue_load_result rule_catalogue::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    catalogue_load_result r;
    r.diagnostics.push_back(
        {path.string(), 1, 1, "cannot read the rule catalogue", "check the path: scenarios/rules.tsv"});
    return r;
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parse(std::move(content).str(), path.string());
}

const rule* rule_catalogue::find(std::string_view id) const noexcept {
  for (const rule& r : rules_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace pop3::harness
