// The step interpreter: starting each step and applying the runner's answer to sends and reads.
#include <algorithm>

#include "interpreter.hpp"
#include "pop3/protocol/auth.hpp"
#include "pop3/protocol/limits.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

std::vector<std::string> pattern_names(const expect_step& x) {
  std::vector<std::string> out;
  for (const outcome& o : x.alternatives) {
    for (const pattern_token& t : o.pattern.tokens) {
      if (t.k == pattern_token::kind::capture) out.push_back(t.text);
      if (t.k == pattern_token::kind::expression)
        out.insert(out.end(), t.expr->names().begin(), t.expr->names().end());
    }
  }
  return out;
}

// Answers to login commands are the ones servers delay after failed logins.
bool answers_login(const step& st, const expect_step& x) {
  if (st.origin.starts_with("login:")) return true;
  const std::string verb = to_upper(x.command.substr(0, x.command.find(' ')));
  return verb == "PASS" || verb == "APOP" || verb == "AUTH";
}

std::string describe(const protocol::framed_line& l) { return printable(l.text, 200); }

std::string framing_problem(const protocol::framed_line& l) {
  if (l.too_long) return "too long";
  if (l.end == protocol::framed_line::ending::bare_lf) return "bare LF";
  if (l.end == protocol::framed_line::ending::none) return "no line end";
  return "";
}

}  // namespace

std::optional<action> interpreter::start(const step& st) {
  const bool global =
      std::holds_alternative<wait_step>(st.action) || std::holds_alternative<deliver_step>(st.action);
  if (!global) {
    const connection& c = conns_[st.conn];
    if (c.closed_by_server_at != 0) {
      // An allowed <closed> (or, in record mode, any end) ended this connection's script; its
      // later steps do not apply.
      transcript_.note(st.conn, "line " + std::to_string(st.where.line) + " skipped: the connection ended at line " +
                                    std::to_string(c.closed_by_server_at));
      ++pc_;
      return std::nullopt;
    }
  }
  if (const auto* send = std::get_if<send_step>(&st.action)) {
    if (const auto gap = builtin_gap(st.conn, template_names(send->bytes))) {
      finish(reports::verdict::skip, *gap);
      return std::nullopt;
    }
    std::string error;
    const auto bytes = render_template(send->bytes, lookup(st.conn), error);
    if (!bytes) {
      // Every name is bound by then (the parser checks), so the server's values are at fault.
      const std::string why = "cannot build the command: " + error;
      if (remember(st, recorded_response::kind::failed, why)) {
        // Record mode: an earlier answer did not bind the value; this connection stops here.
        fail(st, "a command to send", why, "");
        abandon(st);
        return std::nullopt;
      }
      finish(reports::verdict::fail, prefix(st) + why);
      return std::nullopt;
    }
    transcript_.client(st.conn, *bytes, send->raw);
    // Every LF-terminated line is one command, answered in order (what S: lines rely on too).
    for (std::size_t at = 0, lf; (lf = bytes->find('\n', at)) != std::string::npos; at = lf + 1)
      conns_[st.conn].ledger.command_sent(std::string_view(*bytes).substr(at, lf - at));
    if (send->chunk_size != 0)
      transcript_.note(st.conn, "sent in writes of " + std::to_string(send->chunk_size) + " octets");
    return send_action{st.conn, *bytes, send->chunk_size};
  }
  if (const auto* x = std::get_if<expect_step>(&st.action)) {
    if (in_block_) return read_line_action{st.conn, max_data_line_octets, {}};
    if (const auto gap = builtin_gap(st.conn, pattern_names(*x))) {
      finish(reports::verdict::skip, *gap);
      return std::nullopt;
    }
    std::chrono::milliseconds timeout{0};
    for (const outcome& o : x->alternatives) timeout = std::max(timeout, o.silence);
    const bool login_answer = timeout.count() == 0 && answers_login(st, *x);
    if (login_answer) timeout = ctx_.auth_timeout;
    return read_line_action{st.conn, protocol::max_response_line_octets, timeout, login_answer};
  }
  if (const auto* t = std::get_if<tls_step>(&st.action)) {
    std::string options = t->offer.to_string();
    for (const auto& [set, word] : {std::pair{t->refused, "refused"}, std::pair{t->or_refused, "or-refused"}}) {
      if (set) options += (options.empty() ? "" : " ") + std::string(word);
    }
    transcript_.note(st.conn, "TLS handshake" + (options.empty() ? "" : " (" + options + ")"));
    return start_tls_action{st.conn, t->offer, t->refused};
  }
  if (std::holds_alternative<close_step>(st.action)) {
    transcript_.note(st.conn, "close (drop without QUIT)");
    return close_action{st.conn};
  }
  if (const auto* w = std::get_if<wait_step>(&st.action)) {
    transcript_.note(st.conn, "wait " + format_duration(w->duration));
    return wait_action{w->duration};
  }
  const auto& d = std::get<deliver_step>(st.action);
  transcript_.note(st.conn, "deliver " + d.path + " (" + std::to_string(d.message.size()) + " octets)");
  return deliver_action{d.message};
}

