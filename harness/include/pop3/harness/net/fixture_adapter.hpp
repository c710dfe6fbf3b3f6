#pragma once
// Fixture adapters: how the harness puts mail into an account of a server it does not control.
// POP3 cannot create mail, so each adapter reaches the mailbox another way (files, an MTA, a script).
//
//   maildir:PATH       write into the account's Maildir (PATH may contain {user})
//   mbox:PATH          rewrite / append to the account's mbox file (PATH may contain {user}),
//                      under its dot-lock PATH.lock; each message followed by an empty line, as
//                      local delivery writes it (Postfix local(8), exim appendfile, mail.local)
//   mbox-no-blank:PATH the same without that empty line, for a server that serves it as part of
//                      the message (Solid POP3): the lab writes the dialect the server reads
//                      (both: what they create gets the mailbox's owner, group and mode, so a
//                      server reading mail as another user can read it)
//   smtp://host:port   deliver through an SMTP server to the account's address
//   lmtp://host:port   deliver through an LMTP server to the account's address
//   exec:COMMAND       run `/bin/sh -c COMMAND` with the message on stdin and
//                      POP3SPEC_USER / POP3SPEC_ACTION=deliver|clear in the environment
#include <chrono>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pop3::harness {

/// A fixture adapter could not do its job (I/O error, MTA refused, script failed).
class fixture_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The store cannot hold a message as it is: in an mbox written as MDAs write it, a message
/// without a header/body separator gains one (the empty line before the next "From "). Neither
/// the run's fault nor the server's: the scenario is skipped with this reason.
class fixture_unrepresentable : public fixture_error {
 public:
  using fixture_error::fixture_error;
};

/// Who the message is for.
struct mailbox_owner {
  std::string user;        ///< POP3 user name
  std::string address;     ///< mail address for SMTP/LMTP (empty: user, or user@localhost)
};

class fixture_adapter {
 public:
  virtual ~fixture_adapter() = default;

  /// True if replace() can empty the mailbox first. SMTP and LMTP cannot delete anything: for an
  /// exact mailbox the runner then empties it over POP3 (DELE all + QUIT), which is destructive.
  [[nodiscard]] virtual bool can_clear() const noexcept = 0;
  /// Makes the mailbox hold exactly `messages`, in this order (can_clear() adapters only).
  /// Messages are RFC 5322 text with CRLF or LF line ends. Throws fixture_error.
  virtual void replace(const mailbox_owner& owner, std::span<const std::string> messages) = 0;
  /// Adds one message after the existing ones. Throws fixture_error.
  virtual void deliver(const mailbox_owner& owner, const std::string& message) = 0;
  /// Why the store cannot hold `message` octet for octet ("" when it can). The runner asks before
  /// it provisions, so such a scenario is skipped before anything is written; replace() and
  /// deliver() throw fixture_unrepresentable if given one anyway.
  [[nodiscard]] virtual std::string unrepresentable(std::string_view message) const {
    static_cast<void>(message);
    return "";
  }
  /// The spec it was made from, e.g. "maildir:/srv/mail/{user}".
  [[nodiscard]] virtual std::string describe() const = 0;
  /// Waits (bounded) until no server session holds the mailbox's lock, so a scenario never starts
  /// while the previous scenario's dropped session is still ending (and writing the mailbox back).
  /// Returns false if the lock was still held when the wait ran out. Stores without a lock the
  /// harness can see return true at once.
  virtual bool settle(const mailbox_owner& /*owner*/) { return true; }
};

/// Builds an adapter from its spec (see the table above). `timeout` bounds every network
/// exchange or script run. Throws std::invalid_argument with a readable message on a bad spec.
[[nodiscard]] std::shared_ptr<fixture_adapter> make_fixture_adapter(std::string_view spec,
                                                                    std::chrono::milliseconds timeout);

/// Replaces every "{user}" in a path template.
[[nodiscard]] std::string expand_user(std::string_view path_template, std::string_view user);

}  // namespace pop3::harness
