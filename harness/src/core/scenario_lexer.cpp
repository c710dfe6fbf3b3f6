// Phase 1 of the scenario parser: physical lines into logical lines.
#include <algorithm>
#include <array>
#include <cctype>

#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

constexpr std::array header_keys{"id",    "title",   "rules", "level",       "requires",
                                 "probe", "mailbox", "state", "destructive", "connections"};
constexpr std::array step_kinds{"C",     "S",     "raw",  "tls", "close", "wait", "deliver", "include",
                                "login", "lines", "each", "has", "lacks", "body", "same", "octets"};
constexpr std::array bare_kinds{"tls", "close"};
constexpr int max_include_depth = 16;

template <std::size_t N>
bool contains(const std::array<const char*, N>& set, std::string_view word) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

const char* header_hint() {
  return "header keys are id, title, rules, level, requires, probe, mailbox, state, destructive, connections";
}
const char* step_hint() {
  return "steps are C:, S:, raw:, tls, close, wait:, deliver:, include:, login:, and inside a multi-line "
         "block "
         "lines:, each:, has:, lacks:, body:, same:, octets:";
}

std::string bare_hint(const std::string& kind) {
  return kind == "tls" ? "write `tls` on its own, or with options: tls max-version=1.2 ciphers=LIST, tls "
                         "max-version=1.0 refused"
                       : "write `" + kind + "` on its own";
}

/// Flow: lex(file) walks the physical lines; a header key before the first step of the main file
/// goes to header, a step to steps; include: recurses into lex() with the include's prefix.
class lexer {
 public:
  lexer(const include_resolver& resolve, diagnostics_sink& sink) : resolve_(resolve), sink_(sink) {}

  lexed_scenario run(std::string_view text, const std::string& file) {
    stack_.push_back(file);
    lex(text, file, "", true);
    return std::move(out_);
  }