void interpreter::on_send(const step& st, const event& e) {
  if (std::holds_alternative<ok_event>(e)) {
    ++pc_;
    return;
  }
  unexpected(st, e, "sending");
}

void interpreter::on_status(const step& st, const expect_step& x, const event& e) {
  const auto values = lookup(st.conn);
  const std::string expected = render_outcomes(x.alternatives, values);
  auto has = [&](outcome::kind k) {
    return std::any_of(x.alternatives.begin(), x.alternatives.end(),
                       [k](const outcome& o) { return o.k == k; });
  };
  if (const auto* closed = std::get_if<closed_event>(&e)) {
    const std::string actual = closed_note(*closed);
    transcript_.note(st.conn, actual);
    conns_[st.conn].open = false;
    remember(st, recorded_response::kind::closed);
    // <closed> takes every close; <close-notify> only one that a TLS close_notify announced.
    const auto taken = std::find_if(x.alternatives.begin(), x.alternatives.end(), [&](const outcome& o) {
      return o.k == outcome::kind::closed ||
             (o.k == outcome::kind::close_notify && closed->kind == close_kind::tls_close_notify);
    });
    if (taken == x.alternatives.end()) {
      if (!end_if_inconclusive(st)) fail(st, expected, actual, "");
    } else if (!taken->inconclusive.empty()) {
      end_inconclusive(st, taken->inconclusive, "closed the connection");
    }
    if (finishing_) return;
    abandon(st);
    return;
  }
  if (std::holds_alternative<timeout_event>(e)) {
    remember(st, recorded_response::kind::timeout);
    if (has(outcome::kind::silence)) {
      if (!x.greeting) tell_ledger(st, "");
      transcript_.note(st.conn, "<silence>");
      ++pc_;
      return;
    }
    transcript_.note(st.conn, "<timeout>");
    fail(st, expected, "<timeout: no response>", "");
    if (finishing_) return;
    // Record mode: a late answer would be taken for the next command's, so nothing later on this
    // connection can be trusted.
    abandon(st);
    return;
  }
  const auto* le = std::get_if<line_event>(&e);
  if (!le) {
    unexpected(st, e, "reading");
    return;
  }
  const protocol::framed_line& line = le->line;
  transcript_.server(st.conn, line);
  if (auto* r = remember(st, recorded_response::kind::line, line.text)) r->framing = framing_problem(line);
  if (line.too_long) {
    fail(st, expected, describe(line) + "...",
         "a response line longer than " + std::to_string(protocol::max_response_line_octets) + " octets");
  } else if (line.end == protocol::framed_line::ending::bare_lf) {
    fail(st, expected, describe(line), "the line ends in a bare LF, not CRLF");
  } else if (line.end == protocol::framed_line::ending::none) {
    fail(st, expected, describe(line), "the connection ended inside the line");
  }
  if (finishing_) return;
  std::string why;
  bool matched = false;
  for (const outcome& o : x.alternatives) {
    if (o.k != outcome::kind::line) continue;
    auto m = match_line(o.pattern, line.text, line_role::status, values);
    if (!m.matched) {
      if (why.empty()) why = m.why;
      continue;
    }
    commit(m.captures);
    matched = true;
    if (!o.inconclusive.empty()) return end_inconclusive(st, o.inconclusive, "answered " + describe(line));
    break;
  }
  if (!matched) {
    if (has(outcome::kind::silence)) why = "expected silence, but a line arrived";
    fail(st, expected, describe(line), x.alternatives.size() == 1 ? why : "");
    if (finishing_) return;
  }
  if (x.greeting) conns_[st.conn].timestamp = protocol::find_apop_timestamp(line.text);
  const bool positive = line.text == "+OK" || line.text.starts_with("+OK ");
  if (x.multiline && positive) {
    if (ctx_.record_responses) recording_.back().multiline = true;
    block_status_ = line.text;  // the ledger hears of it with its data
    in_block_ = true;
    decoder_.reset();
    wire_lines_.clear();
    return;
  }
  if (!x.greeting && !tell_ledger(st, line.text)) return;
  ++pc_;
}

