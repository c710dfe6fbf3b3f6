// fault_pipe: framing, answer tracking and ordering around one fault.
#include "fault_pipe.hpp"

#include <utility>

#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

// A line the client keeps sending without LF is passed on once it is this long: long-line tests
// must reach the upstream even through a fault that holds lines.
constexpr std::size_t max_held_line = 8192;
// Of a line already passed on, only this much is kept to classify it (a 100 MB line costs nothing).
constexpr std::size_t max_kept_line = 65536;

std::string strip_line_end(std::string_view raw) {
  if (raw.ends_with("\r\n")) raw.remove_suffix(2);
  else if (raw.ends_with('\n')) raw.remove_suffix(1);
  return std::string(raw);
}

// Which answers continue after "+OK" with data lines (RFC 1939 §5/§7, RFC 2449 §5, RFC 5034's
// mechanism list, LANG, XTND): the same table the harness uses to stay in step.
bool multiline_on_ok(const client_line& sent) {
  if (sent.sasl_response) return false;
  const auto& k = sent.keyword;
  if (k == "CAPA" || k == "RETR" || k == "TOP") return true;
  return (k == "LIST" || k == "UIDL" || k == "LANG" || k == "XTND" || k == "AUTH") && !sent.has_args();
}

// "+ ..." is a challenge only inside an AUTH exchange (elsewhere it is a broken status line).
bool may_be_challenged(const client_line& sent) {
  return sent.sasl_response || (sent.keyword == "AUTH" && sent.has_args());
}

}  // namespace

void fault::on_client_line(const client_line& line, fault_actions& out) {
  if (holds_client_lines()) out.forward(line.raw);
}

void fault::on_server_line(const server_line& line, fault_actions& out) {
  if (!line.injected) out.to_client_raw(line.raw);
}

void fault::on_client_closed(pop3_state, fault_actions& out) { out.close_server(); }

void fault::on_server_closed(fault_actions& out) { out.close_client(); }

void fault::on_tick(std::chrono::steady_clock::time_point, fault_actions&) {}

fault_pipe::fault_pipe(std::unique_ptr<fault> f, credentials account)
    : fault_(std::move(f)), account_(std::move(account)) {
  slots_.push_back(slot{{}, 1, false});  // the greeting
}

fault_pipe::~fault_pipe() = default;

std::string fault_pipe::take_for_client() { return std::exchange(for_client_, {}); }
std::string fault_pipe::take_for_server() { return std::exchange(for_server_, {}); }

void fault_pipe::client_bytes(std::string_view bytes) {
  const bool holds = fault_->holds_client_lines();
  while (!bytes.empty()) {
    if (tunnel_) {
      for_server_.append(bytes);
      return;
    }
    const auto lf = bytes.find('\n');
    const auto piece = bytes.substr(0, lf == std::string_view::npos ? bytes.size() : lf + 1);
    bytes.remove_prefix(piece.size());
    const bool passed_on = !holds || partial_sent_;
    if (passed_on) for_server_.append(piece);
    if (!passed_on || client_partial_.size() < max_kept_line) client_partial_.append(piece);
    if (lf == std::string_view::npos) {
      if (holds && !partial_sent_ && client_partial_.size() > max_held_line) {
        for_server_.append(client_partial_);
        partial_sent_ = true;
      }
      return;
    }
    const bool sent = !holds || partial_sent_;
    partial_sent_ = false;
    handle_client_line(std::exchange(client_partial_, {}), sent);
  }
}

bool fault_pipe::continues_sasl() const {
  // A SASL response follows a challenge; while the previous answer is still unknown, only an
  // AUTH without initial response is sure to be challenged.
  if (!previous_ || !(previous_->keyword == "AUTH" || previous_->sasl_response) || previous_->text == "*") return false;
  const bool no_initial = previous_->keyword == "AUTH" && previous_->args.size() == 1;
  return previous_challenged_ || (!previous_final_ && no_initial);
}

