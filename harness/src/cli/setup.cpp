// resolve_setup(): command line + --config JSON + environment -> run_setup.
// Precedence: a command-line option, then the config file, then the built-in default.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "exit_codes.hpp"
#include "options.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/protocol/command.hpp"

namespace pop3::harness::cli {
namespace {

using json = nlohmann::json;

struct config_account {
  std::string user, pass, apop_secret, address, fixtures, long_user, long_pass, utf8_user, utf8_pass;
  bool disposable = false;
};

struct config_file {
  std::string server, tls, ca, client_cert, client_key;
  bool insecure = false;
  std::vector<config_account> accounts;
  std::vector<std::string> facts;
  std::optional<double> read, auth, scale, scenario;
};

// Typos in a CI config must not silently change what is tested.
void check_keys(const json& object, const std::set<std::string>& allowed, const std::string& where) {
  if (!object.is_object()) throw usage_error(where + ": expected a JSON object");
  for (const auto& item : object.items()) {
    if (!allowed.contains(item.key())) throw usage_error(where + ": unknown key \"" + item.key() + "\"");
  }
}

template <typename T>
void read_field(const json& object, const char* key, T& into, const std::string& where) {
  if (!object.contains(key)) return;
  try {
    into = object.at(key).get<T>();
  } catch (const json::exception&) {
    throw usage_error(where + ": \"" + key + "\" has the wrong type");
  }
}

config_file load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw usage_error("cannot read the config file " + path);
  json root;
  try {
    root = json::parse(in);
  } catch (const json::parse_error& e) {
    throw usage_error(path + ": not valid JSON: " + e.what());
  }
  check_keys(root, {"server", "tls", "ca", "insecure", "client_cert", "client_key", "facts", "accounts", "timeouts"},
             path);
  config_file out;
  read_field(root, "server", out.server, path);
  read_field(root, "tls", out.tls, path);
  read_field(root, "ca", out.ca, path);
  read_field(root, "insecure", out.insecure, path);
  read_field(root, "facts", out.facts, path);
  read_field(root, "client_cert", out.client_cert, path);
  read_field(root, "client_key", out.client_key, path);
  if (root.contains("timeouts")) {
    const auto& t = root.at("timeouts");
    const std::string where = path + ": timeouts";
    check_keys(t, {"read", "auth", "scale", "scenario"}, where);
    for (auto [key, into] : {std::pair{"read", &out.read}, {"auth", &out.auth}, {"scale", &out.scale},
                             {"scenario", &out.scenario}}) {
      double value = 0;
      if (!t.contains(key)) continue;
      read_field(t, key, value, where);
      if (!(value > 0)) throw usage_error(where + ": \"" + key + "\" must be positive");
      *into = value;
    }
  }
  if (root.contains("accounts")) {
    if (!root.at("accounts").is_array()) throw usage_error(path + ": \"accounts\" must be an array");
    std::size_t index = 0;
    for (const auto& a : root.at("accounts")) {
      const std::string where = path + ": accounts[" + std::to_string(index++) + "]";
      check_keys(a, {"user", "pass", "apop_secret", "address", "fixtures", "disposable", "long_user", "long_pass",
                     "utf8_user", "utf8_pass"},
                 where);
      config_account acct;
      read_field(a, "user", acct.user, where);
      read_field(a, "pass", acct.pass, where);
      read_field(a, "apop_secret", acct.apop_secret, where);
      read_field(a, "address", acct.address, where);
      read_field(a, "fixtures", acct.fixtures, where);
      read_field(a, "disposable", acct.disposable, where);
      for (auto [key, into] : {std::pair{"long_user", &acct.long_user}, {"long_pass", &acct.long_pass},
                               {"utf8_user", &acct.utf8_user}, {"utf8_pass", &acct.utf8_pass}}) {
        read_field(a, key, *into, where);
      }
      if (acct.long_user.empty() != acct.long_pass.empty() || acct.utf8_user.empty() != acct.utf8_pass.empty())
        throw usage_error(where + ": give long_user with long_pass, and utf8_user with utf8_pass");
      if (acct.user.empty()) throw usage_error(where + ": \"user\" is required");
      out.accounts.push_back(std::move(acct));
    }
  }
  return out;
}

tls_mode choose_tls(const options& o, const config_file& config) {
  if (o.tls && o.stls) throw usage_error("--tls and --stls exclude each other");
  if (o.tls) return tls_mode::implicit;
  if (o.stls) return tls_mode::stls;
  if (config.tls.empty() || config.tls == "none") return tls_mode::none;
  if (config.tls == "implicit") return tls_mode::implicit;
  if (config.tls == "stls") return tls_mode::stls;
  throw usage_error(o.config_file + ": \"tls\" must be \"none\", \"implicit\" or \"stls\"");
}

std::chrono::milliseconds seconds(double value) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(value * 1000));
}

