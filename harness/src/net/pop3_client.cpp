// pop3_client: the probe's and the mailbox cleaner's POP3 dialogue (synchronous, bounded).
#include "pop3_client.hpp"

#include <algorithm>
#include <thread>

#include "pop3/protocol/auth.hpp"
#include "pop3/protocol/command.hpp"
#include "pop3/protocol/limits.hpp"
#include "pop3/protocol/multiline.hpp"

namespace pop3::harness::detail {
namespace {

// Data lines of LIST/RETR may be long; status lines may not (RFC 1939 §3).
constexpr std::size_t max_data_line_octets = 1 << 20;

std::string describe(std::string_view line, const protocol::status_line& status) {
  std::string out = std::string(line) + ": " + (status.ok ? "+OK" : "-ERR");
  if (status.code) out += " [" + status.code->to_string() + "]";
  return out + (status.text.empty() ? "" : " " + status.text);
}

}  // namespace

pop3_client::pop3_client(const target& where, std::chrono::milliseconds timeout)
    : client_(client_tls_for(where), timeout), where_(where) {}

std::string pop3_client::open() {
  client_.connect(where_.host, where_.port, where_.tls == tls_mode::implicit);
  auto greeting = client_.read_line(protocol::max_response_line_octets);
  greeting_ = greeting.text;
  return greeting_;
}

protocol::status_line pop3_client::command(std::string_view line) {
  client_.send(std::string(line) + "\r\n");
  auto reply = client_.read_line(protocol::max_response_line_octets);
  if (reply.too_long) throw client_error(client_error::kind::failed, std::string(line) + ": the reply line is too long");
  auto parsed = protocol::parse_status_line(reply.text);
  if (!parsed.value) {
    throw client_error(client_error::kind::failed,
                       std::string(line) + ": not a status line: \"" + reply.text.substr(0, 80) + "\"");
  }
  return *parsed.value;
}

std::vector<std::string> pop3_client::multiline() {
  protocol::multiline_decoder decoder;
  for (;;) {
    auto line = client_.read_line(max_data_line_octets);
    if (line.too_long) throw client_error(client_error::kind::failed, "a multi-line response line is too long");
    if (decoder.feed(line.text) == protocol::multiline_decoder::status::done) return decoder.lines();
  }
}

protocol::capability_set pop3_client::capa() {
  if (!command("CAPA").ok) return {};
  const auto lines = multiline();
  return protocol::capability_set::parse(lines);
}

bool pop3_client::start_tls() {
  if (!command("STLS").ok) return false;
  client_.start_tls();
  return true;
}

std::string pop3_client::login(const account& who, const protocol::capability_set& caps) {
  if (!who.password.empty()) {
    const auto mechanisms = caps.sasl_mechanisms();
    const bool plain = std::find(mechanisms.begin(), mechanisms.end(), "PLAIN") != mechanisms.end();
    // USER/PASS unless the server says it lacks USER and offers SASL PLAIN instead.
    if (!caps.has("USER") && !caps.items().empty() && plain) {
      const std::string credentials = std::string(1, '\0') + who.user + '\0' + who.password;
      auto status = command("AUTH PLAIN " + protocol::base64_encode(credentials));
      return status.ok ? "" : describe("AUTH PLAIN", status);
    }
    auto user = command("USER " + who.user);
    if (!user.ok) return describe("USER " + who.user, user);
    auto pass = command("PASS " + who.password);
    logged_in_with_user_ = pass.ok;
    if (pass.ok) return "";
    // An account with an APOP secret may log in with APOP only (RFC 1939 §13).
    if (!who.apop_secret.empty() && apop_login(who).empty()) return "";
    return describe("PASS", pass);
  }
  if (!who.apop_secret.empty()) return apop_login(who);
  return "no password or APOP secret for " + who.user;
}

std::string pop3_client::apop_login(const account& who) {
  auto timestamp = protocol::find_apop_timestamp(greeting_);
  if (!timestamp) return "APOP: the greeting has no timestamp";
  auto status = command("APOP " + who.user + " " + protocol::apop_digest(*timestamp, who.apop_secret));
  return status.ok ? "" : describe("APOP " + who.user, status);
}

protocol::status_line pop3_client::quit() { return command("QUIT"); }

namespace {

// Logs in (after STLS when the target uses it) and returns the STAT message count; the session
// is then in TRANSACTION. Throws fixture_error (refusals) or client_error (I/O).
std::uint64_t open_maildrop(pop3_client& client, const target& where, const account& who, const std::string& context) {
  client.open();
  auto caps = client.capa();
  if (where.tls == tls_mode::stls) {
    if (!client.start_tls()) throw fixture_error(context + "the server refused STLS");
    caps = client.capa();
  }
  if (auto problem = client.login(who, caps); !problem.empty()) throw fixture_error(context + problem);
  auto stat = client.command("STAT");
  auto count = protocol::parse_number(stat.text.substr(0, stat.text.find(' ')));
  if (!stat.ok || !count) throw fixture_error(context + describe("STAT", stat));
  return *count;
}

void quit(pop3_client& client, const std::string& context) {
  if (auto status = client.quit(); !status.ok) throw fixture_error(context + describe("QUIT", status));
}

}  // namespace

void empty_mailbox_over_pop3(const target& where, const account& who, std::chrono::milliseconds timeout) {
  const std::string context = "emptying the mailbox of " + who.user + " over POP3: ";
  try {
    pop3_client client(where, timeout);
    const auto count = open_maildrop(client, where, who, context);
    for (std::uint64_t n = 1; n <= count; ++n) {
      const std::string dele = "DELE " + std::to_string(n);
      if (auto status = client.command(dele); !status.ok) throw fixture_error(context + describe(dele, status));
    }
    quit(client, context);
  } catch (const client_error& e) {
    throw fixture_error(context + e.what());
  }
}

std::vector<std::string> fetch_mailbox_over_pop3(const target& where, const account& who,
                                                 std::chrono::milliseconds timeout, std::size_t max_messages,
                                                 std::size_t max_octets) {
  const std::string context = "copying the mailbox of " + who.user + " over POP3: ";
  std::vector<std::string> messages;
  try {
    pop3_client client(where, timeout);
    const auto count = open_maildrop(client, where, who, context);
    if (count > max_messages) {
      throw fixture_error(context + "it holds " + std::to_string(count) + " messages, more than the " +
                          std::to_string(max_messages) + " that are copied");
    }
    std::size_t octets = 0;
    for (std::uint64_t n = 1; n <= count; ++n) {
      const std::string retr = "RETR " + std::to_string(n);
      if (auto status = client.command(retr); !status.ok) throw fixture_error(context + describe(retr, status));
      std::string message;
      for (const auto& line : client.multiline()) message += line + "\r\n";
      octets += message.size();
      if (octets > max_octets) {
        throw fixture_error(context + "it holds more than the " + std::to_string(max_octets) + " octets that are copied");
      }
      messages.push_back(std::move(message));
    }
    quit(client, context);
  } catch (const client_error& e) {
    throw fixture_error(context + e.what());
  }
  return messages;
}

void await_message_count(const target& where, const account& who, std::uint64_t expected,
                         std::chrono::milliseconds timeout) {
  const std::string context = "waiting for the delivered messages of " + who.user + ": ";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::uint64_t count = 0;
    try {
      pop3_client client(where, timeout);
      count = open_maildrop(client, where, who, context);
      quit(client, context);
    } catch (const client_error& e) {
      throw fixture_error(context + e.what());
    }
    if (count == expected) return;
    if (count > expected || std::chrono::steady_clock::now() >= deadline) {
      throw fixture_error(context + "the mailbox holds " + std::to_string(count) + " messages, expected " +
                          std::to_string(expected));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace pop3::harness::detail
