// The step interpreter: program construction, the next()/on() loop and verdicts.
#include "interpreter.hpp"

#include <array>
#include <set>

#include "pop3/protocol/auth.hpp"
#include "pop3/harness/result_skeleton.hpp"
#include "text.hpp"

namespace pop3::harness::detail {

namespace {

// Origins of the steps build_program() inserts before a connection's first written step.
constexpr std::string_view greeting_origin = "greeting";
constexpr std::string_view preamble_login_suffix = "(state: transaction)";
/// The rule a scenario lists to say that a run of -ERR replies must not end the session: there a
/// close after them is the finding, not an inconclusive end.
constexpr std::string_view setup_failed = "setup failed, so the scenario's rules were not checked: ";
constexpr std::string_view errors_tolerated_rule = "robustness/session/errors-tolerated";

}  // namespace

std::string established(const ok_event& ok) {
  return "TLS established" + (ok.detail.empty() ? "" : " (" + ok.detail + ")");
}

std::string closed_note(const closed_event& e) {
  switch (e.kind) {
    case close_kind::tls_close_notify: return "<closed> (TLS close_notify)";
    case close_kind::tls_truncated: return "<closed> (TLS without close_notify)";
    case close_kind::tcp: break;
  }
  return "<closed>";
}

interpreter::interpreter(const scenario& s, run_context ctx)
    : s_(s), ctx_(std::move(ctx)), result_(result_skeleton(s)), transcript_(ctx_, result_.transcript) {
  gate_decision gates = decide_gates(s_, ctx_);
  if (gates.skip_reason) {
    finish(reports::verdict::skip, *gates.skip_reason);
    return;
  }
  if (auto too_long = resolve_announced_waits(s_, ctx_)) {
    finish(reports::verdict::skip, *too_long);
    return;
  }
  probing_ = std::move(gates.probing);
  unadvertised_ = std::move(gates.unadvertised);
  const auto messages = mailbox_messages(s_);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (!messages[i].ends_with('\n')) unterminated_.insert(i + 1);  // provisioned in this order
  }
  build_program(gates.login);
}

void interpreter::build_program(login_method login) {
  std::set<std::string> opened;
  const auto greeting = parse_outcomes("+OK", 1).alternatives;
  for (const step& st : s_.steps) {
    const bool global =
        std::holds_alternative<wait_step>(st.action) || std::holds_alternative<deliver_step>(st.action);
    if (!global && opened.insert(st.conn).second) {
      // A connection opens at its first step: connect, read the greeting, log in.
      program_.emplace_back(connect_op{st.conn, st.where});
      if (s_.state != start_state::greeting) {
        expect_step read;
        read.alternatives = greeting;
        read.greeting = true;
        program_.emplace_back(step{st.where, st.conn, std::string(greeting_origin), std::move(read)});
      }
      if (s_.state == start_state::transaction) {
        const std::string origin =
            "login: " + std::string(login_method_name(login)) + " " + std::string(preamble_login_suffix);
        for (step& l : login_steps(login, st.conn, st.where, origin)) program_.emplace_back(std::move(l));
      }
    }
    program_.emplace_back(st);
  }
}

action interpreter::next() {
  if (current_) return *current_;
  for (;;) {
    if (done_) return finished_action{};
    if (finishing_) {
      for (auto& [name, c] : conns_) {
        if (c.open) {
          c.open = false;
          transcript_.note(name, "close");
          current_ = close_action{name};
          return *current_;
        }
      }
      finalize();
      done_ = true;
      continue;
    }
    if (pc_ >= program_.size()) {
      if (first_mismatch_) {
        finish(reports::verdict::fail, first_mismatch_->message, first_mismatch_->expected, first_mismatch_->actual);
      } else {
        finish(reports::verdict::pass, {});
      }
      continue;
    }
    if (const auto* c = std::get_if<connect_op>(&program_[pc_])) {
      transcript_.note(c->conn, "connect");
      current_ = connect_action{c->conn};
      return *current_;
    }
    if (auto a = start(std::get<step>(program_[pc_]))) {
      current_ = std::move(*a);
      return *current_;
    }
  }
}

void interpreter::on(const event& e) {
  if (!current_) return;
  current_.reset();
  if (finishing_ || pc_ >= program_.size()) return;  // answers to close_action need nothing
  if (const auto* c = std::get_if<connect_op>(&program_[pc_])) {
    on_connect(*c, e);
    return;
  }
  const step& st = std::get<step>(program_[pc_]);
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, send_step>) {
          on_send(st, e);
        } else if constexpr (std::is_same_v<T, expect_step>) {
          if (in_block_) {
            on_block_line(st, a, e);
          } else {
            on_status(st, a, e);
          }
        } else if constexpr (std::is_same_v<T, tls_step>) {
          on_tls(st, e);
        } else {
          on_other(st, e);
        }
      },
      st.action);
}

