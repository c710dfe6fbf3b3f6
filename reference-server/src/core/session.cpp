// The session's front door: line checks, the command table of each state, and dispatch.
#include "pop3/refd/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "session_impl.hpp"

namespace pop3::refd {

namespace {

// RFC 1939 §7: the timestamp is a msg-id unique to this greeting. The pid separates processes,
// the counter separates connections of one process, the clock separates restarts.
std::function<std::string()> default_timestamp_source(const std::string& host) {
  return [host] {
    static std::atomic<std::uint64_t> counter{0};
    const auto clock = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return "<" + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1) + 1) + "." +
           std::to_string(clock.count()) + "@" + host + ">";
  };
}

}  // namespace

session::impl::impl(const server_config& config, maildir_store& store, connection_info conn, session_environment env)
    : config_(config), store_(store), conn_(std::move(conn)), env_(std::move(env)) {
  if (!env_.make_timestamp) env_.make_timestamp = default_timestamp_source(config_.hostname);
  if (!env_.now) env_.now = [] { return std::chrono::steady_clock::now(); };
}

std::span<const session::impl::command_entry> session::impl::commands_for(session_state state) noexcept {
  constexpr std::size_t any = SIZE_MAX;
  // Each state has its own table; a command missing from the current state's table but present
  // in another's gets "not valid in this state" rather than "unknown command".
  static constexpr command_entry authorization[] = {
      {"USER", &impl::cmd_user, &capability_switches::user, 1, 1},
      // PASS's argument is the rest of the line (spaces included), so any token count is fine.
      {"PASS", &impl::cmd_pass, &capability_switches::user, 1, any},
      {"APOP", &impl::cmd_apop, &capability_switches::apop, 2, 2},
      {"AUTH", &impl::cmd_auth, &capability_switches::sasl, 0, 2},
      {"STLS", &impl::cmd_stls, &capability_switches::stls, 0, 0},
      {"CAPA", &impl::cmd_capa, nullptr, 0, 0},
      {"QUIT", &impl::cmd_quit_authorization, nullptr, 0, 0},
      // draft-rauschenbach-pop3-framework-00 §4.1: the argument-less XTND is valid before login too.
      {"XTND", &impl::cmd_xtnd, &capability_switches::xtnd, 0, any},
  };
  static constexpr command_entry transaction[] = {
      {"STAT", &impl::cmd_stat, nullptr, 0, 0},
      {"LIST", &impl::cmd_list, nullptr, 0, 1},
      {"RETR", &impl::cmd_retr, nullptr, 1, 1},
      {"DELE", &impl::cmd_dele, nullptr, 1, 1},
      {"NOOP", &impl::cmd_noop, nullptr, 0, 0},
      {"RSET", &impl::cmd_rset, nullptr, 0, 0},
      {"TOP", &impl::cmd_top, &capability_switches::top, 2, 2},
      {"UIDL", &impl::cmd_uidl, &capability_switches::uidl, 0, 1},
      {"CAPA", &impl::cmd_capa, nullptr, 0, 0},
      {"QUIT", &impl::cmd_quit_transaction, nullptr, 0, 0},
      {"SLEE", &impl::cmd_slee, &capability_switches::sleeping, 0, 0},
      {"CORE", &impl::cmd_core, &capability_switches::core, 0, 0},
      {"DELI", &impl::cmd_deli, &capability_switches::deli, 1, 1},
      {"LAST", &impl::cmd_last, &capability_switches::last, 0, 0},
      {"XTND", &impl::cmd_xtnd, &capability_switches::xtnd, 0, any},
  };
  // The SLEEPING draft §3: NOOP, QUIT and WAKE only; everything else, CAPA too (§4), gets -ERR. QUIT closes
  // as before login does: SLEE committed everything already (§8).
  static constexpr command_entry sleep[] = {
      {"WAKE", &impl::cmd_wake, &capability_switches::sleeping, 0, 0},
      {"NOOP", &impl::cmd_noop, nullptr, 0, 0},
      {"QUIT", &impl::cmd_quit_authorization, nullptr, 0, 0},
  };
  switch (state) {
    case session_state::authorization:
      return authorization;
    case session_state::transaction:
      return transaction;
    case session_state::sleep:
      return sleep;
    case session_state::update:
    case session_state::closed:
      break;
  }
  return {};
}

