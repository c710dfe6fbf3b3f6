#pragma once
// Internals of the scenario parser, shared by its translation units and the executor.
//
// Parsing runs in two phases: the lexer turns text into logical lines (header lines and step
// lines; comments stripped, includes and login: macros expanded, connection prefixes applied),
// then the header and the steps are interpreted (steps need look-ahead for multi-line blocks).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/scenario.hpp"

namespace pop3::harness::detail {

/// One meaningful line: "[conn: ]kind: args" or "[conn: ]kind".
struct logical_line {
  source_location where;  // the line; column = where the kind starts
  std::string conn;       // connection prefix ("" when none)
  std::string kind;       // "C", "S", "raw", "id", ...
  std::string args;       // after "kind:", trimmed, comment removed
  int args_column = 0;    // 1-based column of args[0]
  bool bare = false;      // written without ':'
  std::string origin;     // the macro that produced it, e.g. "login: user"
};

/// Collects diagnostics; every message comes with a hint.
class diagnostics_sink {
 public:
  explicit diagnostics_sink(std::vector<diagnostic>& out) : out_(out) {}
  void error(const source_location& at, int column, std::string message, std::string hint);
  void error(const logical_line& l, int column, std::string message, std::string hint) {
    error(l.where, column, std::move(message), std::move(hint));
  }

 private:
  std::vector<diagnostic>& out_;
};

struct lexed_scenario {
  std::vector<logical_line> header, steps;
};

/// Phase 1: header lines (before the first step) and step lines, includes and macros expanded.
[[nodiscard]] lexed_scenario lex_scenario(std::string_view text, const std::string& file,
                                          const include_resolver& resolve, diagnostics_sink& sink);

/// Phase 2a: header lines into s (fixture files are loaded through `resolve`).
void apply_header(const std::vector<logical_line>& header, scenario& s, const include_resolver& resolve,
                  diagnostics_sink& sink);
/// Phase 2b: step lines into s.steps.
void build_steps(const std::vector<logical_line>& steps, scenario& s, const include_resolver& resolve,
                 diagnostics_sink& sink);

/// The expected content of a block's `body:` line (message N of the mailbox fixture, or a
/// file), CRLF-normalised; nullopt after reporting why not.
[[nodiscard]] std::optional<std::string> body_content(const logical_line& l, const scenario& s,
                                                      const include_resolver& resolve,
                                                      diagnostics_sink& sink);

/// Built-in login macros (login: user|apop|plain, and the state: transaction preamble).
enum class login_method { user, apop, plain };
[[nodiscard]] std::optional<login_method> parse_login_method(std::string_view text) noexcept;
[[nodiscard]] std::string_view login_method_name(login_method m) noexcept;
/// The macro as scenario text (one definition for the parser and the executor).
[[nodiscard]] std::string_view login_script(login_method m) noexcept;
/// The macro as steps on `conn`, located at `where`, with `origin` set.
[[nodiscard]] std::vector<step> login_steps(login_method m, const std::string& conn,
                                            const source_location& where, const std::string& origin);

/// Text with $name / ${expr} parts ($$ is "$"); with `escapes`, also \r \n \0 \xNN ...
struct template_parse_result {
  text_template value;
  std::vector<pattern_error> errors;
};
[[nodiscard]] template_parse_result parse_template(std::string_view text, int column, bool escapes);
/// Every name the template reads.
[[nodiscard]] std::vector<std::string> template_names(const text_template& t);
/// The octets, with each expression replaced by its value; nullopt with `error` set if one fails.
[[nodiscard]] std::optional<std::string> render_template(const text_template& t, const value_lookup& lookup,
                                                         std::string& error);

/// The options after `tls` ("max-version=1.0 refused"); `column` is that of text[0].
struct tls_options_parse_result {
  tls_step value;
  std::vector<pattern_error> errors;
};
[[nodiscard]] tls_options_parse_result parse_tls_options(std::string_view text, int column);

/// Whether a "+OK" to this command line starts a multi-line response; nullopt for commands the
/// harness does not know (then an explicit block in the scenario decides).
[[nodiscard]] std::optional<bool> multiline_on_success(std::string_view command_line);

}  // namespace pop3::harness::detail
