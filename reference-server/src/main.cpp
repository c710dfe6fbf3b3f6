// pop3refd: the pop3spec reference POP3 server. Flags override the config file.
// Exit codes: 0 clean shutdown (SIGTERM/SIGINT), 2 usage, configuration or startup error,
// 1 an unexpected failure while serving.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pop3/refd/config.hpp"
#include "pop3/refd/server.hpp"

namespace {

namespace fs = std::filesystem;
using pop3::refd::server_config;

struct cli_values {
  std::string config_file, maildir_root, users_file, tls_cert, tls_key, expire;
  std::vector<std::string> listen, listen_tls, enable, disable;
  std::uint64_t login_delay = 0, autologout = 0, sleep_autologout = 0, max_sessions = 0;
  bool require_tls_auth = false, apop_only = false, lenient = false, print_ports = false, login_delay_on_wake = false;
};

// The flags that were given, applied on top of the config file (or the built-in defaults).
struct cli_flags {
  CLI::Option* config_file;
  CLI::Option* maildir_root;
  CLI::Option* users_file;
  CLI::Option* tls_cert;
  CLI::Option* tls_key;
  CLI::Option* login_delay;
  CLI::Option* expire;
  CLI::Option* autologout;
  CLI::Option* sleep_autologout;
  CLI::Option* max_sessions;
};

cli_flags declare_flags(CLI::App& app, cli_values& v) {
  cli_flags f{};
  f.config_file =
      app.add_option("--config", v.config_file, "config file (key = value lines)")->check(CLI::ExistingFile);
  app.add_option("--listen", v.listen, "plain-text listener ADDR:PORT (repeatable; port 0 = ephemeral)");
  app.add_option("--listen-tls", v.listen_tls, "implicit-TLS listener ADDR:PORT (RFC 8314; repeatable)");
  f.maildir_root = app.add_option("--maildir-root", v.maildir_root, "directory holding <user>/{new,cur,tmp}");
  f.users_file = app.add_option("--users", v.users_file, "users file: name:password[:apop-secret] lines")
                     ->check(CLI::ExistingFile);
  f.tls_cert = app.add_option("--tls-cert", v.tls_cert, "PEM certificate chain (enables STLS)")
                   ->check(CLI::ExistingFile);
  f.tls_key = app.add_option("--tls-key", v.tls_key, "PEM private key")->check(CLI::ExistingFile);
  app.add_flag("--require-tls-auth", v.require_tls_auth,
               "refuse plaintext logins until TLS is active (RFC 2595 §2.3)");
  app.add_flag("--apop-only", v.apop_only,
               "accounts with an APOP secret of their own log in with APOP only (RFC 1939 §13)");
  f.login_delay = app.add_option("--login-delay", v.login_delay, "LOGIN-DELAY seconds")
                      ->check(CLI::Range(0, 366 * 86400));
  f.expire = app.add_option("--expire", v.expire, "EXPIRE days, or 'never'");
  f.autologout =
      app.add_option("--autologout", v.autologout, "idle timeout in seconds (RFC 1939 wants >= 600)")
          ->check(CLI::Range(1, 366 * 86400));
  f.sleep_autologout =
      app.add_option("--sleep-autologout", v.sleep_autologout, "idle timeout in the SLEEP state (default: --autologout)")
          ->check(CLI::Range(1, 366 * 86400));
  app.add_flag("--login-delay-on-wake", v.login_delay_on_wake, "apply LOGIN-DELAY to WAKE as to a login (DIGEST A26)");
  app.add_option("--capability,--enable", v.enable,
                 "announce and enable a capability (repeatable), e.g. SLEEPING, CORE, DELI, UID-PARAM, XTND, LAST");
  app.add_option("--no-capability,--disable", v.disable,
                 "withdraw a capability (repeatable; wins over --capability), e.g. TOP");
  app.add_flag("--lenient", v.lenient, "accept tabs, doubled spaces and bare LF in commands (DIGEST A23)");
  f.max_sessions =
      app.add_option("--max-sessions", v.max_sessions, "concurrent sessions; more get -ERR [SYS/TEMP]")
          ->check(CLI::Range(1, 1 << 20));
  app.add_flag("--print-ports", v.print_ports, "print 'listening ADDR:PORT[ tls]' per listener once bound");
  return f;
}

void set_capabilities(server_config& config, const std::vector<std::string>& names, bool on) {
  for (const auto& name : names) {
    if (!pop3::refd::set_capability_switch(config.caps, name, on)) {
      throw std::runtime_error("unknown capability '" + name + "'");
    }
  }
}

std::vector<pop3::refd::listen_endpoint> parse_listeners(const cli_values& v) {
  std::vector<pop3::refd::listen_endpoint> out;
  for (const auto* list : {&v.listen, &v.listen_tls}) {
    const bool implicit_tls = list == &v.listen_tls;
    for (const auto& text : *list) {
      const auto endpoint = pop3::refd::parse_listen_endpoint(text, implicit_tls);
      if (!endpoint)
        throw std::runtime_error("bad listener '" + text + "' (expected ADDR:PORT or [ADDR]:PORT)");
      out.push_back(*endpoint);
    }
  }
  return out;
}

server_config build_config(const cli_values& v, const cli_flags& f) {
  server_config config = *f.config_file ? pop3::refd::load_config_file(v.config_file) : server_config{};
  if (!v.listen.empty() || !v.listen_tls.empty()) config.listen = parse_listeners(v);
  if (*f.maildir_root) config.maildir_root = v.maildir_root;
  if (*f.users_file) config.users = pop3::refd::load_users_file(v.users_file);
  if (*f.tls_cert) config.tls_cert = v.tls_cert;
  if (*f.tls_key) config.tls_key = v.tls_key;
  if (v.require_tls_auth) config.require_tls_for_plaintext_auth = true;
  if (v.apop_only) config.apop_only = true;
  if (*f.login_delay) config.login_delay = std::chrono::seconds(v.login_delay);
  if (*f.expire) {
    const auto days = pop3::refd::parse_expire_days(v.expire);
    if (!days)
      throw std::runtime_error("--expire: expected a number of days or 'never', got '" + v.expire + "'");
    config.expire_days = *days;
  }
  if (*f.autologout) config.autologout = std::chrono::seconds(v.autologout);
  if (*f.sleep_autologout) config.sleep_autologout = std::chrono::seconds(v.sleep_autologout);
  if (v.login_delay_on_wake) config.login_delay_on_wake = true;
  if (v.lenient) config.strict_syntax = false;
  if (*f.max_sessions) config.max_sessions = v.max_sessions;
  set_capabilities(config, v.enable, true);
  set_capabilities(config, v.disable, false);

  if (config.maildir_root.empty())
    throw std::runtime_error("no Maildir root (--maildir-root or maildir_root)");
  if (!fs::is_directory(config.maildir_root)) {
    throw std::runtime_error("Maildir root " + config.maildir_root.string() + " is not a directory");
  }
  if (config.users.empty())
    throw std::runtime_error("no users (--users, or users_file / user in the config)");
  if (config.listen.empty()) throw std::runtime_error("no listeners");
  return config;
}

void print_ports(const server_config& config, const std::vector<std::uint16_t>& ports) {
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const auto& endpoint = config.listen[i];
    const bool v6 = endpoint.address.find(':') != std::string::npos;
    std::cout << "listening " << (v6 ? "[" + endpoint.address + "]" : endpoint.address) << ':' << ports[i]
              << (endpoint.implicit_tls ? " tls" : "") << '\n';
  }
  std::cout.flush();  // scripts wait for these lines before connecting
}

