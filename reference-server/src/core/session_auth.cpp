// AUTHORIZATION state: USER/PASS and APOP (RFC 1939 §7), STLS (RFC 2595 §4), QUIT before login,
// and login(), which every authentication command ends in.
#include "pop3/protocol/auth.hpp"
#include "session_impl.hpp"

namespace pop3::refd {

namespace detail {

bool secrets_equal(std::string_view a, std::string_view b) noexcept {
  // Walks the expected length whatever the input, and folds every difference into one value.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    diff = static_cast<unsigned char>(diff | (x ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

}  // namespace detail

const user_account* session::impl::find_account(const std::string& user) const {
  const auto it = config_.users.find(user);
  return (it == config_.users.end() || !it->second.enabled) ? nullptr : &it->second;
}

const user_account* session::impl::find_password_account(const std::string& user) const {
  const auto* account = find_account(user);
  const bool apop_only = account != nullptr && config_.apop_only && !account->apop_secret.empty();
  return apop_only ? nullptr : account;
}

bool session::impl::plaintext_auth_allowed() const noexcept {
  return !config_.require_tls_for_plaintext_auth || conn_.tls_active;
}

bool session::impl::stls_possible() const noexcept {
  return config_.caps.stls && conn_.tls_available && !conn_.tls_active && !conn_.implicit_tls;
}

session_output session::impl::cmd_user(const protocol::command& cmd) {
  // A USER always restarts the USER/PASS sequence (DIGEST A33), so a failed one leaves none pending.
  pending_user_.reset();
  if (!plaintext_auth_allowed()) {
    // No [AUTH]: that would tell an AUTH-RESP-CODE client the credentials were wrong (DIGEST A17).
    return err("plaintext authentication requires TLS; use STLS first");
  }
  // +OK for every name: a -ERR for unknown names would reveal which mailboxes exist (RFC 1939 §13).
  pending_user_ = cmd.args[0];
  return ok("send PASS");
}

session_output session::impl::cmd_pass(const protocol::command& cmd) {
  if (!pending_user_) return err("PASS must immediately follow a successful USER");
  const std::string user = *pending_user_;
  pending_user_.reset();
  // RFC 1939 §7 / DIGEST A22: the password is the whole rest of the line, spaces included.
  const auto* account = find_password_account(user);
  return login(user, account != nullptr && detail::secrets_equal(cmd.argument_text, account->password));
}

session_output session::impl::cmd_apop(const protocol::command& cmd) {
  pending_user_.reset();  // APOP abandons a pending USER (DIGEST A33)
  const std::string& user = cmd.args[0];
  const auto* account = find_account(user);
  bool match = false;
  if (account != nullptr && !timestamp_.empty()) {
    const auto& secret = account->apop_secret.empty() ? account->password : account->apop_secret;
    // DIGEST A35: upper-case hex is accepted too.
    match = detail::secrets_equal(detail::lower_ascii(cmd.args[1]), protocol::apop_digest(timestamp_, secret));
  }
  return login(user, match);
}

session_output session::impl::cmd_stls(const protocol::command&) {
  if (conn_.tls_active) return err("TLS is already active");
  if (!stls_possible()) return err("TLS is not available");
  tls_starting_ = true;
  pending_user_.reset();
  auto out = ok("begin TLS negotiation");
  out.then = session_output::next::start_tls;
  return out;
}

session_output session::impl::cmd_quit_authorization(const protocol::command&) {
  // RFC 1939 §6: QUIT before login ends the session without an UPDATE.
  state_ = session_state::closed;
  return closing(ok("POP3 server signing off"));
}

session_output session::impl::login(const std::string& user, bool credentials_ok) {
  pending_user_.reset();
  sasl_.reset();
  if (!credentials_ok) {
    ++auth_failures_;
    if (config_.max_auth_failures > 0 && auth_failures_ >= config_.max_auth_failures) {
      state_ = session_state::closed;
      return closing(err("authentication failed; too many failures, closing", detail::resp_code::auth));
    }
    return err("authentication failed", detail::resp_code::auth);
  }
  // Credentials first, then the policy and the lock (DIGEST A25, A40): neither LOGIN-DELAY nor
  // IN-USE is ever revealed to someone who does not know the password.
  const auto* account = find_account(user);
  const auto now = env_.now();
  if (auto refusal = login_delay_refusal(user, *account, now)) return *refusal;
  if (auto failure = open_maildrop(user)) return *failure;
  store_.record_login(user, now);
  account_ = account;
  return ok(maildrop_summary());
}

std::optional<session_output> session::impl::login_delay_refusal(const std::string& user, const user_account& account,
                                                                 std::chrono::steady_clock::time_point now) const {
  if (!config_.caps.login_delay) return std::nullopt;
  const auto delay = effective_login_delay(config_, account);
  const auto last = store_.last_login(user);
  if (delay.count() <= 0 || !last || now - *last >= delay) return std::nullopt;
  return err("login delay: last login was less than " + std::to_string(delay.count()) + " seconds ago",
             detail::resp_code::login_delay);
}

std::optional<session_output> session::impl::open_maildrop(const std::string& user) {
  store_errc e = store_errc::ok;
  auto lock = store_.try_lock(user, e);
  if (!lock) {
    if (e == store_errc::in_use) return err("maildrop is locked by another session", detail::resp_code::in_use);
    return err("cannot open maildrop", code_for(e));
  }
  auto messages = store_.scan(user, e);
  if (e != store_errc::ok) return err("cannot read maildrop", code_for(e));  // the lock goes with `lock`
  user_ = user;
  lock_ = std::move(lock);
  start_transaction(std::move(messages));
  return std::nullopt;
}

}  // namespace pop3::refd