std::shared_ptr<client_line> fault_pipe::parse_line(std::string raw, bool sasl_response) const {
  auto line = std::make_shared<client_line>();
  line->text = strip_line_end(raw);
  line->raw = std::move(raw);
  line->state = state_;
  line->pipelined = unanswered_ > 0;
  line->sasl_response = sasl_response;
  if (sasl_response) return line;
  std::string_view rest = line->text;
  bool first = true;
  while (!rest.empty()) {
    const auto sp = rest.find(' ');
    const auto word = rest.substr(0, sp);
    if (!word.empty()) {
      if (first) line->keyword = to_upper(word);
      else line->args.emplace_back(word);
      first = false;
    }
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  return line;
}

void fault_pipe::handle_client_line(std::string raw, bool already_sent) {
  auto line = parse_line(std::move(raw), continues_sasl());
  line->number = ++lines_seen_;
  previous_ = line;
  previous_challenged_ = previous_final_ = false;
  const std::uint64_t id = first_slot_ + slots_.size();
  slots_.push_back(slot{});
  ++unanswered_;
  context_slot_ = id;
  context_line_ = line;
  if (already_sent) {
    slots_.back().outstanding++;
    upstream_.push_back(upstream_entry{line, line, id, false});
  }
  fault_->on_client_line(*line, *this);
  context_slot_.reset();
  context_line_.reset();
  slots_[id - first_slot_].open = false;  // still queued: an open slot is never settled
  settle();
}

void fault_pipe::server_bytes(std::string_view bytes) {
  while (!bytes.empty()) {
    if (tunnel_) {
      for_client_.append(bytes);
      return;
    }
    const auto lf = bytes.find('\n');
    const auto piece = bytes.substr(0, lf == std::string_view::npos ? bytes.size() : lf + 1);
    bytes.remove_prefix(piece.size());
    server_partial_.append(piece);
    if (lf == std::string_view::npos) return;
    handle_server_line(std::exchange(server_partial_, {}));
  }
}

void fault_pipe::handle_server_line(std::string raw) {
  server_line line;
  line.text = strip_line_end(raw);
  line.raw = std::move(raw);
  line.state = state_;
  if (!greeted_) {
    greeted_ = true;
    line.k = server_line::kind::greeting;
    line.last = true;
    context_slot_ = first_slot_;  // the greeting's slot is the first one ever made
    fault_->on_server_line(line, *this);
    context_slot_.reset();
    slots_.front().outstanding = 0;
    settle();
    return;
  }
  if (upstream_.empty()) {
    line.k = server_line::kind::unsolicited;
    fault_->on_server_line(line, *this);
    return;
  }
  const upstream_entry entry = upstream_.front();
  bool complete = true;
  if (in_data_) {
    line.k = line.text == "." ? server_line::kind::end : server_line::kind::data;
    complete = line.k == server_line::kind::end;
  } else if (may_be_challenged(*entry.sent) && (line.text == "+" || line.text.starts_with("+ "))) {
    line.k = server_line::kind::challenge;
  } else {
    line.k = server_line::kind::status;
    complete = !(line.ok() && multiline_on_ok(*entry.sent));
  }
  in_data_ = !complete;
  line.last = complete;
  line.answers = entry.answers.get();
  line.injected = entry.injected;
  context_slot_ = entry.slot;
  context_line_ = entry.answers;
  fault_->on_server_line(line, *this);
  context_slot_.reset();
  context_line_.reset();
  if (complete) finish_answer(entry, line);
}

void fault_pipe::finish_answer(const upstream_entry& entry, const server_line& line) {
  upstream_.pop_front();
  if (entry.answers == previous_) {
    previous_challenged_ = line.k == server_line::kind::challenge;
    previous_final_ = !previous_challenged_;
  }
  // The state follows what the upstream did, whatever the fault told the client.
  const auto& sent = *entry.sent;
  const bool ok = line.ok();
  const bool login = sent.keyword == "PASS" || sent.keyword == "APOP" || sent.keyword == "AUTH" || sent.sasl_response;
  if (ok && login && state_ == pop3_state::authorization) state_ = pop3_state::transaction;
  if (ok && sent.keyword == "QUIT") state_ = pop3_state::update;
  if (ok && sent.keyword == "SLEE") state_ = pop3_state::sleep;
  if (ok && sent.keyword == "WAKE") state_ = pop3_state::transaction;
  if (entry.slot && *entry.slot >= first_slot_) {
    auto& s = slots_[*entry.slot - first_slot_];
    if (s.outstanding > 0) --s.outstanding;
    settle();
  }
  if (ok && sent.keyword == "STLS") start_tunnel();
}

void fault_pipe::start_tunnel() {
  tunnel_ = true;
  // Lines pipelined behind STLS are never answered in plaintext (RFC 2595 §4): nothing more is owed.
  for (auto& s : slots_) for_client_.append(s.held);
  first_slot_ += slots_.size();
  slots_.clear();
  upstream_.clear();
  unanswered_ = 0;
  for_server_.append(std::exchange(client_partial_, {}));
  for_client_.append(std::exchange(server_partial_, {}));
}

void fault_pipe::settle() {
  while (!slots_.empty() && !slots_.front().open && slots_.front().outstanding == 0) {
    if (first_slot_ != 0 && unanswered_ > 0) --unanswered_;  // slot 0 is the greeting
    slots_.pop_front();
    ++first_slot_;
    if (!slots_.empty()) for_client_.append(std::exchange(slots_.front().held, {}));
  }
}

void fault_pipe::to_client_raw(std::string_view bytes) {
  if (context_slot_ && *context_slot_ > first_slot_ && *context_slot_ - first_slot_ < slots_.size()) {
    slots_[*context_slot_ - first_slot_].held.append(bytes);
    return;
  }
  for_client_.append(bytes);
}

void fault_pipe::to_client(std::string_view line) {
  std::string out(line);
  out += "\r\n";
  to_client_raw(out);
}

void fault_pipe::send_upstream(std::string_view line, bool injected) {
  std::string out(line);
  if (!out.ends_with('\n')) out += "\r\n";
  // A forwarded line stands for the client's: a rewritten SASL response is still one.
  auto sent = parse_line(out, !injected && context_line_ && context_line_->sasl_response);
  for_server_.append(out);
  upstream_entry entry{injected || !context_line_ ? sent : context_line_, sent, std::nullopt, injected};
  if (context_slot_ && *context_slot_ >= first_slot_ && *context_slot_ - first_slot_ < slots_.size()) {
    entry.slot = context_slot_;
    slots_[*context_slot_ - first_slot_].outstanding++;
  }
  upstream_.push_back(std::move(entry));
}

void fault_pipe::forward(std::string_view line) { send_upstream(line, false); }

void fault_pipe::inject(std::string_view line) { send_upstream(line, true); }

void fault_pipe::client_closed() {
  if (tunnel_) {
    close_server_ = true;
    return;
  }
  fault_->on_client_closed(state_, *this);
}

void fault_pipe::tick(std::chrono::steady_clock::time_point now) {
  if (!tunnel_) fault_->on_tick(now, *this);
}

void fault_pipe::server_closed() {
  for_client_.append(std::exchange(server_partial_, {}));
  if (tunnel_) {
    close_client_ = true;
    return;
  }
  // Nothing more will come: what the fault produced for later answers goes out now.
  for (auto& s : slots_) for_client_.append(std::exchange(s.held, {}));
  fault_->on_server_closed(*this);
}

}  // namespace pop3::mutation
