#pragma once
// The rule catalogue: every normative statement the suite knows, as data (scenarios/rules.tsv).
//
// Format: UTF-8 text, one rule per line, fields separated by TABs; lines starting with "#" and
// blank lines are ignored; the first other line is the header "id level source summary notes".
//   id       lower-case path, e.g. rfc1939/dele/not-listed
//   level    MUST | SHOULD | MAY | INFO
//   source   where it is written, e.g. "RFC 1939 §5 DELE"
//   summary  one sentence
//   notes    optional: empty; "uncheckable: <reason>" for a rule no black-box test can check; or
//            "security: <reason>" for a rule whose failure is a security finding whatever its level
//            (commands or credentials exposed across TLS): every report and the console mark it
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness {

struct rule {
  std::string id;
  reports::level lvl = reports::level::must;
  std::string source, summary;
  std::optional<std::string> uncheckable;  ///< the reason, when no scenario can check it
  std::optional<std::string> security;     ///< why a failure is a security finding, for such a rule
  source_location where;
};

struct catalogue_load_result;

class rule_catalogue {
 public:
  /// Parses catalogue text; rules with errors are left out and reported. Never throws.
  [[nodiscard]] static catalogue_load_result parse(std::string_view text, std::string file_name);
  /// Reads and parses a file.
  [[nodiscard]] static catalogue_load_result load(const std::filesystem::path& path);

  /// The rule with this id, or null.
  [[nodiscard]] const rule* find(std::string_view id) const noexcept;
  /// Every rule, in file order.
  [[nodiscard]] const std::vector<rule>& rules() const noexcept { return rules_; }

 private:
  std::vector<rule> rules_;
};

struct catalogue_load_result {
  rule_catalogue catalogue;
  std::vector<diagnostic> diagnostics;
};

/// True for a valid rule or scenario id: segments of [a-z0-9-]+ (starting with a letter or
/// digit) joined by "/", at most 128 characters.
[[nodiscard]] bool is_valid_id(std::string_view id) noexcept;

/// "MUST" -> level::must, ... ("INFO" -> info); case-sensitive; nullopt otherwise.
[[nodiscard]] std::optional<reports::level> parse_level(std::string_view text) noexcept;

/// level::must -> "MUST", ... (the inverse of parse_level).
[[nodiscard]] const char* level_keyword(reports::level l) noexcept;

/// The catalogue's file name.
inline constexpr std::string_view rule_catalogue_file = "rules.tsv";

}  // namespace pop3::harness
