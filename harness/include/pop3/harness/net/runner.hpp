#pragma once
// The runner: performs the executor's actions against a live server (Boost.Asio, C++20
// coroutines), provisions fixtures through the account's adapter, and runs scenarios in parallel,
// one job per account. This header has no Asio in it; the sockets live in src/net/*.cpp.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "pop3/harness/executor.hpp"
#include "pop3/harness/net/fixture_adapter.hpp"
#include "pop3/protocol/capabilities.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness {

struct scenario;
struct recorded_run;  // compare.hpp

enum class tls_mode {
  none,      ///< plain TCP
  implicit,  ///< TLS from the first byte (RFC 8314, port 995 style)
  stls,      ///< plain TCP; the server offers STLS and the probe logs in after STLS
};

/// Where and how to connect.
struct target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 110;
  tls_mode tls = tls_mode::none;
  std::string ca_file;        ///< PEM trust anchors for TLS; empty: the system's
  bool insecure = false;      ///< skip certificate verification
  std::string client_cert;    ///< PEM client certificate presented in every TLS handshake (empty: none)
  std::string client_key;     ///< its PEM private key
  std::string description;    ///< for reports, e.g. "127.0.0.1:1110 (embedded pop3refd)"
  /// Facts the operator declares about the server (upper case), for `requires: FACT:NAME`.
  std::vector<std::string> facts;
};

/// Time limits. Every network read and write has one; nothing waits forever.
struct timing {
  std::chrono::milliseconds read_timeout{5000};       ///< per read, write, connect, handshake
  /// The answer to a login command (PASS, APOP, AUTH): servers delay it after failed logins
  /// (Dovecot's auth penalty, up to 15 s; RFC 1939 §13 suggests such delays).
  std::chrono::milliseconds auth_timeout{30000};
  double scale = 1.0;                                  ///< multiplies every limit (slow CI machines)
  std::chrono::milliseconds scenario_limit{60000};     ///< whole scenario, excluding `wait:` steps
  /// --max-wait: a scenario whose waits (with the seconds a capability announces) add up to more
  /// is skipped; unset: no limit.
  std::optional<std::chrono::milliseconds> max_wait;
  [[nodiscard]] std::chrono::milliseconds scaled_read() const;
  [[nodiscard]] std::chrono::milliseconds scaled_auth() const;
  [[nodiscard]] std::chrono::milliseconds scaled_limit() const;
};

/// One account on the server under test.
struct account {
  std::string user, password, apop_secret;
  std::string address;                         ///< mail address for SMTP/LMTP delivery (optional)
  std::shared_ptr<fixture_adapter> fixtures;   ///< null: scenarios that need fixtures are skipped
  bool disposable = false;                     ///< destructive scenarios may run on this account
  extra_login long_login;                      ///< optional: a user whose password has 255 octets
  extra_login utf8_login;                      ///< optional: a user whose password is non-ASCII UTF-8
};

/// What the capability probe learnt about one account (RFC 2449 CAPA before and after login).
struct probe_result {
  std::string greeting;
  protocol::capability_set before_login;       ///< empty if CAPA failed
  protocol::capability_set after_login;        ///< empty if CAPA failed or login was impossible
  /// Capabilities the probe saw working that CAPA does not list (a server without CAPA still
  /// has USER if the probe logged in with it): available to scenarios like advertised ones.
  std::vector<std::string> seen_working;
  bool logged_in = false;
};

/// An account as one job sees it.
struct account_context {
  account acct;
  probe_result caps;
  std::vector<std::string> extra_users;        ///< the other accounts' names
};

/// The server could not be reached (connection refused, timeout, no greeting): exit code 3.
class unreachable_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// The run cannot start as configured (e.g. the credentials are refused): exit code 2.
class setup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Connects, reads the greeting, CAPA, (STLS,) logs in, CAPA again, QUIT.
/// Throws unreachable_error or setup_error.
[[nodiscard]] probe_result probe_account(const target& where, const account& who, const timing& limits);

/// Runs one scenario on one account: fixture provisioning, then the executor's actions.
/// Never throws and never hangs: harness faults become an `error` result.
[[nodiscard]] reports::scenario_result run_scenario(const scenario& s, const target& where,
                                                    const account_context& who, const timing& limits);

/// run_scenario() in record mode (executor.hpp), for `pop3spec compare`: the scenario's own
/// verdict and every response read. Never throws and never hangs.
[[nodiscard]] recorded_run record_scenario(const scenario& s, const target& where, const account_context& who,
                                           const timing& limits);

/// Runs many scenarios, one job (thread) per account; a single account means a sequential run.
///
/// Flow: construct with the accounts; probe_all() learns each account's capabilities (and proves
/// the server is reachable); run() hands scenarios out from a shared queue to min(jobs, accounts)
/// jobs, each running run_scenario() on its own account, and reports each result as it comes.
class runner {
 public:
  using result_callback = std::function<void(const reports::scenario_result&)>;

  runner(target where, std::vector<account> accounts, timing limits, std::size_t jobs);

  /// Probes every account, in order. Throws unreachable_error or setup_error.
  void probe_all();
  /// Runs the scenarios (probe_all() first). on_result is called once per scenario as it finishes,
  /// never concurrently. Results come back in the order of `scenarios`.
  [[nodiscard]] std::vector<reports::scenario_result> run(std::span<const scenario* const> scenarios,
                                                          const result_callback& on_result);
  /// Jobs that will actually run: min(jobs, accounts).
  [[nodiscard]] std::size_t effective_jobs() const noexcept;
  [[nodiscard]] const std::vector<account_context>& accounts() const noexcept { return accounts_; }

 private:
  target where_;
  std::vector<account_context> accounts_;
  timing limits_;
  std::size_t jobs_;
};

}  // namespace pop3::harness
