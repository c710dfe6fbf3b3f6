#pragma once
// The command line of `pop3spec run` / `list` and how it becomes a concrete run: the target, the
// accounts (from --user/--pass/env or a --config JSON file), the time limits.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pop3/harness/net/runner.hpp"

namespace CLI {
class App;
}

namespace pop3::harness::cli {

/// Everything `run` and `list` accept, as given (before the config file and env are applied).
struct options {
  std::vector<std::string> inputs;        ///< scenario paths, ids or id globs
  std::string scenarios_dir;              ///< --scenarios: where ids are looked up
  std::string server;                     ///< host[:port]; empty: the embedded reference server
  bool tls = false, stls = false, insecure = false;
  std::string ca;
  std::string client_cert, client_key;    ///< --client-cert / --client-key
  std::string user, pass, apop_secret;
  std::string config_file;
  std::vector<std::string> facts;         ///< --fact NAME (repeatable)
  std::string fixtures;
  bool allow_destructive = false;
  std::vector<std::string> filters, excludes;
  std::string baseline;
  std::string shard;                      ///< "K/N"
  std::size_t jobs = 1;
  std::optional<double> timeout, auth_timeout, timeout_scale, scenario_timeout;   ///< seconds; unset: config or default
  std::optional<double> max_wait;         ///< seconds: skip scenarios whose wait: steps exceed it; unset: no limit
  std::optional<double> min_wait;         ///< seconds: select only scenarios whose wait: steps exceed it
  bool strict = false, verbose = false;
  std::string junit, json, markdown;
};

/// Adds every option above to a subcommand.
void add_options(CLI::App& command, options& o);

/// The run as configured: either the embedded server or an external target with its accounts.
struct run_setup {
  bool embedded = true;
  target where;                           ///< external only, except facts and the client certificate
  tls_mode tls = tls_mode::none;          ///< also for the embedded server
  std::vector<account> accounts;          ///< external only (the embedded server makes its own)
  timing limits;
  std::size_t jobs = 1;
};

/// Reads an environment variable; injectable for tests.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;
[[nodiscard]] std::optional<std::string> process_env(const std::string& name);

/// Merges the command line, the --config file and the environment. Throws usage_error.
[[nodiscard]] run_setup resolve_setup(const options& o, const env_lookup& env = process_env);

/// "host", "host:port", "[v6]:port" -> host and port (default_port if none). Throws usage_error.
[[nodiscard]] std::pair<std::string, std::uint16_t> parse_host_port(const std::string& text, std::uint16_t default_port);

}  // namespace pop3::harness::cli
