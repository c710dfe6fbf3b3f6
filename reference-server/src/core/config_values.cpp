// Value parsers shared by the config file, the users file and pop3refd's command line.
#include <charconv>
#include <limits>

#include "config_parsing.hpp"
#include "pop3/refd/config.hpp"
#include "pop3/refd/maildir_store.hpp"

namespace pop3::refd {

namespace detail {

std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) noexcept {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value > max) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
  const std::string v = upper_ascii(text);
  if (v == "YES" || v == "TRUE" || v == "ON" || v == "1") return true;
  if (v == "NO" || v == "FALSE" || v == "OFF" || v == "0") return false;
  return std::nullopt;
}

std::string parse_user_line(std::string_view line, user_account& account) {
  // The password is the middle field, so a password cannot contain ':' (documented).
  const auto first = line.find(':');
  if (first == std::string_view::npos) return "expected name:password[:apop-secret]";
  const auto second = line.find(':', first + 1);
  account.name = std::string(line.substr(0, first));
  if (second == std::string_view::npos) {
    account.password = std::string(line.substr(first + 1));
  } else {
    account.password = std::string(line.substr(first + 1, second - first - 1));
    account.apop_secret = std::string(line.substr(second + 1));
  }
  if (!maildir_store::valid_user_name(account.name)) {
    return "invalid user name '" + account.name + "' (1-64 printable characters, no '/', not starting with '.')";
  }
  if (account.password.empty()) return "empty password for user '" + account.name + "'";
  return {};
}

}  // namespace detail

bool set_capability_switch(capability_switches& caps, std::string_view name, bool on) {
  struct entry {
    std::string_view tag;
    bool capability_switches::*flag;
  };
  static constexpr entry table[] = {
      {"TOP", &capability_switches::top},
      {"USER", &capability_switches::user},
      {"UIDL", &capability_switches::uidl},
      {"RESP-CODES", &capability_switches::resp_codes},
      {"PIPELINING", &capability_switches::pipelining},
      {"AUTH-RESP-CODE", &capability_switches::auth_resp_code},
      {"SASL", &capability_switches::sasl},
      {"STLS", &capability_switches::stls},
      {"IMPLEMENTATION", &capability_switches::implementation},
      {"EXPIRE", &capability_switches::expire},
      {"LOGIN-DELAY", &capability_switches::login_delay},
      {"APOP", &capability_switches::apop},
      {"SLEEPING", &capability_switches::sleeping},
      {"CORE", &capability_switches::core},
      {"DELI", &capability_switches::deli},
      {"UID-PARAM", &capability_switches::uid_param},
      {"XTND", &capability_switches::xtnd},
      {"LAST", &capability_switches::last},
  };
  const std::string wanted = detail::upper_ascii(name);
  for (const auto& e : table) {
    if (e.tag == wanted) {
      caps.*(e.flag) = on;
      return true;
    }
  }
  return false;
}

std::optional<int> parse_expire_days(std::string_view text) {
  if (detail::upper_ascii(text) == "NEVER") return -1;
  const auto days = detail::parse_unsigned(text, static_cast<std::uint64_t>(std::numeric_limits<int>::max()));
  if (!days) return std::nullopt;
  return static_cast<int>(*days);
}

std::optional<listen_endpoint> parse_listen_endpoint(std::string_view text, bool implicit_tls) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view address = text.substr(0, colon);
  if (address.front() == '[') {
    if (address.size() < 3 || address.back() != ']') return std::nullopt;
    address = address.substr(1, address.size() - 2);
  } else if (address.find(':') != std::string_view::npos) {
    return std::nullopt;  // a bare IPv6 address is ambiguous with the port separator
  }
  const auto port = detail::parse_unsigned(text.substr(colon + 1), 65535);
  if (!port) return std::nullopt;
  listen_endpoint endpoint;
  endpoint.address = std::string(address);
  endpoint.port = static_cast<std::uint16_t>(*port);
  endpoint.implicit_tls = implicit_tls;
  return endpoint;
}

std::chrono::seconds effective_login_delay(const server_config& config, const user_account& account) {
  return account.login_delay.value_or(config.login_delay);
}

int effective_expire_days(const server_config& config, const user_account& account) {
  return account.expire_days.value_or(config.expire_days);
}

}  // namespace pop3::refd