std::shared_ptr<fixture_adapter> adapter_for(const std::string& spec, std::chrono::milliseconds timeout) {
  if (spec.empty()) return nullptr;
  try {
    return make_fixture_adapter(spec, timeout);
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
}

// Fact names are compared case-insensitively; FACT:NAME in a scenario allows the same characters.
std::vector<std::string> declared_facts(const options& o, const config_file& config) {
  std::vector<std::string> out;
  for (const auto* list : {&config.facts, &o.facts}) {
    for (const std::string& f : *list) {
      const bool valid = !f.empty() && std::all_of(f.begin(), f.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
      if (!valid) throw usage_error("bad fact \"" + f + "\": use letters, digits, '-' and '_' (e.g. XTND)");
      std::string upper;
      for (const char c : f) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      if (upper == tls_on_connect_fact)
        throw usage_error("TLS-ON-CONNECT is not declared by hand: --tls sets it (for a server with implicit TLS "
                          "on another port, declare IMPLICIT-TLS)");
      out.push_back(std::move(upper));
    }
  }
  return out;
}

std::string first_of(const std::string& given, const std::optional<std::string>& fallback) {
  return given.empty() ? fallback.value_or("") : given;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::pair<std::string, std::uint16_t> parse_host_port(const std::string& text, std::uint16_t default_port) {
  std::string host = text;
  std::uint16_t port = default_port;
  const auto close = text.rfind(']');
  const auto colon = text.rfind(':');
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    auto number = protocol::parse_number(text.substr(colon + 1));
    if (!number || *number == 0 || *number > 65535) throw usage_error("bad port in \"" + text + "\"");
    port = static_cast<std::uint16_t>(*number);
    host = text.substr(0, colon);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) throw usage_error("missing host in \"" + text + "\"");
  return {host, port};
}

run_setup resolve_setup(const options& o, const env_lookup& env) {
  const config_file config = o.config_file.empty() ? config_file{} : load_config(o.config_file);
  run_setup setup;
  setup.tls = choose_tls(o, config);
  setup.jobs = o.jobs;
  if (setup.jobs == 0) throw usage_error("--jobs must be at least 1");
  setup.limits.read_timeout = seconds(o.timeout.value_or(config.read.value_or(5)));
  setup.limits.auth_timeout = seconds(o.auth_timeout.value_or(config.auth.value_or(30)));
  setup.limits.scale = o.timeout_scale.value_or(config.scale.value_or(1));
  setup.limits.scenario_limit = seconds(o.scenario_timeout.value_or(config.scenario.value_or(60)));
  if (o.max_wait) setup.limits.max_wait = seconds(*o.max_wait);
  setup.where.facts = declared_facts(o, config);
  setup.where.client_cert = o.client_cert.empty() ? config.client_cert : o.client_cert;
  setup.where.client_key = o.client_key.empty() ? config.client_key : o.client_key;
  if (setup.where.client_cert.empty() != setup.where.client_key.empty())
    throw usage_error("a client certificate needs its key: give --client-cert with --client-key");

  const std::string server = o.server.empty() ? config.server : o.server;
  const bool cli_account = !o.user.empty() || !o.pass.empty() || !o.apop_secret.empty();
  if (server.empty()) {
    if (cli_account || !config.accounts.empty() || !o.fixtures.empty() || !o.ca.empty() || !config.ca.empty()) {
      throw usage_error("--user, --pass, --apop-secret, --fixtures, --ca and config accounts need --server "
                        "(the embedded reference server makes its own accounts)");
    }
    return setup;
  }

  setup.embedded = false;
  auto [host, port] = parse_host_port(server, setup.tls == tls_mode::implicit ? 995 : 110);
  setup.where.host = host;
  setup.where.port = port;
  setup.where.tls = setup.tls;
  setup.where.ca_file = o.ca.empty() ? config.ca : o.ca;
  setup.where.insecure = o.insecure || config.insecure;
  setup.where.description = host + ":" + std::to_string(port) +
                            (setup.tls == tls_mode::implicit ? " (implicit TLS)" : setup.tls == tls_mode::stls ? " (STLS)" : "");

  const auto adapter_timeout = setup.limits.scaled_read();
  if (!config.accounts.empty()) {
    if (cli_account) throw usage_error("give the accounts either in --config or with --user/--pass, not both");
    for (const auto& c : config.accounts) {
      account a;
      a.user = c.user;
      a.password = c.pass;
      a.apop_secret = c.apop_secret;
      a.address = c.address;
      a.fixtures = adapter_for(c.fixtures.empty() ? o.fixtures : c.fixtures, adapter_timeout);
      a.disposable = c.disposable || o.allow_destructive;
      a.long_login = {c.long_user, c.long_pass};
      a.utf8_login = {c.utf8_user, c.utf8_pass};
      setup.accounts.push_back(std::move(a));
    }
    return setup;
  }
  account a;
  a.user = first_of(o.user, env("POP3SPEC_USER"));
  a.password = first_of(o.pass, env("POP3SPEC_PASS"));
  a.apop_secret = first_of(o.apop_secret, env("POP3SPEC_APOP_SECRET"));
  if (a.user.empty()) {
    throw usage_error("--server needs an account: --user with --pass or --apop-secret (or POP3SPEC_USER, "
                      "POP3SPEC_PASS, POP3SPEC_APOP_SECRET), or --config with \"accounts\"");
  }
  a.fixtures = adapter_for(o.fixtures, adapter_timeout);
  a.disposable = o.allow_destructive;
  setup.accounts.push_back(std::move(a));
  return setup;
}

}  // namespace pop3::harness::cli