void interpreter::on_connect(const connect_op& c, const event& e) {
  if (const auto* ok = std::get_if<ok_event>(&e)) {
    conns_[c.conn].open = true;
    conns_[c.conn].ledger.set_unterminated_messages(unterminated_);
    if (!ok->detail.empty()) transcript_.note(c.conn, established(*ok));  // implicit TLS
    ++pc_;
    return;
  }
  std::string why = "timed out";
  if (const auto* f = std::get_if<failed_event>(&e)) why = f->what;
  if (std::holds_alternative<closed_event>(e)) why = "the connection was closed";
  transcript_.note(c.conn, "connect failed: " + why);
  finish(reports::verdict::error, c.where.file + ":" + std::to_string(c.where.line) + ": could not connect" +
                                      (c.conn.empty() ? "" : " connection " + c.conn) + ": " + why);
}

bool interpreter::unexpected(const step& st, const event& e, const std::string& doing) {
  if (const auto* f = std::get_if<failed_event>(&e)) {
    transcript_.note(st.conn, doing + " failed: " + f->what);
    const std::string what = doing + " failed: " + f->what;
    // Record mode keeps what the server broke and goes on with the other connections.
    if (!f->harness_fault && remember(st, recorded_response::kind::failed, what)) {
      fail(st, doing + " to complete", what, "");
      abandon(st);
      return true;
    }
    if (!f->harness_fault && end_if_inconclusive(st)) return true;
    if (!f->harness_fault && !is_setup(st)) {
      finish(reports::verdict::fail, prefix(st) + what);
    } else {
      finish(reports::verdict::error, (f->harness_fault ? "" : std::string(setup_failed)) + prefix(st) + what);
    }
    return true;
  }
  if (const auto* closed = std::get_if<closed_event>(&e)) {
    conns_[st.conn].open = false;
    const std::string actual = closed_note(*closed);
    transcript_.note(st.conn, actual);
    remember(st, recorded_response::kind::closed);
    if (end_if_inconclusive(st)) return true;
    fail(st, doing + " to complete", actual, "");
    if (!finishing_) abandon(st);
    return true;
  }
  if (std::holds_alternative<timeout_event>(e)) {
    transcript_.note(st.conn, "<timeout>");
    remember(st, recorded_response::kind::timeout);
    fail(st, doing + " to complete", "<timeout>", "");
    if (!finishing_) abandon(st);
    return true;
  }
  return false;
}

recorded_response* interpreter::remember(const step& st, recorded_response::kind k, std::string status) {
  if (!ctx_.record_responses) return nullptr;
  recorded_response r;
  r.conn = st.conn;
  r.step = pc_;
  r.where = st.where;
  r.origin = st.origin;
  if (const auto* x = std::get_if<expect_step>(&st.action)) {
    r.command = x->command;
    r.greeting = x->greeting;
  } else if (const auto* send = std::get_if<send_step>(&st.action)) {
    r.command = send->bytes.source;  // the send the server broke, as written
  } else if (std::holds_alternative<tls_step>(st.action)) {
    r.command = "tls";
  }
  r.k = k;
  r.status = transcript_.redact(std::move(status));  // a server may echo what it was sent
  recording_.push_back(std::move(r));
  return &recording_.back();
}

void interpreter::abandon(const step& st) {
  if (ctx_.record_responses && !recording_.empty() && recording_.back().step == pc_) recording_.back().ended = true;
  in_block_ = false;
  conns_[st.conn].closed_by_server_at = st.where.line;
  ++pc_;
}

void interpreter::on_other(const step& st, const event& e) {
  if (std::holds_alternative<close_step>(st.action)) {
    conns_[st.conn].open = false;  // whatever happened, the connection is gone
    ++pc_;
    return;
  }
  if (std::holds_alternative<ok_event>(e)) {
    ++pc_;
    return;
  }
  // Waits and deliveries are the harness's business: any problem is a harness error.
  const bool deliver = std::holds_alternative<deliver_step>(st.action);
  std::string what = std::holds_alternative<timeout_event>(e) ? "timed out" : "was interrupted";
  if (const auto* f = std::get_if<failed_event>(&e)) what = f->what;
  transcript_.note(st.conn, (deliver ? "delivery failed: " : "wait failed: ") + what);
  finish(reports::verdict::error,
         prefix(st) + (deliver ? "fixture delivery failed: " : "wait failed: ") + what);
}