void interpreter::on_block_line(const step& st, const expect_step& x, const event& e) {
  // Record mode: the recorded response (the last one) receives the data as it comes.
  recorded_response* rec = ctx_.record_responses && !recording_.empty() ? &recording_.back() : nullptr;
  const auto* le = std::get_if<line_event>(&e);
  if (!le) {
    const auto* closed = std::get_if<closed_event>(&e);
    if (closed) conns_[st.conn].open = false;
    transcript_.note(st.conn, closed ? closed_note(*closed) : "<timeout>");
    if (rec) rec->complete = false;
    if (!std::holds_alternative<failed_event>(e)) {
      fail(st, "the rest of the multi-line response (ending in \".\")", closed ? "<closed>" : "<timeout>",
           "after " + std::to_string(wire_lines_.size()) + " data lines");
      if (finishing_) return;
      abandon(st);  // the rest of the block may still arrive: nothing later on it is meaningful
      return;
    }
    unexpected(st, e, "reading");
    return;
  }
  const protocol::framed_line& line = le->line;
  const bool crlf = line.end == protocol::framed_line::ending::crlf && !line.too_long;
  if (!crlf || line.text == "." || wire_lines_.size() < transcript_block_lines)
    transcript_.server(st.conn, line);
  if (line.too_long) {
    finish(reports::verdict::error, prefix(st) + "a data line is longer than the harness reads (" +
                                        std::to_string(max_data_line_octets - 2) + " octets)");
    return;
  }
  if (!crlf) {
    if (rec && rec->framing.empty()) rec->framing = framing_problem(line);
    fail(st, "data lines ending in CRLF", describe(line),
         line.end == protocol::framed_line::ending::bare_lf ? "a bare LF ends the line"
                                                            : "the connection ended inside the line");
    if (finishing_) return;
  }
  if (decoder_.feed(line.text) == protocol::multiline_decoder::status::more) {
    wire_lines_.push_back(line.text);
    if (rec) rec->data.push_back(transcript_.redact(line.text));
    return;
  }
  in_block_ = false;
  if (wire_lines_.size() > transcript_block_lines) {
    transcript_.note(st.conn, "(" + std::to_string(wire_lines_.size() - transcript_block_lines) +
                                  " more data lines not shown; " + std::to_string(decoder_.octets()) +
                                  " octets in all)");
  }
  std::string content = decoder_.content();
  const auto ledger_violation = conns_[st.conn].ledger.answered(block_status_, &wire_lines_, &content);
  if (x.block) {
    const block_data data{std::move(wire_lines_), std::move(content)};
    const auto r = check_block(*x.block, data, lookup(st.conn));
    if (!r.ok) {
      step at = st;
      at.where = r.where;
      fail(at, r.expected, r.actual.empty() ? "nothing" : r.actual, r.why);
      if (finishing_) return;
    } else {
      commit(r.captures);
    }
  }
  if (ledger_violation) {
    transcript_.note(st.conn, "invariant broken: " + ledger_violation->message);
    fail_invariant(st, *ledger_violation);
    if (finishing_) return;
  }
  ++pc_;
}

}  // namespace pop3::harness::detail
