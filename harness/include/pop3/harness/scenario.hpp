#pragma once
// The scenario language: its parsed form and the parser (reference: docs/scenario-language.md).
//
//   id:       examples/stat-rset
//   rules:    rfc1939/rset/unmarks
//   level:    MUST
//   state:    transaction
//
//   C: STAT
//   S: +OK $count $size
//   C: DELE 1
//   S: +OK
//   C: STAT
//   S: +OK ${count-1} *
#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/expression.hpp"
#include "pop3/harness/matcher.hpp"
#include "pop3/harness/tls_offer.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness {

/// Octets sent by C: and raw: steps: literal parts and ${...} / $name parts, concatenated.
struct text_template {
  struct part {
    std::string literal;                     ///< used when expr is null
    std::shared_ptr<const expression> expr;  ///< its value is inserted
  };
  std::vector<part> parts;
  std::string source;  ///< as written
};

/// C: (a line, CRLF appended) or raw: (exact octets).
struct send_step {
  text_template bytes;
  std::size_t chunk_size = 0;  ///< 0: one write; n: writes of n octets (1: byte at a time)
  bool raw = false;
};

/// S: one read, matched against alternatives; for a multi-line response, the block after it.
struct expect_step {
  std::vector<outcome> alternatives;
  bool multiline = false;  ///< a "+OK" answer starts a multi-line response (read to the "." line)
  bool greeting = false;   ///< this read is the connection's greeting
  std::optional<response_block> block;  ///< what the data must look like, when the scenario says
  std::string command;                  ///< the command it answers, for messages ("" for the greeting)
};

/// tls [min-version=V] [max-version=V] [ciphers=LIST] [refused | or-refused]: TLS handshake now
/// (after "+OK" to STLS), offering what `offer` says. With `refused` the handshake must fail (the
/// server refuses it with an alert or a close); the connection is over afterwards. With
/// `or-refused` either is right: a refusal ends the connection like a `<closed>` alternative
/// (its later steps are skipped), a completed handshake goes on with them.
struct tls_step {
  tls_offer offer;
  bool refused = false;
  bool or_refused = false;
};
struct close_step {};  ///< close: drop the connection without QUIT
struct wait_step {     ///< wait: 2s, or wait: LOGIN-DELAY + 1s
  std::chrono::milliseconds duration{0};  ///< the fixed part
  /// A capability whose announced number of seconds is added to `duration` when the scenario
  /// starts (the TRANSACTION value if announced after login, else the AUTHORIZATION one); "" for
  /// a fixed wait.
  std::string announced_seconds;
};
struct deliver_step {  ///< deliver: fixtures/new.eml (through the fixture adapter)
  std::string path;
  std::string message;  ///< the file's octets
};

struct step {
  source_location where;
  std::string conn;    ///< "" for the only connection, else "a", "b", ...
  std::string origin;  ///< the macro that produced it ("login: user"), "" for written steps
  std::variant<send_step, expect_step, tls_step, close_step, wait_step, deliver_step> action;
};

/// Where each connection starts: before the greeting, after it, or logged in.
enum class start_state { greeting, authorization, transaction };

/// A capability gate: TAG, or TAG=PARAM (the capability lists PARAM, e.g. SASL=PLAIN), or
/// FACT:NAME (the run declares the fact NAME; the ':' keeps it apart from every CAPA tag).
struct requirement {
  std::string tag, param;
  source_location where;
  bool fact = false;     ///< FACT:NAME (tag holds NAME)
  bool negated = false;  ///< !TAG or !FACT:NAME: run only when NOT advertised / declared (requires: only)
  [[nodiscard]] std::string to_string() const;
};

struct rule_ref {
  std::string id;
  source_location where;
};

/// What the account must contain before the run.
struct mailbox_fixture {
  enum class kind {
    any,        ///< whatever is there (no provisioning)
    empty,      ///< no messages
    generated,  ///< `count` generated messages (generated_message())
    files,      ///< exactly these files, in order
  };
  struct file {
    std::string path, content;
  };
  kind k = kind::any;
  std::size_t count = 0;
  std::vector<file> files;
};

