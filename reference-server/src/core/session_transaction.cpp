// TRANSACTION state (RFC 1939 §5, §7) and the UPDATE commit (§6).
#include <algorithm>

#include "pop3/protocol/command.hpp"
#include "session_impl.hpp"

namespace pop3::refd {

namespace {

// RFC 1939 §7 TOP: the headers, the blank line, then `lines` body lines. DIGEST A36: without a
// blank line the whole message is headers and is sent as it is; more lines than the body has
// also give the whole message. content is CRLF-normalised, so every line ends in CRLF.
std::string_view top_of(std::string_view content, std::uint64_t lines) {
  std::size_t end = 0;
  if (content.starts_with("\r\n")) {
    end = 2;
  } else {
    const auto blank = content.find("\r\n\r\n");
    if (blank == std::string_view::npos) return content;
    end = blank + 4;
  }
  for (std::uint64_t i = 0; i < lines; ++i) {
    const auto eol = content.find("\r\n", end);
    if (eol == std::string_view::npos) return content;
    end = eol + 2;
  }
  return content.substr(0, end);
}

}  // namespace

detail::message_ref session::impl::resolve_message(std::string_view arg) const {
  return resolve_message(arg, config_.caps.uid_param);
}

detail::message_ref session::impl::resolve_message(std::string_view arg, bool uid_form) const {
  // UID-PARAM: "UID:" with the prefix in any case (DIGEST A13); all digits is still a number.
  if (uid_form && arg.size() >= 4 && detail::upper_ascii(arg.substr(0, 4)) == "UID:") return resolve_uid(arg.substr(4));
  // DIGEST A24: 1*DIGIT only; no sign, no fraction, nothing that overflows.
  const auto number = protocol::parse_number(arg);
  if (!number) return {0, err("invalid message number")};
  if (*number == 0 || *number > messages_.size()) return {0, err("no such message")};
  const auto index = static_cast<std::size_t>(*number - 1);
  // A DELI'd number is never reused for another message (DIGEST A6): it stays deleted.
  if (gone(index)) return {0, err("message " + std::to_string(*number) + " is deleted")};
  return {index, std::nullopt};
}

std::pair<std::size_t, std::uint64_t> session::impl::visible_totals() const noexcept {
  std::size_t count = 0;
  std::uint64_t octets = 0;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (gone(i)) continue;
    ++count;
    octets += messages_[i].size;
  }
  return {count, octets};
}

session_output session::impl::cmd_stat(const protocol::command&) {
  const auto [count, octets] = visible_totals();
  return ok(std::to_string(count) + " " + std::to_string(octets));
}

session_output session::impl::cmd_list(const protocol::command& cmd) {
  if (!cmd.args.empty()) {
    const auto ref = resolve_message(cmd.args[0]);
    if (ref.error) return *ref.error;
    return ok(std::to_string(ref.index + 1) + " " + std::to_string(messages_[ref.index].size));
  }
  std::string lines;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (!gone(i)) lines += std::to_string(i + 1) + " " + std::to_string(messages_[i].size) + "\r\n";
  }
  const auto [count, octets] = visible_totals();
  return multiline(std::to_string(count) + " messages (" + std::to_string(octets) + " octets)", lines);
}

session_output session::impl::cmd_uidl(const protocol::command& cmd) {
  if (!cmd.args.empty()) {
    const auto ref = resolve_message(cmd.args[0]);
    if (ref.error) return *ref.error;
    return ok(std::to_string(ref.index + 1) + " " + messages_[ref.index].uid);
  }
  std::string lines;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (!gone(i)) lines += std::to_string(i + 1) + " " + messages_[i].uid + "\r\n";
  }
  return multiline("unique-id listing follows", lines);
}

session_output session::impl::cmd_retr(const protocol::command& cmd) {
  const auto ref = resolve_message(cmd.args[0]);
  if (ref.error) return *ref.error;
  store_errc e = store_errc::ok;
  const auto content = store_.read(messages_[ref.index], e);
  if (!content) return err("cannot read message", code_for(e));
  retrieved_[ref.index] = true;
  highest_accessed_ = std::max<std::uint64_t>(highest_accessed_, ref.index + 1);  // RFC 1460 LAST
  return multiline(std::to_string(content->size()) + " octets", *content);
}

