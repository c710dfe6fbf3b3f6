// Phase 2b of the scenario parser: step lines into steps, with the bookkeeping lint needs
// (connections, pending commands, captures, multi-line blocks, destructive commands).
#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>

#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

bool is_block_kind(std::string_view kind) {
  return kind == "S" || kind == "lines" || kind == "each" || kind == "has" || kind == "lacks" ||
         kind == "body" || kind == "same" || kind == "octets";
}

/// Flow: run() visits the step lines in order; each handler checks the connection, records the
/// commands a send puts on the wire (so an S: knows which command it answers and whether that
/// answer is multi-line) and the captures bound so far; S: may take the block lines after it.
class step_builder {
 public:
  step_builder(scenario& s, const include_resolver& resolve, diagnostics_sink& sink)
      : s_(s), resolve_(resolve), sink_(sink) {
    for (const std::string_view name : builtin_names) defined_.emplace(name);
  }

  void run(const std::vector<logical_line>& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const logical_line& l = lines[i];
      if (!connection_ok(l)) continue;
      if (l.kind == "C")
        send_line(l);
      else if (l.kind == "raw")
        send_raw(l);
      else if (l.kind == "S")
        i = expect(lines, i);
      else if (l.kind == "tls")
        tls(l);
      else if (l.kind == "close")
        close(l);
      else if (l.kind == "wait")
        wait(l);
      else if (l.kind == "deliver")
        deliver(l);
      else
        sink_.error(l, l.where.column, "'" + l.kind + ":' outside a multi-line block",
                    "block checks go between the status line of a multi-line response (e.g. S: +OK after "
                    "C: RETR 1) and its S: . line");
    }
    if (lines.empty()) {
      sink_.error(source_location{s_.file, 1, 1}, 1, "the scenario has no steps",
                  "add steps after the header, e.g. C: NOOP then S: +OK");
    }
  }

 private:
  struct connection_track {
    bool closed = false;
    int closed_line = 0;
    bool greeting_pending = false;
    std::deque<std::string> pending;  // command lines sent and not yet answered
    std::string partial;              // raw bytes without LF yet
    bool dele_marked = false;
    bool tls = false;                 // a tls step ran on it
    int refused_line = 0;             // the line of a `tls ... refused`: nothing but close may follow
  };

  connection_track& track(const std::string& conn) {
    auto [it, inserted] = tracks_.try_emplace(conn);
    if (inserted) it->second.greeting_pending = s_.state == start_state::greeting;
    return it->second;
  }

  step& add(const logical_line& l, decltype(step::action) action) {
    s_.steps.push_back(step{l.where, l.conn, l.origin, std::move(action)});
    return s_.steps.back();
  }

  bool connection_ok(const logical_line& l) {
    if (l.kind == "wait" || l.kind == "deliver") {
      if (l.conn.empty()) return true;
      sink_.error(l, l.where.column - 3, "'" + l.kind + ":' with a connection prefix",
                  l.kind + ": applies to the whole scenario; remove the prefix");
      return false;
    }
    const auto& declared = s_.connections;
    if (!declared.empty() && l.conn.empty()) {
      sink_.error(l, l.where.column, "step without a connection prefix",
                  "this scenario declares connections; prefix each step, e.g. a: C: STAT");
      return false;
    }
    if (!l.conn.empty() && std::find(declared.begin(), declared.end(), l.conn) == declared.end()) {
      sink_.error(l, l.where.column - 3, "unknown connection '" + l.conn + "'",
                  declared.empty() ? "declare the connections in the header, e.g. connections: a b"
                                   : "add it to the header's connections: line");
      return false;
    }
    connection_track& t = track(l.conn);
    if (t.closed) {
      sink_.error(l, l.where.column, "the connection was closed at line " + std::to_string(t.closed_line),
                  "a closed connection stays closed; declare another one (connections: a b) to reconnect");
      return false;
    }
    if (t.refused_line != 0 && l.kind != "close") {
      sink_.error(l, l.where.column,
                  "the TLS handshake at line " + std::to_string(t.refused_line) + " is to be refused" + on(l.conn) +
                      ": nothing can follow it",
                  "after tls ... refused only close may follow on that connection; use another connection "
                  "(connections: a b) for more steps");
      return false;
    }
    return true;
  }

  static std::string on(const std::string& conn) { return conn.empty() ? "" : " on connection " + conn; }

  void report(const logical_line& l, const std::vector<pattern_error>& errors) {
    for (const auto& e : errors) sink_.error(l, e.column, e.message, e.hint);
  }

  void require_defined(const logical_line& l, const std::vector<std::string>& names, int column) {
    for (const auto& n : names) {
      if (const auto q = split_qualified_name(n)) {
        require_qualified(l, *q, column);
        continue;
      }
      if (!defined_.contains(n)) {
        sink_.error(l, column, "undefined capture $" + n,
                    "bind it first in an S: line (S: +OK $" + n +
                        ") or use a built-in: $user $password $sasl_plain $timestamp $apop_digest");
      }
    }
  }

  bool parse_counts(const logical_line& l, block_check& c) {
    auto parsed = harness::parse_counts(l.args, l.args_column);
    report(l, parsed.errors);
    for (const auto& count : parsed.counts) require_defined(l, count->names(), l.args_column);
    c.counts = std::move(parsed.counts);
    return parsed.errors.empty();
  }

  void require_qualified(const logical_line& l, const qualified_name& q, int column) {
    const auto& names = connection_builtin_names;
    if (std::find(names.begin(), names.end(), q.field) == names.end()) {
      sink_.error(l, column, "$" + q.conn + "." + q.field + " is not a connection built-in",
                  "a connection's own values are $" + q.conn + ".timestamp and $" + q.conn + ".apop_digest");
    } else if (std::find(s_.connections.begin(), s_.connections.end(), q.conn) == s_.connections.end()) {
      sink_.error(l, column, "unknown connection '" + q.conn + "' in $" + q.conn + "." + q.field,
                  "declare it in the header (connections: a b) and let it read its greeting first");
    }
  }

  // ---- sends -------------------------------------------------------------------------------
  void send_line(const logical_line& l) {
    auto parsed = parse_template(l.args, l.args_column, false);
    report(l, parsed.errors);
    require_defined(l, template_names(parsed.value), l.args_column);
    parsed.value.parts.push_back({"\r\n", nullptr});
    record_commands(l, parsed.value);
    add(l, send_step{std::move(parsed.value), 0, false});
  }

  void send_raw(const logical_line& l) {
    const std::string_view args = l.args;
    const std::size_t end = args.starts_with('"') ? skip_quoted(args, 0) : std::string_view::npos;
    if (end == std::string_view::npos) {
      sink_.error(l, l.args_column, "raw: needs one quoted string",
                  "write raw: \"STAT\\r\\n\" (escapes \\r \\n \\t \\0 \\xNN; nothing is appended)");
      return;
    }
    auto parsed = parse_template(args.substr(1, end - 2), l.args_column + 1, true);
    report(l, parsed.errors);
    require_defined(l, template_names(parsed.value), l.args_column);
    send_step send{std::move(parsed.value), 0, true};
    const std::string_view option = trim(args.substr(end));
    if (!option.empty()) {
      const auto n = option.starts_with("chunk=") ? parse_decimal(option.substr(6)) : std::nullopt;
      if (!n || *n < 1 || *n > 65536) {
        sink_.error(l, l.args_column + static_cast<int>(end) + 1,
                    "unknown raw: option '" + std::string(option) + "'",
                    "the only option is chunk=N (write N octets at a time, 1 to 65536), e.g. chunk=1");
      } else {
        send.chunk_size = static_cast<std::size_t>(*n);
      }
    }
    record_commands(l, send.bytes);
    add(l, std::move(send));
  }

  // The command lines a send puts on the wire; expressions without names are evaluated, others
  // stand in as "X" (they never decide a keyword).
  void record_commands(const logical_line& l, const text_template& t) {
    connection_track& tr = track(l.conn);
    for (const auto& p : t.parts) {
      if (!p.expr) {
        tr.partial += p.literal;
      } else {
        const auto v = p.expr->names().empty() ? p.expr->evaluate({}) : eval_result{};
        tr.partial += v.value ? *v.value : "X";
      }
    }
    std::size_t lf;
    while ((lf = tr.partial.find('\n')) != std::string::npos) {
      std::string command = tr.partial.substr(0, lf);
      if (command.ends_with('\r')) command.pop_back();
      tr.partial.erase(0, lf + 1);
      check_destructive(l, tr, command);
      tr.pending.push_back(std::move(command));
    }
  }

  void check_destructive(const logical_line& l, connection_track& tr, std::string_view command) {
    const std::string keyword = to_upper(command.substr(0, command.find(' ')));
    bool commits = keyword == "DELI" || keyword == "SLEE" || keyword == "CORE";
    if (keyword == "DELE") tr.dele_marked = true;
    if (keyword == "RSET") tr.dele_marked = false;
    if (keyword == "QUIT") commits = commits || tr.dele_marked;
    if (commits && !s_.destructive && !destructive_reported_) {
      destructive_reported_ = true;
      sink_.error(l, l.args_column,
                  keyword + (keyword == "QUIT" ? " after DELE" : "") + " changes the mailbox for good",
                  "mark the scenario destructive: yes (it then runs only where the account is disposable)");
    }
  }

  // ---- other steps -------------------------------------------------------------------------
  void tls(const logical_line& l) {
    // Bytes pipelined after STLS must die with the plaintext session, so nothing is pending now.
    connection_track& tr = track(l.conn);
    tr.pending.clear();
    tr.partial.clear();
    auto parsed = parse_tls_options(l.args, l.args_column);
    report(l, parsed.errors);
    tr.tls = true;
    if (parsed.value.refused) tr.refused_line = l.where.line;
    add(l, std::move(parsed.value));
  }

  // Whether every connection starts with TLS: the scenario runs only over implicit TLS.
  [[nodiscard]] bool tls_on_connect() const {
    return std::any_of(s_.required_caps.begin(), s_.required_caps.end(), [](const requirement& r) {
      return r.fact && !r.negated && iequals(r.tag, tls_on_connect_fact);
    });
  }

  void close(const logical_line& l) {
    connection_track& tr = track(l.conn);
    tr.closed = true;
    tr.closed_line = l.where.line;
    add(l, close_step{});
  }

  void wait(const logical_line& l) {
    // "TAG" or "TAG + D": the seconds a capability announces (LOGIN-DELAY), plus a fixed part.
    std::string tag;
    std::string_view fixed = l.args;
    // A tag is written in upper case, as the RFCs write them, so "wait: soon" stays a bad duration.
    if (!fixed.empty() && std::isupper(static_cast<unsigned char>(fixed.front()))) {
      const auto plus = fixed.find('+');
      tag = std::string(trim(fixed.substr(0, plus)));
      fixed = plus == std::string_view::npos ? std::string_view("0s") : trim(fixed.substr(plus + 1));
    }
    const auto d = parse_duration(fixed);
    const bool tag_ok = std::all_of(tag.begin(), tag.end(), [](char c) {
      return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
             c == '_';
    });
    if (!d || !tag_ok) {
      sink_.error(l, l.args_column, "bad duration '" + l.args + "'",
                  "write a number and a unit (500ms, 2s, 11m or 1h), or a capability and an optional "
                  "fixed part: LOGIN-DELAY + 1s");
      return;
    }
    add(l, wait_step{*d, std::move(tag)});
  }

  void deliver(const logical_line& l) {
    const auto found = resolve_ ? resolve_(l.where.file, l.args) : std::nullopt;
    if (!found) {
      sink_.error(l, l.args_column, "cannot read fixture file '" + l.args + "'",
                  "the path is looked up beside the scenario, then in its parent folders");
      return;
    }
    add(l, deliver_step{l.args, found->content});
  }

  // ---- expectations ------------------------------------------------------------------------
  enum class binding { allowed, forbidden_alternative, forbidden_check };

  void check_names(const logical_line& l, const line_pattern& p, binding policy) {
    for (const pattern_token& t : p.tokens) {
      if (t.k == pattern_token::kind::expression) {
        require_defined(l, t.expr->names(), t.column);
      } else if (t.k == pattern_token::kind::capture && !defined_.contains(t.text)) {
        if (policy == binding::allowed) {
          defined_.insert(t.text);
        } else if (policy == binding::forbidden_alternative) {
          sink_.error(l, t.column, "capture $" + t.text + " is bound inside alternatives",
                      "bind it in an S: line without '|' first; alternatives may only compare");
        } else {
          sink_.error(l, t.column, "capture $" + t.text + " is bound by a block check",
                      "each:, has: and lacks: only compare; bind $" + t.text + " in an S: line first");
        }
      }
    }
  }

  std::size_t expect(const std::vector<logical_line>& lines, std::size_t i) {
    const logical_line& l = lines[i];
    auto parsed = parse_outcomes(l.args, l.args_column);
    report(l, parsed.errors);
    expect_step e;
    e.alternatives = std::move(parsed.alternatives);
    connection_track& tr = track(l.conn);
    bool only_markers = !e.alternatives.empty();
    for (const outcome& o : e.alternatives) only_markers = only_markers && o.k != outcome::kind::line;
    std::optional<std::string> command;
    if (tr.greeting_pending) {
      e.greeting = true;
      tr.greeting_pending = false;
    } else if (!tr.pending.empty()) {
      command = tr.pending.front();
      tr.pending.pop_front();
    } else if (!only_markers && parsed.errors.empty()) {
      sink_.error(l, l.where.column, "S: without a preceding C:" + on(l.conn),
                  "each S: answers a command sent before it; to watch an idle connection use S: <closed> or "
                  "S: <silence 2s>");
    }
    e.command = command.value_or("");
    for (const outcome& o : e.alternatives) {
      if (o.k != outcome::kind::line) continue;
      if (o.pattern.tokens.empty() && !o.pattern.line_regex) {
        sink_.error(l, l.args_column, "empty S: pattern",
                    "write S: ... to accept any line, or the expected status, e.g. S: +OK");
      }
      check_names(l, o.pattern,
                  e.alternatives.size() == 1 ? binding::allowed : binding::forbidden_alternative);
    }
    const auto is_close = [](const outcome& o) {
      return o.k == outcome::kind::closed || o.k == outcome::kind::close_notify;
    };
    if (e.alternatives.size() == 1 && is_close(e.alternatives[0])) {
      tr.closed = true;
      tr.closed_line = l.where.line;
    }
    const bool wants_close_notify = std::any_of(e.alternatives.begin(), e.alternatives.end(),
                                                [](const outcome& o) { return o.k == outcome::kind::close_notify; });
    if (wants_close_notify && !tr.tls && !tls_on_connect()) {
      sink_.error(l, l.args_column, "<close-notify> on a connection without TLS" + on(l.conn),
                  "a close_notify needs TLS: put a tls step (after C: STLS and S: +OK) before it, or run the "
                  "scenario over implicit TLS only (requires: FACT:TLS-ON-CONNECT)");
    }
    const std::optional<bool> multiline =
        command ? multiline_on_success(*command) : std::optional<bool>(false);
    e.multiline = multiline.value_or(false);
    // A block is the run of S:/check lines up to the first "S: ." (only for a command whose +OK
    // may be multi-line); without a "S: ." the following S: lines answer later commands.
    std::size_t end = i + 1;
    while (end < lines.size() && lines[end].conn == l.conn && is_block_kind(lines[end].kind) &&
           !(lines[end].kind == "S" && lines[end].args == "."))
      ++end;
    const bool terminated =
        end < lines.size() && lines[end].conn == l.conn && lines[end].kind == "S" && lines[end].args == ".";
    if (!terminated || multiline == std::optional<bool>(false) || !command) {
      add(l, std::move(e));
      return i;
    }
    e.multiline = true;
    if (!may_be_positive(e.alternatives)) {
      sink_.error(l, l.args_column, "a multi-line block follows a status that cannot be +OK",
                  "the block is read only after +OK; expect +OK (or alternatives including it)");
    }
    e.block = block(lines, i + 1, end);
    add(l, std::move(e));
    return end;
  }

  static bool may_be_positive(const std::vector<outcome>& alternatives) {
    for (const outcome& o : alternatives) {
      if (o.k != outcome::kind::line) continue;
      if (o.pattern.line_regex || o.pattern.tokens.empty()) return true;
      const pattern_token& first = o.pattern.tokens.front();
      if (first.k != pattern_token::kind::literal || first.text == "+OK") return true;
    }
    return false;
  }

  response_block block(const std::vector<logical_line>& lines, std::size_t from, std::size_t end) {
    response_block b;
    b.end = source_location{lines[end].where.file, lines[end].where.line, lines[end].args_column};
    for (std::size_t j = from; j < end; ++j) {
      const logical_line& l = lines[j];
      const source_location at{l.where.file, l.where.line, l.args_column};
      if (l.kind == "S" || l.kind == "each" || l.kind == "has" || l.kind == "lacks") {
        auto parsed = parse_outcomes(l.args, l.args_column);
        report(l, parsed.errors);
        if (parsed.alternatives.size() != 1 || parsed.alternatives[0].k != outcome::kind::line) {
          if (parsed.errors.empty()) {
            sink_.error(l, l.args_column, "a data line takes one pattern",
                        "alternatives ('|'), <closed> and <silence> belong on the status line");
          }
          continue;
        }
        line_pattern p = std::move(parsed.alternatives[0].pattern);
        check_names(l, p, l.kind == "S" ? binding::allowed : binding::forbidden_check);
        if (l.kind == "S") {
          b.lines.push_back({std::move(p), at});
          continue;
        }
        block_check c;
        c.k = l.kind == "each"  ? block_check::kind::each
              : l.kind == "has" ? block_check::kind::has
                                : block_check::kind::lacks;
        c.where = at;
        c.pattern = std::move(p);
        b.checks.push_back(std::move(c));
      } else if (l.kind == "lines" || l.kind == "octets") {
        block_check c;
        c.k = l.kind == "lines" ? block_check::kind::lines : block_check::kind::octets;
        c.where = at;
        if (parse_counts(l, c)) b.checks.push_back(std::move(c));
      } else if (auto content = body_content(l, s_, resolve_, sink_)) {
        block_check c;
        c.k = l.kind == "same" ? block_check::kind::same : block_check::kind::body;
        c.where = at;
        c.label = l.args;
        c.body = std::move(*content);
        b.checks.push_back(std::move(c));
      }
    }
    return b;
  }

  scenario& s_;
  const include_resolver& resolve_;
  diagnostics_sink& sink_;
  std::map<std::string, connection_track> tracks_;
  std::set<std::string> defined_;
  bool destructive_reported_ = false;
};

}  // namespace

void build_steps(const std::vector<logical_line>& steps, scenario& s, const include_resolver& resolve,
                 diagnostics_sink& sink) {
  step_builder(s, resolve, sink).run(steps);
}

}  // namespace pop3::harness::detail
