#pragma once
// pop3refd configuration: everything the session, the store and the network driver need.
// Loaded from a config file (key = value lines) and overridden by command-line flags.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::refd {

struct user_account {
  std::string name;
  std::string password;              ///< for USER/PASS, SASL PLAIN and CRAM-MD5
  std::string apop_secret;           ///< for APOP; empty means "use password"
  bool enabled = true;
  std::optional<std::chrono::seconds> login_delay;   ///< per-user LOGIN-DELAY override
  std::optional<int> expire_days;                    ///< per-user EXPIRE override (-1 = NEVER)
};

/// Which capabilities are announced (and which optional commands are enabled).
struct capability_switches {
  bool top = true, user = true, uidl = true, resp_codes = true, pipelining = true;
  bool auth_resp_code = true, sasl = true, stls = true, implementation = true;
  bool expire = true, login_delay = true;
  bool apop = true;
  // Extensions from billpg's drafts and the legacy commands (issue: extensions).
  bool sleeping = false, core = false, deli = false, uid_param = false;
  bool xtnd = false, last = false;
};

struct listen_endpoint {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;            ///< 0 = ephemeral (the bound port is reported)
  bool implicit_tls = false;         ///< RFC 8314 port (995-style)
};

struct server_config {
  std::vector<listen_endpoint> listen{listen_endpoint{}};
  std::filesystem::path maildir_root;          ///< <root>/<user>/{new,cur,tmp}
  std::map<std::string, user_account> users;   ///< by name (case-sensitive)
  capability_switches caps;
  std::vector<std::string> sasl_mechanisms{"PLAIN", "CRAM-MD5"};

  std::string hostname = "localhost";           ///< used in the APOP timestamp
  std::string implementation = "pop3refd";      ///< IMPLEMENTATION text

  std::chrono::seconds autologout{600};         ///< RFC 1939 §3: at least 10 minutes
  std::optional<std::chrono::seconds> sleep_autologout;  ///< in the SLEEP state; unset = autologout
  std::chrono::seconds login_delay{0};          ///< LOGIN-DELAY value (0 = not enforced)
  bool login_delay_on_wake = false;             ///< WAKE counts as a login for LOGIN-DELAY (DIGEST A26)
  int expire_days = -1;                         ///< EXPIRE value (-1 = NEVER, 0 = delete on RETR)

  // TLS
  std::filesystem::path tls_cert, tls_key;      ///< PEM files; empty = no TLS (STLS not announced)
  bool require_tls_for_plaintext_auth = false;  ///< RFC 2595 §2.3 / RFC 5034 §4 policy switch
  bool apop_only = false;                       ///< RFC 1939 §13: an account with an APOP secret of its
                                                ///< own logs in with APOP only (no PASS, PLAIN, CRAM-MD5)

  // Limits
  std::size_t max_command_octets = 255;         ///< lines longer than this get -ERR (RFC 2449 §4 minimum)
  std::size_t max_sasl_response_octets = 16384; ///< SASL continuation lines (RFC 5034: no fixed limit)
  std::size_t max_sessions = 10000;
  int max_auth_failures = 3;                    ///< close the connection after this many
  bool strict_syntax = true;                    ///< DIGEST A23: -ERR on tabs / doubled spaces / bare LF
};

/// Sets the switch named by its CAPA tag, case-insensitively ("TOP", "RESP-CODES", "SASL", "APOP",
/// "SLEEPING", ...; docs/reference-server.md lists them). Returns false for an unknown name.
bool set_capability_switch(capability_switches& caps, std::string_view name, bool on);
/// "DAYS" (0..2^31-1) or "NEVER" (case-insensitive, -> -1); nullopt if malformed.
std::optional<int> parse_expire_days(std::string_view text);
/// "ADDR:PORT" (IPv6 as "[ADDR]:PORT"); nullopt if malformed.
std::optional<listen_endpoint> parse_listen_endpoint(std::string_view text, bool implicit_tls);

/// The LOGIN-DELAY that applies to one account (its override, else the server-wide value).
std::chrono::seconds effective_login_delay(const server_config& config, const user_account& account);
/// The EXPIRE days that apply to one account (-1 = NEVER).
int effective_expire_days(const server_config& config, const user_account& account);

/// Parses a config file; throws std::runtime_error("file:line: message") on errors.
server_config load_config_file(const std::filesystem::path& file);
/// Parses a users file: "name:password[:apop-secret]" lines, '#' comments.
std::map<std::string, user_account> load_users_file(const std::filesystem::path& file);

}  // namespace pop3::refd
