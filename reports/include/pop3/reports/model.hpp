#pragma once
// The results of a run, as every report writer (JUnit, JSON, Markdown, console) sees them.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::reports {

enum class verdict { pass, fail, error, skip };
/// Requirement level of a rule (RFC 2119); "info" is for observations with no requirement.
enum class level { must, should, may, info };

[[nodiscard]] const char* to_string(verdict v) noexcept;
[[nodiscard]] const char* to_string(level l) noexcept;
/// The inverse of to_string ("pass", "must", ...); nullopt for any other text.
[[nodiscard]] std::optional<verdict> verdict_from_string(std::string_view s) noexcept;
[[nodiscard]] std::optional<level> level_from_string(std::string_view s) noexcept;

struct transcript_line {
  enum class direction { client, server, note };
  std::string connection;     ///< "a", "b", ... ("" for the only connection)
  direction dir = direction::note;
  std::string text;           ///< one line, without CRLF, passwords already masked
  double at_seconds = 0;      ///< since the scenario started

  bool operator==(const transcript_line&) const = default;
};

struct scenario_result {
  std::string id;             ///< e.g. "rfc1939/dele/not-listed"
  std::string suite;          ///< scenario folder, e.g. "rfc1939"
  std::string file;           ///< path of the scenario file
  std::string title;          ///< one-line description
  std::vector<std::string> rules;
  level lvl = level::must;
  verdict outcome = verdict::pass;
  std::string message;        ///< "file:line: expected X, got Y" for fail/error, the reason for skip
  std::string expected, actual;
  std::vector<std::string> warnings;    ///< e.g. "works but not advertised"
  /// The rule whose evidence failed, when it is not simply the scenario's: a broken invariant
  /// (sizes, unique-ids) names its own rule. "" otherwise.
  std::string failed_rule;
  /// The failure is a security finding (credentials or commands exposed across TLS), whatever
  /// the rule's level: every report and the console mark it.
  bool security = false;
  std::vector<transcript_line> transcript;
  std::chrono::duration<double> elapsed{};
  bool known_failure = false;           ///< listed in the --baseline file

  bool operator==(const scenario_result&) const = default;
};

struct run_report {
  std::string name = "pop3spec";
  std::string target;                   ///< "127.0.0.1:1110 (embedded pop3refd)"
  std::string hostname;                 ///< machine that ran the suite (JUnit "hostname"); "" if unknown
  std::string started_at;               ///< ISO 8601 UTC
  std::chrono::duration<double> elapsed{};
  std::vector<scenario_result> results;

  bool operator==(const run_report&) const = default;
};

}  // namespace pop3::reports
