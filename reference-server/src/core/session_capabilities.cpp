// CAPA (RFC 2449 §5-6, RFC 2595 §4, RFC 3206 §6, RFC 5034 §3, billpg's SLEEPING/CORE/DELI/UID-PARAM).
#include <algorithm>
#include <functional>

#include "pop3/protocol/capabilities.hpp"
#include "session_impl.hpp"

namespace pop3::refd {

namespace {

// RFC 2449 §6.5 / §6.7: before login the value must hold for any user, so the caller picks the
// strictest one over all users; " USER" says that it may differ per user.
template <typename Value, typename Stricter>
std::vector<std::string> any_user_param(const server_config& config, Value (*effective)(const server_config&, const user_account&),
                                        Stricter stricter, std::string (*format)(Value)) {
  if (config.users.empty()) return {format(effective(config, user_account{}))};
  std::optional<Value> chosen;
  bool varies = false;
  for (const auto& [name, account] : config.users) {
    const Value v = effective(config, account);
    if (chosen && v != *chosen) varies = true;
    if (!chosen || stricter(v, *chosen)) chosen = v;
  }
  std::vector<std::string> params{format(*chosen)};
  if (varies) params.emplace_back("USER");
  return params;
}

std::string format_expire(int days) { return days < 0 ? std::string("NEVER") : std::to_string(days); }
std::string format_delay(std::chrono::seconds delay) { return std::to_string(delay.count()); }

// EXPIRE: the smallest value wins, NEVER (-1) counting as infinite.
bool expires_sooner(int a, int b) { return b < 0 ? a >= 0 : (a >= 0 && a < b); }

}  // namespace

session_output session::impl::cmd_capa(const protocol::command&) {
  const auto& c = config_.caps;
  const bool before_login = state_ == session_state::authorization;
  protocol::capability_set set;
  const auto add = [&set](std::string tag, std::vector<std::string> params = {}) {
    set.add(protocol::capability{std::move(tag), std::move(params)});
  };
  if (c.top) add("TOP");
  // USER and SASL PLAIN vanish together while plaintext passwords are refused (DIGEST A17).
  if (c.user && plaintext_auth_allowed()) add("USER");
  if (c.sasl) {
    // RFC 5034 §3: still listed after login, though AUTH is then refused.
    if (auto mechs = sasl_mechanisms_offered(); !mechs.empty()) add("SASL", std::move(mechs));
  }
  if (c.resp_codes) add("RESP-CODES");
  if (auth_resp_code_announced()) add("AUTH-RESP-CODE");
  if (c.pipelining) add("PIPELINING");
  if (c.uidl) add("UIDL");
  if (c.expire) {
    add("EXPIRE", before_login ? any_user_param<int>(config_, &effective_expire_days, &expires_sooner, &format_expire)
                               : std::vector{format_expire(effective_expire_days(config_, *account_))});
  }
  if (c.login_delay) {
    add("LOGIN-DELAY",
        before_login ? any_user_param<std::chrono::seconds>(config_, &effective_login_delay, std::greater<>{}, &format_delay)
                     : std::vector{format_delay(effective_login_delay(config_, *account_))});
  }
  if (c.implementation) add("IMPLEMENTATION", {config_.implementation});
  // billpg's extensions, each "Announced states: both" (docs/extensions.md). XTND and LAST have
  // no CAPA tag: they predate CAPA, and RFC 2449 §9 keeps unregistered "X" tags to "X-".
  if (c.sleeping) add("SLEEPING");
  if (c.core) add("CORE");
  if (c.deli) add("DELI");
  if (c.uid_param) add("UID-PARAM");
  // RFC 2595 §4: STLS means "permitted now", so only before login and before TLS (DIGEST A16, A41).
  if (before_login && stls_possible()) add("STLS");
  return multiline("capability list follows", set.format());
}

}  // namespace pop3::refd
