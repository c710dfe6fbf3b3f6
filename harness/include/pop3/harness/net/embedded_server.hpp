#pragma once
// The embedded default target: pop3spec with no --server starts the reference server in-process
// on 127.0.0.1 (ephemeral ports, one plain with STLS, one implicit TLS), in a private temp
// directory with one Maildir per account, a freshly generated certificate and APOP secrets.
// Everything is removed again on destruction.
//
// Flow: the constructor makes the temp directory, the certificate, the accounts and their
// Maildirs, then starts the server on its own thread; target_for() and accounts() feed a runner;
// the destructor stops the server and removes the directory.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pop3/harness/net/runner.hpp"

namespace pop3::refd {
struct server_config;
}

namespace pop3::harness {

/// Gives account `a` the special logins of the RFC 4616 scenarios ($long_user: 255-octet name and
/// password; $utf8_user: a non-ASCII UTF-8 password), each added to `config` as a user of its own
/// with its own Maildir under config.maildir_root, so they never lock a.user's maildrop.
void add_special_logins(account& a, refd::server_config& config);

class embedded_server {
 public:
  /// Adjusts the configuration before the server starts (`pop3spec compare` mirrors the server
  /// under test's capabilities with it).
  using configure = std::function<void(refd::server_config&)>;

  /// Starts pop3refd with accounts alice1..aliceN (N >= 1). Throws std::runtime_error.
  explicit embedded_server(std::size_t accounts, const configure& adjust = {});
  /// Stops the server and removes the temp directory.
  ~embedded_server();
  embedded_server(const embedded_server&) = delete;
  embedded_server& operator=(const embedded_server&) = delete;

  /// How to reach it: tls_mode::implicit uses the implicit-TLS port, the others the plain port
  /// (which offers STLS). The generated certificate is the trust anchor.
  [[nodiscard]] target target_for(tls_mode mode) const;
  /// What the embedded pop3refd implements without a CAPA tag to say so (see `requires: FACT:`):
  /// XTND and LAST, and APOP (its accounts have APOP secrets). A broken one must fail, not skip.
  [[nodiscard]] static std::vector<std::string> declared_facts();
  /// The accounts, each disposable and with a maildir: adapter on its own Maildir.
  [[nodiscard]] const std::vector<account>& accounts() const noexcept;
  /// The temp directory (Maildirs under maildirs/<user>, cert.pem, key.pem).
  [[nodiscard]] const std::filesystem::path& root() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// A differently configured embedded pop3refd for the scenarios that need a configuration the
/// default one does not have (LOGIN-DELAY 5, EXPIRE 0, cleartext logins refused before TLS, APOP-only
/// accounts): against the default server they would skip (or, for APOP-only accounts, meet the
/// default's documented deviation), so `pop3spec run` without --server runs them against their
/// variant instead.
struct embedded_variant {
  std::string name;                    ///< for people: "LOGIN-DELAY 5"
  std::vector<std::string> serves;     ///< the requirements it meets, as requirement::to_string() gives them ("EXPIRE=0")
  std::vector<std::string> scenarios;  ///< ids it is for whatever they require (a policy no CAPA shows)
  std::vector<std::string> facts;      ///< declared in addition to embedded_server::declared_facts()
  std::optional<tls_mode> tls;         ///< how the run reaches it (stls: the probe logs in after STLS)
  embedded_server::configure adjust;   ///< applied on top of the default configuration
};

/// Every variant, in the order they are tried.
[[nodiscard]] const std::vector<embedded_variant>& embedded_variants();
/// The variant whose configuration one of the scenario's `requires:` asks for (as written in
/// `serves`), or that names the scenario; null: the default server of a run using `run`, which is
/// also the answer when the variant would only repeat that run's transport.
[[nodiscard]] const embedded_variant* embedded_variant_for(const scenario& s, tls_mode run = tls_mode::none);

}  // namespace pop3::harness
