// embedded_server: pop3::refd::server configured for a self-contained conformance run.
#include "pop3/harness/net/embedded_server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "pop3/harness/net/certificate.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/refd/config.hpp"
#include "pop3/refd/server.hpp"

namespace pop3::harness {
namespace {

namespace fs = std::filesystem;

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "pop3spec-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temp directory: " + std::string(std::strerror(errno)));
  }
  return pattern;
}

// Loopback-only and thrown away at exit, but still not guessable by other local users.
std::string random_secret(std::size_t octets = 16) {
  static constexpr char alphabet[] = "abcdefghijkmnopqrstuvwxyz23456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(alphabet) - 2);
  std::string out;
  for (std::size_t i = 0; i < octets; ++i) out += alphabet[pick(device)];
  return out;
}

// RFC 4616 allows 255 octets for authcid and password; pop3refd's user names stop at 64 octets
// (its Maildir names). The UTF-8 password has 2-octet characters that SASLprep leaves as they
// are ("pässwörd-ŝ" and a random tail).
constexpr std::size_t longest_plain_field = 255;
constexpr std::size_t longest_user_name = 255;  // RFC 4616 §2: authcid and authzid, like the password
constexpr const char* utf8_password_stem = "p\xc3\xa4ssw\xc3\xb6rd-\xc5\x9d-";