// A RETR builds its answer in buffers the size of the message. With glibc's defaults each one
// above the (adaptive) mmap threshold is a fresh mapping, and freeing it trims the heap, so
// every large RETR page-faults its buffers in again: measured, 84 MB/s for 1 MiB messages,
// nearly all of it fault handling. Keeping freed memory for reuse makes it 950 MB/s. The heap
// then holds at most about the largest answers in flight, which the allocator reuses.
void keep_freed_memory_for_reuse() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory_for_reuse();
  CLI::App app{"pop3refd: the pop3spec reference POP3 server (RFC 1939, 2449, 2595, 5034, 8314 and drafts)"};
  app.footer(
      "Exit codes: 0 clean shutdown on SIGTERM/SIGINT, 1 failure while serving, 2 usage, configuration or "
      "startup error.");
  cli_values values;
  const cli_flags flags = declare_flags(app, values);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, or the error with a hint
    return code == 0 ? 0 : 2;
  }

  std::optional<pop3::refd::server> server;
  try {
    server.emplace(build_config(values, flags));
    server->bind();
  } catch (const std::exception& e) {
    std::cerr << "pop3refd: " << e.what() << '\n';
    return 2;
  }
  if (values.print_ports) print_ports(server->config(), server->bound_ports());

  try {
    std::signal(SIGPIPE, SIG_IGN);  // a peer that vanishes mid-write is an error code, not a signal
    server->stop_on_signals({SIGTERM, SIGINT});
    server->run();
  } catch (const std::exception& e) {
    std::cerr << "pop3refd: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