session_output session::impl::cmd_top(const protocol::command& cmd) {
  const auto ref = resolve_message(cmd.args[0]);
  if (ref.error) return *ref.error;
  const auto lines = protocol::parse_number(cmd.args[1]);
  if (!lines) return err("invalid line count");
  store_errc e = store_errc::ok;
  const auto content = store_.read(messages_[ref.index], e);
  if (!content) return err("cannot read message", code_for(e));
  // TOP does not count as retrieval for EXPIRE 0 (RFC 2449 §6.7 names RETR only).
  return multiline("top of message follows", top_of(*content, *lines));
}

session_output session::impl::cmd_dele(const protocol::command& cmd) {
  const auto ref = resolve_message(cmd.args[0]);
  if (ref.error) return *ref.error;
  deleted_[ref.index] = true;
  highest_accessed_ = std::max<std::uint64_t>(highest_accessed_, ref.index + 1);  // RFC 1460 §5 DELE, for LAST
  return ok("message " + std::to_string(ref.index + 1) + " deleted");
}

session_output session::impl::cmd_noop(const protocol::command&) { return ok(""); }

session_output session::impl::cmd_rset(const protocol::command&) {
  // Same snapshot, same numbers (RFC 1939 §5); RSET also cancels EXPIRE 0's implicit deletions,
  // so a client always has a way to leave the maildrop as it found it. It cannot bring back a
  // DELI'd message, which is gone from the store (DIGEST A7), and it resets LAST to 0 (RFC 1460).
  deleted_.assign(messages_.size(), false);
  retrieved_.assign(messages_.size(), false);
  highest_accessed_ = 0;
  return ok(maildrop_summary());
}

std::string session::impl::maildrop_summary() const {
  const auto [count, octets] = visible_totals();
  return "maildrop has " + std::to_string(count) + " messages (" + std::to_string(octets) + " octets)";
}

session_output session::impl::cmd_quit_transaction(const protocol::command&) {
  state_ = session_state::update;
  const auto result = commit(detail::commit_mode::best_effort);
  // RFC 1939 §6: reply, release the lock, close; a failed removal is reported and still closes.
  lock_.reset();
  state_ = session_state::closed;
  if (result.failed) return closing(err("some deleted messages not removed"));
  return closing(ok("POP3 server signing off (" + std::to_string(result.removed) + " messages deleted)"));
}

std::vector<message_entry> session::impl::doomed_messages() const {
  // RFC 2449 §6.7 / DIGEST A27: with EXPIRE 0 announced, RETR'd messages go too.
  const bool expire_retrieved =
      config_.caps.expire && account_ != nullptr && effective_expire_days(config_, *account_) == 0;
  std::vector<message_entry> doomed;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (expunged_[i]) continue;  // DELI removed it already
    if (deleted_[i] || (expire_retrieved && retrieved_[i])) doomed.push_back(messages_[i]);
  }
  return doomed;
}

detail::commit_result session::impl::commit(detail::commit_mode mode) {
  const auto doomed = doomed_messages();
  detail::commit_result result;
  if (!doomed.empty()) {
    if (mode == detail::commit_mode::all_or_nothing) {
      result.failed = !store_.remove_all_or_nothing(user_, doomed, result.error);
      result.removed = result.failed ? 0 : doomed.size();
    } else {
      result.removed = store_.remove(user_, doomed, result.error);
      result.failed = result.error != store_errc::ok || result.removed != doomed.size();
    }
  }
  if (config_.caps.last && !result.failed) {
    // LAST's "highest number accessed" outlives the session through the Maildir seen flag of
    // every message RETR'd and kept (RFC 1460 counts previous sessions too).
    std::vector<message_entry> seen;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
      if (retrieved_[i] && !gone(i) && !messages_[i].seen) seen.push_back(messages_[i]);
    }
    store_errc ignored = store_errc::ok;  // advisory: a flag that did not stick deletes nothing
    if (!seen.empty()) store_.mark_seen(user_, seen, ignored);
  }
  return result;
}

void session::impl::start_transaction(std::vector<message_entry> messages) {
  messages_ = std::move(messages);
  deleted_.assign(messages_.size(), false);
  retrieved_.assign(messages_.size(), false);
  expunged_.assign(messages_.size(), false);
  // RFC 1460: the highest message accessed in earlier sessions, i.e. the last one flagged seen.
  highest_accessed_ = 0;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (messages_[i].seen) highest_accessed_ = i + 1;
  }
  state_ = session_state::transaction;
}

}  // namespace pop3::refd