value_lookup interpreter::lookup(const std::string& own) const {
  return [this, own](std::string_view qualified) -> std::optional<std::string> {
    const auto q = split_qualified_name(qualified);
    const std::string& conn = q ? q->conn : own;
    const std::string_view name = q ? std::string_view(q->field) : qualified;
    for (const auto& [prefix, login] : extra_logins()) {
      if (name.substr(0, prefix.size()) != prefix) continue;
      const std::string_view field = name.substr(prefix.size());
      if (field == "user") return login->user;
      if (field == "password") return login->password;
      if (field == "sasl_plain") return plain_token(login->user, login->password);
    }
    if (name == "user") return ctx_.user;
    if (name == "password") return ctx_.password;
    if (name == "sasl_plain") return plain_token(ctx_.user, ctx_.password);
    const auto c = conns_.find(conn);
    const auto& ts = c == conns_.end() ? std::nullopt : c->second.timestamp;
    if (name == "timestamp") return ts;
    if (name == "apop_digest")
      return ts ? std::optional(protocol::apop_digest(*ts, ctx_.apop_secret)) : std::nullopt;
    const auto it = captures_.find(name);
    if (it == captures_.end()) return std::nullopt;
    return it->second;
  };
}

std::optional<std::string> interpreter::builtin_gap(const std::string& own,
                                                 const std::vector<std::string>& names) const {
  for (const auto& qualified : names) {
    const auto q = split_qualified_name(qualified);
    const std::string& conn = q ? q->conn : own;
    const std::string& n = q ? q->field : qualified;
    for (const auto& [prefix, login] : extra_logins()) {
      if (n.starts_with(prefix) && login->empty())
        return "the account has no " + std::string(prefix.substr(0, prefix.size() - 1)) +
               " login (the embedded server makes one; with --config: " + std::string(prefix) + "user and " +
               std::string(prefix) + "pass)";
    }
    if (n == "apop_digest" && ctx_.apop_secret.empty()) return "no APOP secret is configured for the run";
    if ((n == "apop_digest" || n == "timestamp") && !conns_.contains(conn)) return "no greeting read yet";
    if ((n == "apop_digest" || n == "timestamp") && !conns_.at(conn).timestamp)
      return "the greeting has no APOP timestamp (the server does not offer APOP)";
  }
  return std::nullopt;
}

std::array<std::pair<std::string_view, const extra_login*>, 2> interpreter::extra_logins() const {
  return {{{"long_", &ctx_.long_login}, {"utf8_", &ctx_.utf8_login}}};
}

void interpreter::commit(const std::vector<std::pair<std::string, std::string>>& captures) {
  for (const auto& [k, v] : captures) captures_[k] = v;
}

std::string interpreter::prefix(const step& st) {
  return st.where.file + ":" + std::to_string(st.where.line) + ": " +
         (st.origin.empty() ? "" : st.origin + ": ");
}

void interpreter::fail(const step& st, const std::string& expected, const std::string& actual,
                       const std::string& why) {
  std::string message =
      prefix(st) + "expected " + expected + ", got " + actual + (why.empty() ? "" : " (" + why + ")");
  if (!ctx_.record_responses && is_setup(st)) {
    finish(reports::verdict::error,
           std::string(setup_failed) + std::move(message), expected, actual);
    return;
  }
  if (!ctx_.record_responses) {
    finish(reports::verdict::fail, std::move(message), expected, actual);
    return;
  }
  // Record mode: the response is kept as it came; the expectation only becomes a note.
  transcript_.note(st.conn, "expectation not met: " + message);
  if (!recording_.empty() && recording_.back().mismatch.empty()) recording_.back().mismatch = message;
  if (!first_mismatch_) first_mismatch_ = mismatch{std::move(message), expected, actual};
}

bool interpreter::is_setup(const step& st) const {
  // The greeting is not one: a broken greeting (silence, -ERR, an over-long line) is the server's
  // protocol fault, and the probe has already seen a good one.
  return st.origin.ends_with(preamble_login_suffix);
}

void interpreter::fail_invariant(const step& st, const invariant_violation& v) {
  if (ctx_.record_responses) return;  // compare judges differences, not invariants
  finish(reports::verdict::fail, prefix(st) + v.rule + ": " + v.message);
  result_.failed_rule = v.rule;
  result_.lvl = reports::level::must;  // every invariant is a MUST of RFC 1939
}