struct scenario {
  std::string file, id, title;
  std::vector<rule_ref> rules;
  reports::level lvl = reports::level::must;
  std::vector<requirement> required_caps;  ///< requires: skip unless advertised
  std::vector<requirement> probe_caps;     ///< probe: run anyway; pass warns, fail skips
  mailbox_fixture mailbox;
  start_state state = start_state::authorization;
  bool destructive = false;
  std::vector<std::string> connections;  ///< declared names; empty: one unnamed connection
  std::vector<step> steps;
  source_location id_where, level_where;
  /// From the catalogue (mark_security()), not the file: why a failure of this scenario is a
  /// security finding when its rules are security rules; "" otherwise.
  std::string security;
};

struct parse_result {
  scenario value;  ///< best effort when there are diagnostics
  std::vector<diagnostic> diagnostics;
  [[nodiscard]] bool ok() const noexcept { return diagnostics.empty(); }
};

/// A file found by a resolver: its display path and content.
struct resolved_file {
  std::string path, content;
};
/// Loads a file named in a scenario (include:, mailbox:, body:, deliver:) relative to the file
/// that names it; nullopt when it cannot be read.
using include_resolver =
    std::function<std::optional<resolved_file>(const std::string& from_file, const std::string& path)>;

/// Parses scenario text. Never throws; every problem becomes a diagnostic. Without a resolver,
/// every include and fixture reference is an error.
[[nodiscard]] parse_result parse_scenario(std::string_view text, std::string file_name,
                                          const include_resolver& resolve = {});
/// Reads and parses a file with filesystem_resolver().
[[nodiscard]] parse_result parse_scenario_file(const std::filesystem::path& path);

/// Looks a path up beside the naming file, then in each parent folder up to the first folder that
/// holds rules.tsv (the scenarios root) or the filesystem root: the nearest match wins.
[[nodiscard]] include_resolver filesystem_resolver();

/// The exact octets of each message to provision before the run, in order (empty for
/// `mailbox: any` and `mailbox: empty`; use s.mailbox.k to tell them apart).
[[nodiscard]] std::vector<std::string> mailbox_messages(const scenario& s);
/// Generated message `number` (1-based) of `count`: CRLF lines, distinct sizes, a line "." and a
/// line "..x" in every third message (so dot-stuffing is exercised).
[[nodiscard]] std::string generated_message(std::size_t number, std::size_t count);
/// True when the scenario needs a fixture adapter (a provisioned mailbox or deliver: steps).
[[nodiscard]] bool needs_fixtures(const scenario& s);
/// The time the scenario's wait: steps add up to (what --max-wait compares).
[[nodiscard]] std::chrono::milliseconds total_wait(const scenario& s);

/// Names bound before any step runs (see docs/scenario-language.md, "Captures and expressions").
/// long_* and utf8_* are the account's extra logins (run_context::long_login, utf8_login).
inline constexpr std::array<std::string_view, 11> builtin_names{
    "user",          "password",      "sasl_plain",      "timestamp",      "apop_digest",    "long_user",
    "long_password", "long_sasl_plain", "utf8_user",     "utf8_password",  "utf8_sasl_plain"};
[[nodiscard]] bool is_builtin_name(std::string_view name) noexcept;
/// Built-ins that belong to one connection's greeting, also readable from any connection as
/// $a.timestamp / ${a.apop_digest} (connection a's value).
inline constexpr std::array<std::string_view, 2> connection_builtin_names{"timestamp", "apop_digest"};
/// A connection-qualified name "a.apop_digest" split at its dot.
struct qualified_name {
  std::string conn, field;
};
/// The parts of "conn.field"; nullopt for a plain name.
[[nodiscard]] std::optional<qualified_name> split_qualified_name(std::string_view name);

/// The prefix of a declared-fact gate in requires: and probe: (FACT:XTND), see requirement.
inline constexpr std::string_view fact_prefix = "FACT:";
/// The fact a run over implicit TLS declares itself (`pop3spec run --tls`); never declared by hand.
inline constexpr std::string_view tls_on_connect_fact = "TLS-ON-CONNECT";

/// File name extensions: scenarios and included step files.
inline constexpr std::string_view scenario_extension = ".pop3";
inline constexpr std::string_view include_extension = ".inc";

}  // namespace pop3::harness
