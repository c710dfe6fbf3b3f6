#pragma once
// The step interpreter behind pop3::harness::executor (internal).
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "gating.hpp"
#include "pop3/harness/executor.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/protocol/multiline.hpp"
#include "session_ledger.hpp"
#include "transcript.hpp"

namespace pop3::harness::detail {

/// Longest data line of a multi-line response the harness reads (status lines: 512 octets).
inline constexpr std::size_t max_data_line_octets = (1u << 20) + 2;
/// Data lines shown per block in the transcript (the rest is summarised in a note).
inline constexpr std::size_t transcript_block_lines = 200;

/// "TLS established (TLSv1.3 TLS_AES_256_GCM_SHA384)": the transcript's note for a completed handshake.
[[nodiscard]] std::string established(const ok_event& ok);

/// How the transcript and messages show a close: "<closed>", "<closed> (TLS close_notify)" or
/// "<closed> (TLS without close_notify)".
[[nodiscard]] std::string closed_note(const closed_event& e);

/// Flow: the constructor decides the gates and builds the program (the scenario's steps with a
/// connect, greeting read and, for state: transaction, a login inserted before the first step
/// of each connection). next() hands out the action of the current op; on() applies the event
/// and advances pc_, or finishes with a verdict. Finishing closes every open connection (one
/// close_action each), then next() returns finished_action for ever.
/// In record mode (run_context::record_responses) each read also appends a recorded_response,
/// and fail() only notes the first unmet expectation: the handlers then carry on as if the
/// expectation had been met (`if (finishing_) return;` after each fail() is the check-mode exit).
class interpreter {
 public:
  interpreter(const scenario& s, run_context ctx);
  interpreter(const interpreter&) = delete;
  interpreter& operator=(const interpreter&) = delete;

  action next();
  void on(const event& e);
  [[nodiscard]] const reports::scenario_result& result() const noexcept { return result_; }
  [[nodiscard]] const std::vector<recorded_response>& recording() const noexcept { return recording_; }

 private:
  struct connect_op {
    std::string conn;
    source_location where;
  };
  using op = std::variant<connect_op, step>;

  struct connection {
    bool open = false;
    int closed_by_server_at = 0;  // line of the step after which it ended (see abandon())
    std::optional<std::string> timestamp;
    session_ledger ledger;  // what the session said so far, for the invariants every scenario checks
  };

  void build_program(login_method login);
  std::optional<action> start(const step& st);
  void on_connect(const connect_op& c, const event& e);
  void on_send(const step& st, const event& e);
  void on_status(const step& st, const expect_step& x, const event& e);
  void on_block_line(const step& st, const expect_step& x, const event& e);
  void on_tls(const step& st, const event& e);
  /// `tls ... refused`: a failure through the server passes, a completed handshake fails.
  void on_tls_refused(const step& st, const event& e);
  void on_other(const step& st, const event& e);

  /// Handles failed_event (and, where no other event is meaningful, the rest); true if finished.
  bool unexpected(const step& st, const event& e, const std::string& doing);
  [[nodiscard]] std::optional<std::string> builtin_gap(const std::string& conn,
                                                    const std::vector<std::string>& names) const;
  [[nodiscard]] value_lookup lookup(const std::string& conn) const;
  /// The built-in prefixes of the account's extra logins ("long_", "utf8_").
  [[nodiscard]] std::array<std::pair<std::string_view, const extra_login*>, 2> extra_logins() const;
  void commit(const std::vector<std::pair<std::string, std::string>>& captures);
  void fail(const step& st, const std::string& expected, const std::string& actual, const std::string& why);
  /// A broken session invariant (session_ledger): a fail of the invariant's own rule.
  void fail_invariant(const step& st, const invariant_violation& v);
  /// The status line `st` read on its connection (and, for a multi-line answer, its data): tells
  /// the ledger; false if that broke an invariant (the scenario is then finishing).
  bool tell_ledger(const step& st, std::string_view status, const std::vector<std::string>* data = nullptr,
                   const std::string* content = nullptr);
  /// Why a close where an answer was due says nothing about the scenario's rules, if it does not:
  /// after -ERR in the AUTHORIZATION state (RFC 1939 §4 lets the server close) or after a run of
  /// -ERR replies (a limit on bad commands). Empty: the close is evidence.
  [[nodiscard]] std::string inconclusive_close(const step& st) const;
  /// Ends the scenario as a skip if a close at `st` is inconclusive (see above); true if it did.
  bool end_if_inconclusive(const step& st);
  /// Ends the scenario as a skip: the server gave an answer a scenario marked <inconclusive: REASON>.
  void end_inconclusive(const step& st, const std::string& reason, const std::string& what);
  /// A setup step (the state: transaction login before the scenario's steps) is not evidence
  /// about the scenario's rules: its failure is an error of the setup.
  [[nodiscard]] bool is_setup(const step& st) const;
  /// Record mode: appends the response read for `st` (null in check mode).
  recorded_response* remember(const step& st, recorded_response::kind k, std::string status = {});
  /// After the server ended connection st.conn (or, in record mode, broke it or went silent):
  /// skip its later steps and go on with the others.
  void abandon(const step& st);
  void finish(reports::verdict v, std::string message, std::string expected = {}, std::string actual = {});
  void finalize();
  void confirm_probed_commands();
  [[nodiscard]] static std::string prefix(const step& st);

  scenario s_;
  run_context ctx_;
  reports::scenario_result result_;
  transcript_recorder transcript_;
  std::vector<std::string> probing_;
  std::vector<std::string> unadvertised_;  // probed tags seen working but not advertised
  std::vector<op> program_;
  std::size_t pc_ = 0;
  std::optional<action> current_;  // handed out by next(), not yet answered by on()
  bool in_block_ = false;
  protocol::multiline_decoder decoder_;
  std::vector<std::string> wire_lines_;
  std::string block_status_;  // the status line of the multi-line answer being read
  std::map<std::string, connection> conns_;
  /// Messages of the mailbox fixture without a final line end (the ledger allows them CRLF more).
  std::set<std::uint64_t> unterminated_;
  std::map<std::string, std::string, std::less<>> captures_;
  bool finishing_ = false;
  bool done_ = false;
  std::vector<recorded_response> recording_;
  struct mismatch {
    std::string message, expected, actual;
  };
  std::optional<mismatch> first_mismatch_;  // record mode: the verdict once the program ends
};

}  // namespace pop3::harness::detail
