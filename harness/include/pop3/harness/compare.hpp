#pragma once
// Differential comparison (`pop3spec compare`): one scenario is recorded against the reference
// server and against the server under test (executor record mode), and the two recordings are
// compared response by response, after the normalisations of what two correct servers may
// legitimately answer differently. Everything here is pure: no I/O. docs/compare.md is the
// reference for the normalisations and the kinds of divergence.
//
//   scenario s = prepare_for_recording(parsed);        // reads for commands without S: lines
//   recorded_run ref = ..., sut = ...;                 // the runner, in record mode
//   comparison c = compare_runs(ref, sut, options);    // c.divergences, c.normalised
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/diagnostic.hpp"
#include "pop3/harness/executor.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/protocol/capabilities.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness {

/// What may legitimately differ between two correct servers. Each one is on by default and can
/// be switched off by name (`pop3spec compare --no-normalise NAME`).
enum class normalisation {
  free_text,       ///< "free-text": text after +OK/-ERR, its response code and the fields of the command
  greeting,        ///< "greeting": the greeting's text
  apop_timestamp,  ///< "apop-timestamp": the value of the greeting's <...> timestamp (not its presence)
  unique_ids,      ///< "unique-ids": UIDL values are paired by message, not compared literally
  implementation,  ///< "implementation": the argument of the CAPA IMPLEMENTATION line
  added_headers,   ///< "added-headers": header fields the server under test adds to stored
                   ///< messages (Received:, Status:, ...) and the octets they add to sizes
};
inline constexpr std::size_t normalisation_count = 6;
inline constexpr std::array<normalisation, normalisation_count> all_normalisations{
    normalisation::free_text,  normalisation::greeting,       normalisation::apop_timestamp,
    normalisation::unique_ids, normalisation::implementation, normalisation::added_headers};

/// "free-text", "greeting", "apop-timestamp", "unique-ids", "implementation", "added-headers".
[[nodiscard]] std::string_view name_of(normalisation n) noexcept;
/// One sentence for --help and reports.
[[nodiscard]] std::string_view description_of(normalisation n) noexcept;
[[nodiscard]] std::optional<normalisation> normalisation_from_name(std::string_view name) noexcept;

/// Header fields that servers add to the messages they store (added-headers), case-insensitive.
inline constexpr std::array<std::string_view, 12> default_added_headers{
    "Received",   "Status",     "X-Status",    "X-UID",        "X-UIDL",         "X-IMAP",
    "X-IMAPbase", "X-Keywords", "Return-Path", "Delivered-To", "Content-Length", "Lines"};

struct compare_options {
  std::array<bool, normalisation_count> normalise{true, true, true, true, true, true};
  std::vector<std::string> added_headers{default_added_headers.begin(), default_added_headers.end()};

  [[nodiscard]] bool on(normalisation n) const noexcept { return normalise[static_cast<std::size_t>(n)]; }
  void set(normalisation n, bool value) noexcept { normalise[static_cast<std::size_t>(n)] = value; }
};

/// One place where the two servers answered differently (after normalisation).
struct divergence {
  enum class kind {
    status,         ///< +OK against -ERR (or another first token)
    response_code,  ///< the [CODE] after the status differs or is missing on one side
    text,           ///< free text (only with free-text switched off)
    greeting,       ///< the greeting's text or timestamp (only with those normalisations off)
    size,           ///< an octet count (STAT, LIST)
    unique_id,      ///< a UIDL value (literally, or the pairing by message broke)
    line_count,     ///< a multi-line response has a different number of lines
    content,        ///< a data line of a multi-line response differs
    capabilities,   ///< a capability (or its parameters, or APOP) is offered by one side only
    connection,     ///< one side closed the connection (or broke the send or TLS) where the other went on
    silence,        ///< one side answered, the other sent nothing in time
    framing,        ///< a line ends in a bare LF, is too long or has no end on one side only
    session,        ///< the two sessions took different paths (different commands, reads on one side)
  };
  kind k = kind::status;
  std::string conn;       ///< connection name ("" for the only one)
  source_location where;  ///< the step that read the response
  std::string command;    ///< the command answered ("" for the greeting)
  bool greeting = false;
  std::string what;                   ///< one readable sentence
  std::string reference, under_test;  ///< the differing values, as short text
  /// Both answers meet the scenario's own expectation for this step: the scenario (and the RFC
  /// behind it) allows either, so this is a difference in behaviour, not a fault of either side.
  bool scenario_accepts_both = false;
};
/// "status", "response-code", "text", ... (the names docs/compare.md uses).
[[nodiscard]] std::string_view name_of(divergence::kind k) noexcept;
/// "file:line: [a: ]COMMAND: kind: what[ (the scenario accepts both)]" (one line; "greeting" for
/// the greeting).
[[nodiscard]] std::string describe(const divergence& d);

/// One side's run of a scenario in record mode.
struct recorded_run {
  reports::scenario_result result;           ///< the verdict of the scenario's own expectations
  std::vector<recorded_response> responses;  ///< every read, in order
};

/// The outcome of comparing two recordings (or two server profiles).
struct comparison {
  std::vector<divergence> divergences;
  /// How many differences each normalisation hid (indexed by normalisation).
  std::array<std::size_t, normalisation_count> normalised{};
  /// What was not compared, and why (e.g. responses after one side closed the connection).
  std::vector<std::string> notes;
};

/// The origin (step::origin) of the reads prepare_for_recording() inserts.
inline constexpr std::string_view reference_defined_origin = "reference-defined";

/// The scenario as it runs in record mode: every command that no S: line answers gets a read
/// of its own (accepting any line or the close), right after the command is sent once no S: of
/// its connection is left to answer it; commands pipelined before a `tls` step are not read
/// (the server must discard them), except the STLS itself. Every S: also gets the command it
/// answers as written (`C: RETR $n` -> "RETR $n").
[[nodiscard]] scenario prepare_for_recording(const scenario& s);
/// True when the author wrote no S: line (login: macros aside): a scenario whose expectations
/// come from the reference server.
[[nodiscard]] bool is_reference_defined(const scenario& s);

/// Compares the two recordings of one prepared scenario. Responses are paired by connection,
/// step and order; unique-ids and size offsets are paired by message across the whole run. A
/// capability divergence that `probe` (the comparison of the capability probes) already has is
/// only counted in a note, so that every CAPA of every scenario does not repeat it.
[[nodiscard]] comparison compare_runs(const recorded_run& reference, const recorded_run& under_test,
                                      const compare_options& options, const comparison* probe = nullptr);

/// What the capability probe saw of one server.
struct server_profile {
  std::string greeting;
  protocol::capability_set before_login, after_login;
};
/// The probe as a recording, for compare_runs(): the greeting, then CAPA before and after login
/// (file "(capability probe)", lines 1 to 3).
[[nodiscard]] recorded_run profile_recording(const server_profile& p);

}  // namespace pop3::harness
