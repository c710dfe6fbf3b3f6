#pragma once
// Internal: the state of one POP3 session, shared by the files that implement it:
//   session.cpp              line checks, the per-state command tables, dispatch, public wrappers
//   session_responses.cpp    status lines, response codes gated by the announced capabilities
//   session_auth.cpp         USER, PASS, APOP, STLS, QUIT before login; opening the maildrop
//   session_sasl.cpp         AUTH (RFC 5034): PLAIN and CRAM-MD5
//   session_transaction.cpp  STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL, QUIT; the message
//                            resolver and the UPDATE commit
//   session_capabilities.cpp CAPA
//   session_extensions.cpp   SLEE, WAKE, CORE (billpg), DELI, UID: references, LAST (RFC 1460), XTND
//
// Flow: authorization --(PASS/APOP/AUTH +OK: lock taken, snapshot scanned)--> transaction
//       --(QUIT: commit())--> update --> closed. With SLEEPING: transaction --(SLEE: commit(),
//       lock released)--> sleep --(WAKE: lock taken, fresh snapshot)--> transaction. With CORE:
//       transaction --(CORE: commit(), fresh snapshot, lock kept)--> transaction. A drop or
//       timeout (on_disconnect) goes straight to closed: nothing committed, lock released. A SASL
//       exchange is a sub-state of authorization in which lines are client responses, not commands.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ascii.hpp"
#include "pop3/protocol/command.hpp"
#include "pop3/refd/maildir_store.hpp"
#include "pop3/refd/session.hpp"

namespace pop3::refd {

namespace detail {

/// Response codes the session may attach (RFC 2449 §8, RFC 3206, billpg's UID-PARAM and CORE).
enum class resp_code { none, auth, in_use, login_delay, sys_temp, sys_perm, uid, activity_new, activity_none };

enum class sasl_mechanism { plain, cram_md5 };

/// An AUTH exchange waiting for the client's next response line.
struct sasl_exchange {
  sasl_mechanism mechanism = sasl_mechanism::plain;
  std::string challenge;  ///< what the server sent (CRAM-MD5's msg-id); empty for PLAIN
};

/// A message argument resolved to an index into the snapshot, or the -ERR to send.
struct message_ref {
  std::size_t index = 0;
  std::optional<session_output> error;
};

/// How a commit may fail: QUIT removes what it can (RFC 1939 §6, DIGEST A39); SLEE and CORE
/// must leave the mailbox unchanged when they fail (SLEEPING draft §5, DIGEST A31).
enum class commit_mode { best_effort, all_or_nothing };

/// What an UPDATE (QUIT, SLEE, CORE) did to the store.
struct commit_result {
  std::size_t removed = 0;
  bool failed = false;  ///< some (best_effort) or all (all_or_nothing) messages to delete were not removed
  store_errc error = store_errc::ok;
};

/// Compares a secret or digest without a timing signal about where the first difference is.
[[nodiscard]] bool secrets_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace detail

struct session::impl {
  using handler = session_output (impl::*)(const protocol::command&);
  struct command_entry {
    std::string_view keyword;
    handler run;
    bool capability_switches::*enabled;  ///< the switch that enables the command; null = always
    std::size_t min_args = 0, max_args = 0;
  };

  impl(const server_config& config, maildir_store& store, connection_info conn, session_environment env);

  // session.cpp
  session_output greet();
  session_output on_line(const protocol::framed_line& line);
  session_output dispatch(const protocol::command& cmd);
  [[nodiscard]] static std::span<const command_entry> commands_for(session_state state) noexcept;
  [[nodiscard]] const command_entry* find_command(session_state state, std::string_view keyword) const;
  [[nodiscard]] bool enabled(const command_entry& entry) const noexcept;
  [[nodiscard]] std::size_t max_line_octets() const noexcept;
  void on_tls_established();
  void on_disconnect();

  // session_responses.cpp
  [[nodiscard]] session_output ok(std::string_view text, detail::resp_code code = detail::resp_code::none) const;
  [[nodiscard]] session_output err(std::string_view text, detail::resp_code code = detail::resp_code::none) const;
  [[nodiscard]] std::string_view code_tag(detail::resp_code code) const noexcept;
  [[nodiscard]] session_output multiline(std::string_view first_line_text, std::string_view crlf_content) const;
  [[nodiscard]] static detail::resp_code code_for(store_errc e) noexcept;
  [[nodiscard]] static session_output closing(session_output out);