// Owns the temp directory: removed even if the server fails to start.
struct temp_dir {
  fs::path path = make_temp_dir();
  temp_dir() = default;
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

void add_special_logins(account& a, refd::server_config& config) {
  const std::string long_stem = a.user + "-long-";
  a.long_login = {long_stem + std::string(longest_user_name - long_stem.size(), 'x'),
                  random_secret(longest_plain_field)};
  a.utf8_login = {a.user + "-utf8", utf8_password_stem + random_secret()};
  for (const extra_login* l : {&a.long_login, &a.utf8_login}) {
    fs::create_directories(config.maildir_root / l->user);
    refd::user_account extra;
    extra.name = l->user;
    extra.password = l->password;
    config.users[l->user] = extra;
  }
}

struct embedded_server::impl {
  temp_dir dir;
  certificate_files tls = generate_self_signed_certificate(dir.path);
  std::vector<account> accounts;
  std::unique_ptr<refd::server> server;
  std::uint16_t plain_port = 0, tls_port = 0;
};

embedded_server::embedded_server(std::size_t account_count, const configure& adjust)
    : impl_(std::make_unique<impl>()) {
  refd::server_config config;
  config.listen = {refd::listen_endpoint{"127.0.0.1", 0, false}, refd::listen_endpoint{"127.0.0.1", 0, true}};
  config.maildir_root = impl_->dir.path / "maildirs";
  config.tls_cert = impl_->tls.cert;
  config.tls_key = impl_->tls.key;
  config.implementation = "pop3refd (embedded in pop3spec)";
  // The embedded run exercises the whole corpus, so every extension pop3refd has is switched on,
  // the legacy XTND and LAST included (they are off in a default pop3refd).
  auto& caps = config.caps;
  caps.sleeping = caps.core = caps.deli = caps.uid_param = caps.xtnd = caps.last = true;
  for (std::size_t i = 1; i <= std::max<std::size_t>(account_count, 1); ++i) {
    account a;
    a.user = "alice" + std::to_string(i);
    a.password = random_secret();
    a.apop_secret = random_secret();
    a.disposable = true;  // a private throwaway Maildir
    a.fixtures = make_fixture_adapter("maildir:" + (config.maildir_root / "{user}").string(), std::chrono::seconds(10));
    fs::create_directories(config.maildir_root / a.user);
    refd::user_account user;
    user.name = a.user;
    user.password = a.password;
    user.apop_secret = a.apop_secret;
    config.users[a.user] = user;
    add_special_logins(a, config);
    impl_->accounts.push_back(std::move(a));
  }
  if (adjust) adjust(config);
  impl_->server = std::make_unique<refd::server>(std::move(config));
  impl_->server->start_background();
  const auto ports = impl_->server->bound_ports();
  if (ports.size() != 2) throw std::runtime_error("the embedded pop3refd did not bind its two ports");
  impl_->plain_port = ports[0];
  impl_->tls_port = ports[1];
}

embedded_server::~embedded_server() {
  if (impl_->server) impl_->server->stop();
}

target embedded_server::target_for(tls_mode mode) const {
  target t;
  t.host = "127.0.0.1";
  t.tls = mode;
  t.port = mode == tls_mode::implicit ? impl_->tls_port : impl_->plain_port;
  t.ca_file = impl_->tls.cert.string();
  t.description = t.host + ":" + std::to_string(t.port) + " (embedded pop3refd" +
                  (mode == tls_mode::implicit ? ", implicit TLS)" : ")");
  t.facts = declared_facts();
  return t;
}

std::vector<std::string> embedded_server::declared_facts() { return {"XTND", "LAST", "APOP"}; }

const std::vector<embedded_variant>& embedded_variants() {
  static const std::vector<embedded_variant> variants{
      // Also for the scenarios that wait out whatever non-zero delay is announced.
      {"LOGIN-DELAY 5", {"LOGIN-DELAY=5"},
       {"rfc2449/login-delay/enforce-user-pass", "rfc2449/login-delay/enforce-apop", "rfc2449/login-delay/enforce-sasl",
        "rfc3206/auth/credentials-only-login-delay", "rfc2449/resp-codes/login-delay-within-delay",
        "rfc2449/login-delay/exact-announced"},
       {}, {},
       [](refd::server_config& c) { c.login_delay = std::chrono::seconds(5); }},
      {"EXPIRE 0", {"EXPIRE=0"}, {}, {}, {}, [](refd::server_config& c) { c.expire_days = 0; }},
      {"cleartext logins refused before TLS", {"FACT:CLEARTEXT-REFUSED"}, {}, {"CLEARTEXT-REFUSED"}, tls_mode::stls,
       [](refd::server_config& c) { c.require_tls_for_plaintext_auth = true; }},
      // The same configuration reached on its implicit-TLS port (RFC 8314), for the scenarios
      // about connections that start with the handshake.
      {"implicit TLS", {std::string(fact_prefix) + std::string(tls_on_connect_fact)}, {}, {}, tls_mode::implicit, {}},
      // RFC 1939 §13 (SHOULD NOT allow USER/PASS and APOP for one mailbox): every other scenario
      // needs both on every account, so the default configuration allows both.
      {"APOP-only accounts", {}, {"rfc1939/apop/not-with-pass"}, {}, {},
       [](refd::server_config& c) { c.apop_only = true; }},
  };
  return variants;
}

const embedded_variant* embedded_variant_for(const scenario& s, tls_mode run) {
  auto wanted = [&s](const embedded_variant& v) {
    if (std::find(v.scenarios.begin(), v.scenarios.end(), s.id) != v.scenarios.end()) return true;
    // requirement::to_string() is canonical (tags upper-cased when parsed), as `serves` is written.
    return std::any_of(s.required_caps.begin(), s.required_caps.end(), [&v](const requirement& r) {
      return !r.negated && std::find(v.serves.begin(), v.serves.end(), r.to_string()) != v.serves.end();
    });
  };
  for (const auto& v : embedded_variants()) {
    // A variant that only changes the transport to the run's own is the run itself.
    const bool same_as_run = !v.adjust && v.tls == run;
    if (wanted(v)) return same_as_run ? nullptr : &v;
  }
  return nullptr;
}

const std::vector<account>& embedded_server::accounts() const noexcept { return impl_->accounts; }

const std::filesystem::path& embedded_server::root() const noexcept { return impl_->dir.path; }

}  // namespace pop3::harness
