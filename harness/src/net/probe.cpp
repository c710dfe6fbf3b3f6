// Capability probing (RFC 2449 CAPA before and after login) and the timing helpers.
#include <cmath>
#include <optional>

#include "pop3/harness/net/runner.hpp"
#include "pop3_client.hpp"

namespace pop3::harness {
namespace {

std::chrono::milliseconds scaled(std::chrono::milliseconds base, double scale) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(static_cast<double>(base.count()) * scale)));
}

bool lists(const probe_result& p, std::string_view tag) { return p.before_login.has(tag) || p.after_login.has(tag); }

// What the probe sees working though CAPA does not list it (RFC 1939's optional commands on a
// server without CAPA): only what answered +OK counts, so nothing unseen is assumed.
void note_seen_working(detail::pop3_client& client, probe_result& out) {
  if (client.logged_in_with_user() && !lists(out, "USER")) out.seen_working.emplace_back("USER");
  if (!lists(out, "UIDL") && client.command("UIDL").ok) {
    (void)client.multiline();
    out.seen_working.emplace_back("UIDL");
  }
  if (lists(out, "TOP")) return;
  const auto stat = client.command("STAT");
  if (!stat.ok || stat.text.substr(0, stat.text.find(' ')) == "0") return;  // TOP needs a message to show
  if (client.command("TOP 1 0").ok) {
    (void)client.multiline();
    out.seen_working.emplace_back("TOP");
  }
}

}  // namespace

std::chrono::milliseconds timing::scaled_read() const { return scaled(read_timeout, scale); }
std::chrono::milliseconds timing::scaled_auth() const { return scaled(std::max(auth_timeout, read_timeout), scale); }
std::chrono::milliseconds timing::scaled_limit() const { return scaled(scenario_limit, scale); }

probe_result probe_account(const target& where, const account& who, const timing& limits) {
  const std::string server = where.host + ":" + std::to_string(where.port);
  probe_result out;
  std::optional<detail::pop3_client> connection;
  try {
    connection.emplace(where, limits.scaled_read());
  } catch (const std::exception& e) {
    throw setup_error("TLS setup (--ca " + where.ca_file + "): " + e.what());
  }
  auto& client = *connection;
  try {
    out.greeting = client.open();
  } catch (const detail::client_error& e) {
    throw unreachable_error("cannot reach the POP3 server at " + server + ": " + e.what());
  }
  if (!out.greeting.starts_with("+OK")) {
    throw unreachable_error("the POP3 server at " + server + " did not greet with +OK: \"" +
                            out.greeting.substr(0, 120) + "\"");
  }
  try {
    out.before_login = client.capa();
    auto login_caps = out.before_login;
    if (where.tls == tls_mode::stls) {
      if (!client.start_tls()) throw setup_error("--stls: the server at " + server + " refused STLS");
      login_caps = client.capa();
    }
    if (who.password.empty() && who.apop_secret.empty()) return out;  // read-only run: no login
    if (auto problem = client.login(who, login_caps); !problem.empty()) {
      throw setup_error("cannot log in to " + server + " as " + who.user + ": " + problem);
    }
    out.logged_in = true;
    out.after_login = client.capa();
    note_seen_working(client, out);
  } catch (const detail::client_error& e) {
    throw setup_error("probing " + server + " as " + who.user + " failed: " + e.what());
  }
  try {
    client.quit();
  } catch (const detail::client_error&) {
    // A QUIT without an answer (or a close instead of one) is a finding of the QUIT scenarios,
    // which report it with a transcript; as a probe failure it would abort the whole run.
  }
  return out;
}

}  // namespace pop3::harness