const session::impl::command_entry* session::impl::find_command(session_state state, std::string_view keyword) const {
  for (const auto& entry : commands_for(state)) {
    if (entry.keyword == keyword && enabled(entry)) return &entry;
  }
  return nullptr;
}

bool session::impl::enabled(const command_entry& entry) const noexcept {
  // A command switched off in the configuration does not exist.
  return entry.enabled == nullptr || config_.caps.*(entry.enabled);
}

session_output session::impl::dispatch(const protocol::command& cmd) {
  if (const auto* entry = find_command(state_, cmd.keyword)) {
    if (cmd.args.size() < entry->min_args || cmd.args.size() > entry->max_args) {
      return err("wrong number of arguments for " + cmd.keyword);
    }
    return (this->*(entry->run))(cmd);
  }
  for (const auto other : {session_state::authorization, session_state::transaction, session_state::sleep}) {
    if (find_command(other, cmd.keyword) != nullptr) return err(cmd.keyword + " is not valid in this state");
  }
  return err("unknown command");
}

session_output session::impl::greet() {
  // Without APOP the greeting carries no "<" at all (RFC 2449 §6: clients detect APOP by it).
  if (timestamp_.empty() && config_.caps.apop) timestamp_ = env_.make_timestamp();
  return ok(timestamp_.empty() ? std::string("POP3 server ready") : "POP3 server ready " + timestamp_);
}

session_output session::impl::on_line(const protocol::framed_line& line) {
  if (state_ == session_state::update || state_ == session_state::closed) return closing({});
  // The driver discards input between STLS's +OK and the handshake; a line here is a driver bug.
  if (tls_starting_) return err("TLS negotiation in progress");
  if (sasl_) return on_sasl_response(line);
  // RFC 1939 §7: PASS only *immediately* after a successful USER, so any other line ends the
  // USER/PASS sequence, refused and unparseable ones included. CAPA is the one exception: RFC 2449
  // §5 puts no restriction on it (DIGEST A33).
  const auto keyword = detail::upper_ascii(line.text.substr(0, std::min<std::size_t>(line.text.find(' '), 5)));
  if (line.too_long || (keyword != "PASS" && keyword != "CAPA")) pending_user_.reset();
  if (line.too_long) return err("line too long");
  if (line.end != protocol::framed_line::ending::crlf && config_.strict_syntax) return err("line must end with CRLF");
  const auto parsed = protocol::parse_command(line.text, config_.strict_syntax);
  if (!parsed.value) return err(parsed.describe());
  return dispatch(*parsed.value);
}

std::size_t session::impl::max_line_octets() const noexcept {
  // RFC 5034 §4: SASL responses after the initial one have no length limit of their own.
  return sasl_ ? std::max(config_.max_sasl_response_octets, config_.max_command_octets) : config_.max_command_octets;
}

void session::impl::on_tls_established() {
  // RFC 2595 §4 / DIGEST A18: nothing learnt before TLS survives it.
  tls_starting_ = false;
  conn_.tls_active = true;
  pending_user_.reset();
  sasl_.reset();
}

void session::impl::on_disconnect() {
  // RFC 1939 §6: no UPDATE without QUIT. Releasing the lock is all there is to do.
  lock_.reset();
  sasl_.reset();
  pending_user_.reset();
  state_ = session_state::closed;
}

session::session(const server_config& config, maildir_store& store, connection_info conn, session_environment env)
    : impl_(std::make_unique<impl>(config, store, std::move(conn), std::move(env))) {}

session::~session() = default;

session_output session::greet() { return impl_->greet(); }
session_output session::on_line(const protocol::framed_line& line) { return impl_->on_line(line); }
void session::on_tls_established() { impl_->on_tls_established(); }
void session::on_disconnect() { impl_->on_disconnect(); }
session_state session::state() const noexcept { return impl_->state_; }
std::size_t session::max_line_octets() const noexcept { return impl_->max_line_octets(); }

std::chrono::seconds session::idle_timeout() const noexcept {
  // RFC 1939 §3: one autologout timer of at least 10 minutes in every state; DIGEST A28: the
  // SLEEP state uses the same one unless configured longer (a pooled connection idles there).
  const auto& config = impl_->config_;
  if (impl_->state_ == session_state::sleep && config.sleep_autologout) return *config.sleep_autologout;
  return config.autologout;
}

}  // namespace pop3::refd