  // session_auth.cpp
  session_output cmd_user(const protocol::command& cmd);
  session_output cmd_pass(const protocol::command& cmd);
  session_output cmd_apop(const protocol::command& cmd);
  session_output cmd_stls(const protocol::command& cmd);
  session_output cmd_quit_authorization(const protocol::command& cmd);
  /// Completes any authentication: credentials already checked by the caller.
  session_output login(const std::string& user, bool credentials_ok);
  /// The -ERR [LOGIN-DELAY] for a login (or WAKE) now, if one is due (RFC 2449 §6.5).
  [[nodiscard]] std::optional<session_output> login_delay_refusal(const std::string& user, const user_account& account,
                                                                  std::chrono::steady_clock::time_point now) const;
  /// Takes the maildrop lock and scans it (login, WAKE); on success a fresh TRANSACTION begins,
  /// otherwise the -ERR to send.
  std::optional<session_output> open_maildrop(const std::string& user);
  [[nodiscard]] const user_account* find_account(const std::string& user) const;
  /// find_account() for a login with the password (PASS, PLAIN, CRAM-MD5): null for an account
  /// that logs in only with APOP (config apop_only, RFC 1939 §13).
  [[nodiscard]] const user_account* find_password_account(const std::string& user) const;
  [[nodiscard]] bool plaintext_auth_allowed() const noexcept;
  /// AUTH-RESP-CODE is a response code, so it is announced (and [AUTH] sent) only together with
  /// RESP-CODES: RFC 2449 §8 ties every response code to that capability.
  [[nodiscard]] bool auth_resp_code_announced() const noexcept {
    return config_.caps.auth_resp_code && config_.caps.resp_codes;
  }
  [[nodiscard]] bool stls_possible() const noexcept;

  // session_sasl.cpp
  session_output cmd_auth(const protocol::command& cmd);
  session_output on_sasl_response(const protocol::framed_line& line);
  session_output sasl_step(std::string_view decoded);
  [[nodiscard]] std::vector<std::string> sasl_mechanisms_offered() const;

  // session_transaction.cpp
  session_output cmd_stat(const protocol::command& cmd);
  session_output cmd_list(const protocol::command& cmd);
  session_output cmd_retr(const protocol::command& cmd);
  session_output cmd_dele(const protocol::command& cmd);
  session_output cmd_noop(const protocol::command& cmd);
  session_output cmd_rset(const protocol::command& cmd);
  session_output cmd_top(const protocol::command& cmd);
  session_output cmd_uidl(const protocol::command& cmd);
  session_output cmd_quit_transaction(const protocol::command& cmd);
  /// A message argument: 1*DIGIT, or "UID:<uid>" where uid_form allows it (UID-PARAM; DELI always).
  [[nodiscard]] detail::message_ref resolve_message(std::string_view arg, bool uid_form) const;
  [[nodiscard]] detail::message_ref resolve_message(std::string_view arg) const;
  /// What the next commit removes: DELE marks, and RETR'd messages under EXPIRE 0 (DIGEST A27).
  [[nodiscard]] std::vector<message_entry> doomed_messages() const;
  detail::commit_result commit(detail::commit_mode mode);
  /// The snapshot becomes the session's; nothing marked, numbers 1..n.
  void start_transaction(std::vector<message_entry> messages);
  [[nodiscard]] bool gone(std::size_t index) const noexcept { return deleted_[index] || expunged_[index]; }
  [[nodiscard]] std::pair<std::size_t, std::uint64_t> visible_totals() const noexcept;
  [[nodiscard]] std::string maildrop_summary() const;

  // session_capabilities.cpp
  session_output cmd_capa(const protocol::command& cmd);

  // session_extensions.cpp
  session_output cmd_slee(const protocol::command& cmd);
  session_output cmd_wake(const protocol::command& cmd);
  session_output cmd_core(const protocol::command& cmd);
  session_output cmd_deli(const protocol::command& cmd);
  session_output cmd_last(const protocol::command& cmd);
  session_output cmd_xtnd(const protocol::command& cmd);
  [[nodiscard]] detail::message_ref resolve_uid(std::string_view uid) const;
  /// Before SLEE or CORE ends a TRANSACTION: the uids of the snapshot's messages that stay.
  void remember_kept_uids(const std::vector<message_entry>& doomed);
  /// After WAKE or CORE started a fresh TRANSACTION: ACTIVITY/NEW if it reaches a message that
  /// previous_uids_ (the snapshot before) did not have, else ACTIVITY/NONE (DIGEST A30).
  [[nodiscard]] detail::resp_code activity_since_previous();

  const server_config& config_;
  maildir_store& store_;
  connection_info conn_;
  session_environment env_;

  session_state state_ = session_state::authorization;
  std::string timestamp_;                        // the APOP msg-id of this connection's greeting
  std::optional<std::string> pending_user_;      // after USER +OK, until PASS or a reset
  std::optional<detail::sasl_exchange> sasl_;    // an AUTH exchange in progress
  bool tls_starting_ = false;                    // STLS answered +OK, handshake not yet done
  int auth_failures_ = 0;

  std::string user_;                             // the authenticated user
  const user_account* account_ = nullptr;
  std::unique_ptr<maildrop_lock> lock_;
  std::vector<message_entry> messages_;          // the snapshot, fixed for the session
  std::vector<bool> deleted_;                    // DELE marks
  std::vector<bool> retrieved_;                  // RETR'd, for EXPIRE 0 and LAST's seen flags
  std::vector<bool> expunged_;                   // removed by DELI: gone for good, RSET cannot undo it (A7)
  std::uint64_t highest_accessed_ = 0;           // LAST (RFC 1460)
  std::vector<std::string> previous_uids_;       // kept messages of the snapshot before SLEE/CORE (ACTIVITY)
};

}  // namespace pop3::refd
