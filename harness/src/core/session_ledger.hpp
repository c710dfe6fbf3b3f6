#pragma once
// What one POP3 session has said about its maildrop, and the checks that hold in every scenario
// (internal). Within a session the maildrop is fixed (RFC 1939 §4: sizes are noted when the
// maildrop is opened; §7: a unique-id identifies a message): what RETR sends matches the size LIST
// gave, a message's unique-id does not change, and STAT's total is the sum of the LIST sizes. The
// interpreter tells the ledger every answer it reads; the ledger names the first broken invariant.
//
// Flow: command_sent(line) for each command line on the connection, then answered(status, content)
// for each status line read (in order; content is the unstuffed data of a multi-line answer).
// Commands that change the view of the maildrop (DELE, RSET, SLEE/WAKE, ...) end what STAT and a
// full LIST can be compared against; unknown commands and the extensions that refresh the maildrop
// forget everything, so a check never rests on a view the server may have changed.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::harness::detail {

/// A broken invariant: the rule its evidence is about, and what happened in plain words.
struct invariant_violation {
  std::string rule;     ///< e.g. "rfc1939/list/exact-size"
  std::string message;  ///< e.g. "message 2: LIST said 304 octets, RETR sent 359 within the session"
};

class session_ledger {
 public:
  /// Messages (1-based) of a provisioned mailbox that lack a final line end: a server may add
  /// CRLF before the terminator, so RETR may send two octets more than the stored size.
  void set_unterminated_messages(std::set<std::uint64_t> numbers) { unterminated_ = std::move(numbers); }

  /// One command line sent on the connection (several for a pipelined batch).
  void command_sent(std::string_view line);
  /// Commands sent before a TLS handshake are never answered (RFC 2595 §4): forget them.
  void forget_unanswered() { unanswered_.clear(); }
  /// A status line arrived ("" when silence answered the oldest command); `content` is the
  /// unstuffed data of a complete multi-line answer, `data` its lines as sent.
  std::optional<invariant_violation> answered(std::string_view status, const std::vector<std::string>* data,
                                              const std::string* content);
  /// The oldest command not yet answered ("" if none), as sent.
  [[nodiscard]] std::string oldest_unanswered() const { return unanswered_.empty() ? "" : unanswered_.front(); }

  [[nodiscard]] bool logged_in() const noexcept { return logged_in_; }
  /// -ERR replies in a row on this connection, up to the last answer.
  [[nodiscard]] int errors_in_a_row() const noexcept { return errors_in_a_row_; }
  /// -ERR replies on this connection in all (a limit on bad commands may count them all: Solid
  /// POP3 closes after the fifth of the session, whatever came between).
  [[nodiscard]] int errors() const noexcept { return errors_; }
  /// Whether a command with this verb (upper case) got +OK on this connection: the command
  /// exists on the server, whatever CAPA says.
  [[nodiscard]] bool accepted(const std::string& verb) const { return accepted_verbs_.contains(verb); }

 private:
  std::optional<invariant_violation> note_size(std::uint64_t n, std::uint64_t size, std::string_view from);
  std::optional<invariant_violation> note_sent(std::uint64_t n, std::uint64_t octets);
  std::optional<invariant_violation> note_uid(std::uint64_t n, const std::string& uid);
  std::optional<invariant_violation> check_totals();
  void forget_view();

  std::deque<std::string> unanswered_;
  bool logged_in_ = false;
  bool in_sasl_exchange_ = false;
  int errors_in_a_row_ = 0;
  int errors_ = 0;
  std::set<std::uint64_t> unterminated_;
  std::set<std::string> accepted_verbs_;
  std::map<std::uint64_t, std::uint64_t> listed_size_;   // from LIST / LIST n
  std::map<std::uint64_t, std::uint64_t> sent_octets_;   // from RETR n
  std::map<std::uint64_t, std::string> uid_;             // from UIDL / UIDL n
  // The current view (no DELE/RSET since): STAT's answer and a complete LIST's, if seen.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> stat_;
  std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>> full_list_;
};

}  // namespace pop3::harness::detail