 private:
  void lex(std::string_view text, const std::string& file, const std::string& outer_conn, bool main) {
    int number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      ++number;
      line(text.substr(start, end - start), source_location{file, number, 1}, outer_conn, main);
      start = end + 1;
    }
  }

  void line(std::string_view physical, source_location where, const std::string& outer_conn, bool main) {
    if (physical.ends_with('\r')) physical.remove_suffix(1);
    const std::string_view content = trim(strip_comment(physical));
    if (content.empty()) return;
    auto column_of = [&](std::string_view part) {
      return static_cast<int>(part.data() - physical.data()) + 1;
    };
    std::string_view rest = content;
    logical_line l;
    // A connection prefix: one lower-case letter, ':' and a blank ("a: C: STAT").
    if (rest.size() >= 3 && rest[0] >= 'a' && rest[0] <= 'z' && rest[1] == ':' && is_blank(rest[2])) {
      l.conn = std::string(1, rest[0]);
      rest = trim(rest.substr(2));
    }
    std::size_t n = 0;
    while (n < rest.size() &&
           (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_' || rest[n] == '-'))
      ++n;
    where.column = column_of(rest);
    l.where = where;
    // A bare step may carry blank-separated options after its name ("tls max-version=1.0").
    const bool bare_with_options =
        n > 0 && n < rest.size() && is_blank(rest[n]) && contains(bare_kinds, rest.substr(0, n));
    if (n == 0 || (n < rest.size() && rest[n] != ':' && !bare_with_options)) {
      sink_.error(
          where, where.column, "expected `key: value` or a step such as `C: STAT`",
          std::string("write header lines as `key: value` and steps as `C: ...` / `S: ...`; ") + step_hint());
      return;
    }
    l.kind = std::string(rest.substr(0, n));
    l.bare = n == rest.size() || bare_with_options;
    if (!l.bare && n + 1 < rest.size() && !is_blank(rest[n + 1])) {
      sink_.error(where, column_of(rest.substr(n + 1)), "expected a blank after '" + l.kind + ":'",
                  "write `" + l.kind + ": value`");
      return;
    }
    if (bare_with_options) {
      l.args = std::string(trim(rest.substr(n)));
      l.args_column = column_of(trim(rest.substr(n)));
    } else {
      l.args = l.bare ? "" : std::string(trim(rest.substr(n + 1)));
      l.args_column = l.bare ? column_of(rest) + static_cast<int>(n) : column_of(trim(rest.substr(n + 1)));
      if (!l.bare && l.args.empty()) l.args_column = column_of(rest) + static_cast<int>(n) + 1;
    }

    if (contains(header_keys, l.kind)) {
      if (main && !steps_started_ && l.conn.empty()) {
        out_.header.push_back(std::move(l));
      } else if (!main) {
        sink_.error(where, where.column, "header key '" + l.kind + "' in an included file",
                    "included files hold steps only; put header keys in the scenario");
      } else if (!l.conn.empty()) {
        sink_.error(where, where.column - 3, "header key '" + l.kind + "' with a connection prefix",
                    "header keys apply to the whole scenario; remove the prefix");
      } else {
        sink_.error(where, where.column, "header key '" + l.kind + "' after the first step",
                    "move it up: the header (id, rules, level, ...) comes before the steps");
      }
      return;
    }
    if (!contains(step_kinds, l.kind)) {
      if (main && !steps_started_) {
        sink_.error(where, where.column, "unknown header key '" + l.kind + "'", header_hint());
      } else {
        sink_.error(where, where.column, "unknown step '" + l.kind + "'", step_hint());
      }
      return;
    }
    steps_started_ = steps_started_ || main;
    const bool wants_bare = contains(bare_kinds, l.kind);
    if (wants_bare != l.bare) {
      sink_.error(where, where.column,
                  wants_bare ? "'" + l.kind + "' takes no value" : "'" + l.kind + "' needs a value",
                  wants_bare ? bare_hint(l.kind) : "write `" + l.kind + ": value`");
      return;
    }
    if (l.kind == "close" && !l.args.empty()) {
      sink_.error(where, l.args_column, "'close' takes no options", bare_hint(l.kind));
      return;
    }
    if (!outer_conn.empty()) {
      if (!l.conn.empty() && l.conn != outer_conn) {
        sink_.error(
            where, where.column - 3,
            "connection prefix '" + l.conn + ":' inside an include used with '" + outer_conn + ":'",
            "an include's steps run on the connection its include: line names; drop the inner prefix");
        return;
      }
      l.conn = outer_conn;
    }
    if (l.kind == "include") {
      include(l);
    } else if (l.kind == "login") {
      login(l);
    } else {
      out_.steps.push_back(std::move(l));
    }
  }

  void include(const logical_line& l) {
    if (stack_.size() > max_include_depth) {
      sink_.error(l, l.args_column, "includes nested more than 16 deep", "flatten the include chain");
      return;
    }
    const auto found = resolve_ ? resolve_(l.where.file, l.args) : std::nullopt;
    if (!found) {
      sink_.error(l, l.args_column, "cannot read include file '" + l.args + "'",
                  "the path is looked up beside the including file, then in its parent folders");
      return;
    }
    if (std::find(stack_.begin(), stack_.end(), found->path) != stack_.end()) {
      std::string chain;
      for (const auto& f : stack_) chain += f + " -> ";
      sink_.error(l, l.args_column, "include cycle: " + chain + found->path,
                  "remove one of the include: lines");
      return;
    }
    stack_.push_back(found->path);
    lex(found->content, found->path, l.conn, false);
    stack_.pop_back();
  }

  void login(const logical_line& l) {
    const auto method = parse_login_method(l.args);
    if (!method) {
      sink_.error(l, l.args_column, "unknown login method '" + l.args + "'",
                  "write login: user (USER/PASS), login: apop or login: plain (AUTH PLAIN)");
      return;
    }
    // The macro's lines take the place (and the connection) of the login: line.
    diagnostics_sink quiet(ignored_);
    const lexed_scenario script = lexer(resolve_, quiet).run(login_script(*method), l.where.file);
    for (logical_line m : script.steps) {
      m.where = l.where;
      m.args_column = l.args_column;
      m.conn = l.conn;
      m.origin = "login: " + l.args;
      out_.steps.push_back(std::move(m));
    }
  }

  const include_resolver& resolve_;
  diagnostics_sink& sink_;
  lexed_scenario out_;
  std::vector<std::string> stack_;
  std::vector<diagnostic> ignored_;
  bool steps_started_ = false;
};

}  // namespace

lexed_scenario lex_scenario(std::string_view text, const std::string& file, const include_resolver& resolve,
                            diagnostics_sink& sink) {
  return lexer(resolve, sink).run(text, file);
}

}  // namespace pop3::harness::detail