bool interpreter::tell_ledger(const step& st, std::string_view status, const std::vector<std::string>* data,
                              const std::string* content) {
  const auto violation = conns_[st.conn].ledger.answered(status, data, content);
  if (!violation) return true;
  transcript_.note(st.conn, "invariant broken: " + violation->message);
  fail_invariant(st, *violation);
  return ctx_.record_responses;
}

std::string interpreter::inconclusive_close(const step& st) const {
  const auto c = conns_.find(st.conn);
  if (c == conns_.end() || ctx_.record_responses) return "";
  const session_ledger& ledger = c->second.ledger;
  if (!ledger.logged_in() && ledger.errors_in_a_row() > 0)
    return "the server closed the connection after -ERR in the AUTHORIZATION state, as RFC 1939 §4 allows";
  // A limit on bad commands counts them in a row (Dovecot) or in the whole session (Solid POP3:
  // the fifth -ERR of the session, whatever came between): a close right after a -ERR, with
  // several before it, is that limit.
  constexpr int error_run = 3;
  const bool tolerance_checked = std::any_of(s_.rules.begin(), s_.rules.end(),
                                             [](const rule_ref& r) { return r.id == errors_tolerated_rule; });
  if (tolerance_checked || ledger.errors_in_a_row() == 0) return "";
  if (ledger.errors_in_a_row() >= error_run)
    return "the server closed the connection after " + std::to_string(ledger.errors_in_a_row()) +
           " -ERR replies in a row (a limit on bad commands; " + std::string(errors_tolerated_rule) +
           " reports it)";
  if (ledger.errors() >= error_run)
    return "the server closed the connection right after a -ERR reply, with " + std::to_string(ledger.errors()) +
           " -ERR replies in the session (a limit on bad commands; " + std::string(errors_tolerated_rule) +
           " reports it)";
  return "";
}

bool interpreter::end_if_inconclusive(const step& st) {
  if (is_setup(st)) return false;
  const std::string why = inconclusive_close(st);
  if (why.empty()) return false;
  finish(reports::verdict::skip, prefix(st) + "inconclusive: " + why + "; the steps from line " +
                                     std::to_string(st.where.line) + " on could not run");
  return true;
}

void interpreter::end_inconclusive(const step& st, const std::string& reason, const std::string& what) {
  finish(reports::verdict::skip, prefix(st) + "inconclusive: the server " + what + ": " + reason);
}

void interpreter::finish(reports::verdict v, std::string message, std::string expected, std::string actual) {
  if (finishing_) return;
  finishing_ = true;
  in_block_ = false;
  result_.outcome = v;
  result_.message = std::move(message);
  result_.expected = std::move(expected);
  result_.actual = std::move(actual);
}

// A probed feature whose own command got +OK exists on the server: the scenario's failure is
// then the feature's, not a sign that it is missing (Solid POP3 answers every LAST "+OK 0").
void interpreter::confirm_probed_commands() {
  std::erase_if(probing_, [this](const std::string& tag) {
    const std::string verb = tag.starts_with("FACT:") ? tag.substr(5) : tag;
    const bool seen = std::any_of(conns_.begin(), conns_.end(), [&](const auto& c) { return c.second.ledger.accepted(verb); });
    if (seen) unadvertised_.push_back(tag);
    return seen;
  });
}

void interpreter::finalize() {
  if (ctx_.clock) result_.elapsed = std::chrono::duration<double>(ctx_.clock());
  confirm_probed_commands();
  std::string tags, all;
  for (const auto& t : probing_) tags += (tags.empty() ? "" : " ") + t;
  for (const auto& t : unadvertised_) all += (all.empty() ? "" : " ") + t;
  if (!tags.empty()) all += (all.empty() ? "" : " ") + tags;
  if (result_.outcome == reports::verdict::pass && !all.empty()) {
    result_.warnings.push_back("works but not advertised: " + all);
  } else if (result_.outcome == reports::verdict::fail && !tags.empty()) {
    result_.outcome = reports::verdict::skip;
    result_.message = tags + " not advertised, and the probe failed: " + result_.message;
  }
  // A failure of a security rule is a security finding, whatever its level; a broken session
  // invariant names a rule of its own (failed_rule), which is none.
  result_.security = result_.outcome == reports::verdict::fail && result_.failed_rule.empty() && !s_.security.empty();
}

}  // namespace pop3::harness::detail
