#pragma once
// Servers for the comparison's tests: pop3refd in-process (as the server under test), and
// deliberately different fakes: a proxy in front of pop3refd that rewrites what the server sends,
// line by line, so that each test changes exactly one thing.
//
// Flow (proxy): every accepted connection opens one to pop3refd; the connection's script thread
// forwards the client's lines (noting each as the command being answered), a relay thread reads
// the server's responses (multi-line ones to their "." line), passes each line through the
// rewrite, and sends what it returns. The fake_server destructor shuts everything down.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "../harness/fake_server.hpp"
#include "pop3/harness/compare_report.hpp"
#include "pop3/harness/net/compare_runner.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/testing/messages.hpp"
#include "pop3/testing/refd_instance.hpp"
#include "pop3/testing/test_certificates.hpp"

namespace pop3::testing {

/// The reference server as the server under test: no TLS (so nothing needs a proxy to do TLS),
/// or, with `like_embedded`, configured as pop3spec's embedded reference is (every extension on).
inline refd_instance::customize refd_setup(bool like_embedded) {
  return [like_embedded](refd::server_config& c) {
    if (like_embedded) {
      c.caps.sleeping = c.caps.core = c.caps.deli = c.caps.uid_param = c.caps.xtnd = c.caps.last = true;
    } else {
      c.tls_cert.clear();
      c.tls_key.clear();
      c.listen.resize(1);
    }
  };
}

/// What a rewrite sees: the command answered ("" for the greeting), the line (without CRLF) and
/// whether it is the response's status line. It returns the octets to send instead (with their
/// line ends; "" drops the line), or nullopt to close the client's connection.
using rewrite = std::function<std::optional<std::string>(const std::string& command, const std::string& line,
                                                         bool status)>;

/// Passes a line on unchanged.
inline std::optional<std::string> same(const std::string& line) { return line + "\r\n"; }

/// Whether a "+OK" to this command is followed by data lines (RFC 1939, RFC 2449, RFC 5034).
inline bool multiline_answer(const std::string& command) {
  const auto sp = command.find(' ');
  std::string keyword = command.substr(0, sp);
  for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool args = sp != std::string::npos;
  return keyword == "CAPA" || keyword == "RETR" || keyword == "TOP" ||
         ((keyword == "LIST" || keyword == "UIDL" || keyword == "AUTH") && !args);
}

class rewriting_proxy {
 public:
  rewriting_proxy(std::uint16_t upstream, rewrite change)
      : upstream_(upstream), change_(std::move(change)), server_([this](fake_peer& peer) { serve(peer); }) {}

  [[nodiscard]] std::uint16_t port() const noexcept { return server_.port(); }

 private:
  struct session {
    std::mutex mutex;
    std::deque<std::string> commands;  // sent by the client, not yet answered
  };

  static int connect_upstream(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (fd >= 0) ::close(fd);
      return -1;
    }
    return fd;
  }

  void serve(fake_peer& client) {
    const int fd = connect_upstream(upstream_);
    if (fd < 0) return;
    fake_peer server(fd);
    session s;
    std::thread relay([&] { answer(client, server, s); });
    while (auto line = client.read_line(std::chrono::seconds(20))) {
      {
        const std::scoped_lock lock(s.mutex);
        s.commands.push_back(*line);
      }
      if (!server.send(*line + "\r\n")) break;
    }
    server.close();
    relay.join();
    ::close(fd);
  }

  void answer(fake_peer& client, fake_peer& server, session& s) {
    std::string command;
    bool greeting = true;
    while (auto status = server.read_line(std::chrono::seconds(20))) {
      if (!greeting) {
        const std::scoped_lock lock(s.mutex);
        if (!s.commands.empty()) {
          command = s.commands.front();
          s.commands.pop_front();
        }
      }
      greeting = false;
      if (!pass(client, command, *status, true)) return;
      if (!status->starts_with("+OK") || !multiline_answer(command)) continue;
      while (auto data = server.read_line(std::chrono::seconds(20))) {
        if (!pass(client, command, *data, false)) return;
        if (*data == ".") break;
      }
    }
    client.close();
  }

  bool pass(fake_peer& client, const std::string& command, const std::string& line, bool status) {
    const auto out = change_(command, line, status);
    if (!out) {
      client.close();
      return false;
    }
    return client.send(*out);
  }

  std::uint16_t upstream_;
  rewrite change_;
  fake_server server_;  // last: its destructor joins the sessions while the rest still exists
};

inline harness::target loopback(std::uint16_t port) {
  harness::target t;
  t.port = port;
  t.description = "127.0.0.1:" + std::to_string(port);
  return t;
}

/// The account alice on a refd_instance, provisioned through its Maildir.
inline harness::account alice_on(refd_instance& server) {
  harness::account a;
  a.user = alice.name;
  a.password = alice.password;
  a.apop_secret = alice.apop_secret;
  a.disposable = true;
  a.fixtures = harness::make_fixture_adapter("maildir:" + (server.maildir().root() / "{user}").string(),
                                             std::chrono::seconds(10));
  server.maildir().create_user(alice.name);
  return a;
}

inline harness::comparison_setup setup_for(harness::target where, harness::account who, bool mirror,
                                           harness::compare_options options = {}) {
  harness::comparison_setup s;
  s.under_test = std::move(where);
  s.acct = std::move(who);
  s.limits.read_timeout = std::chrono::milliseconds(1500);
  s.limits.scenario_limit = std::chrono::seconds(30);
  s.options = std::move(options);
  s.mirror = mirror;
  return s;
}

/// Parses scenario text that must be valid.
inline harness::scenario scenario_from(const std::string& text) {
  auto parsed = harness::parse_scenario(text, "cmp.pop3");
  std::string problems;
  for (const auto& d : parsed.diagnostics) problems += d.to_string() + "\n";
  if (!parsed.ok()) throw std::runtime_error("scenario does not parse:\n" + problems);
  return std::move(parsed.value);
}

/// Every divergence and note of a comparison, for failure messages.
inline std::string explain(const harness::scenario_comparison& c) {
  std::string out = std::string(harness::name_of(c.outcome)) + " " + c.message + "\n";
  for (const auto& d : c.diff.divergences)
    out += harness::describe(d) + " [" + d.reference + " | " + d.under_test + "]\n";
  for (const auto& n : c.diff.notes) out += "note: " + n + "\n";
  for (const auto& w : c.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace pop3::testing
