// billpg's extensions: SLEE and WAKE (draft-billpg-pop3-sleeping-00), CORE and DELI (blog posts),
// "UID:" message references (UID-PARAM); and the legacy LAST (RFC 1460) and XTND
// (draft-rauschenbach-pop3-framework-00). docs/extensions.md gives the reason for each decision
// cited here (the A-numbers are DIGEST.md §10's).
#include <algorithm>
#include <set>

#include "session_impl.hpp"

namespace pop3::refd {

namespace {

// RFC 1939 §9's minimal commands: XTND lists what goes beyond them.
bool is_minimal_command(std::string_view keyword) {
  constexpr std::string_view minimal[] = {"STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT"};
  return std::ranges::find(minimal, keyword) != std::end(minimal);
}

// The messages' Maildir keys, sorted for has_key(): maildrops may hold many thousands.
std::vector<std::string> sorted_keys(const std::vector<message_entry>& entries) {
  std::vector<std::string> keys;
  keys.reserve(entries.size());
  for (const auto& e : entries) keys.push_back(e.file_key);
  std::ranges::sort(keys);
  return keys;
}

bool has_key(const std::vector<std::string>& sorted, const std::string& file_key) {
  return std::ranges::binary_search(sorted, file_key);
}

}  // namespace

detail::message_ref session::impl::resolve_uid(std::string_view uid) const {
  // The uid is compared exactly: case-sensitive (A13). Only this session's snapshot counts, so
  // mail that arrived since is unknown until WAKE or CORE (A12); a deleted message's uid is as
  // unknown as one never seen (A5).
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (messages_[i].uid == uid && !gone(i)) return {i, std::nullopt};
  }
  return {0, err("no such message with that unique-id", detail::resp_code::uid)};
}

void session::impl::remember_kept_uids(const std::vector<message_entry>& doomed) {
  // Only the messages that stay can make a difference: removed ones never come back (uids are
  // never reused). So a download-and-delete client's sleeping connection keeps next to nothing.
  const auto removed = sorted_keys(doomed);
  previous_uids_.clear();
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (!expunged_[i] && !has_key(removed, messages_[i].file_key)) previous_uids_.push_back(messages_[i].uid);
  }
}

detail::resp_code session::impl::activity_since_previous() {
  // A30: NEW iff some unique-id is reachable now that the previous snapshot on this connection
  // did not have; messages deleted meanwhile do not count. Uids are never reused, so this is exact.
  std::ranges::sort(previous_uids_);
  const bool news = std::ranges::any_of(messages_, [this](const message_entry& m) {
    return !std::ranges::binary_search(previous_uids_, m.uid);
  });
  previous_uids_.clear();
  return news ? detail::resp_code::activity_new : detail::resp_code::activity_none;
}

session_output session::impl::cmd_slee(const protocol::command&) {
  // SLEEPING draft §5: +OK only once every DELE is committed; -ERR leaves the mailbox and the
  // session as they were, hence all-or-nothing. A27: the full UPDATE, EXPIRE 0 included.
  const auto doomed = doomed_messages();
  const auto result = commit(detail::commit_mode::all_or_nothing);
  if (result.failed) return err("deletions not committed; nothing changed", code_for(result.error));
  remember_kept_uids(doomed);
  lock_.reset();  // §3 note: the maildrop is free for others while this connection sleeps
  // Nothing else of the snapshot is needed while asleep; a sleeping connection stays small.
  messages_ = std::vector<message_entry>();
  deleted_ = std::vector<bool>();
  retrieved_ = std::vector<bool>();
  expunged_ = std::vector<bool>();
  state_ = session_state::sleep;
  auto out = ok(std::to_string(result.removed) + " messages deleted; maildrop released, sleeping");
  // §5: the client waits for this answer even when pipelining, so it goes out at once.
  out.then = session_output::next::flush;
  return out;
}

session_output session::impl::cmd_wake(const protocol::command&) {
  // SLEEPING draft §6: a fresh TRANSACTION "as if the client had ... reauthenticated". A29: so the
  // account must still exist and be enabled ([AUTH]), then the lock ([IN-USE]) and the scan
  // ([SYS/*]); any -ERR leaves the connection asleep.
  const auto* account = find_account(user_);
  if (account == nullptr) return err("account no longer valid", detail::resp_code::auth);
  const auto now = env_.now();
  // A26: LOGIN-DELAY counts WAKE as a login only where configured.
  if (config_.login_delay_on_wake) {
    if (auto refusal = login_delay_refusal(user_, *account, now)) return *refusal;
  }
  if (auto failure = open_maildrop(user_)) return *failure;
  if (config_.login_delay_on_wake) store_.record_login(user_, now);
  account_ = account;
  // A4: the ACTIVITY code as on CORE (the prototype sends it on WAKE too).
  const auto activity = activity_since_previous();
  return ok(maildrop_summary(), activity);
}

session_output session::impl::cmd_core(const protocol::command&) {
  // A31: a failed CORE leaves everything as it was. So what can fail without changing the
  // mailbox comes first: the scan, under the lock this session keeps throughout (A1).
  store_errc e = store_errc::ok;
  auto fresh = store_.scan(user_, e);
  if (e != store_errc::ok) return err("cannot refresh the maildrop; nothing changed", code_for(e));
  const auto doomed = doomed_messages();
  std::vector<message_entry> flagged_seen;  // what commit() flags seen for LAST
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (config_.caps.last && retrieved_[i] && !gone(i)) flagged_seen.push_back(messages_[i]);
  }
  const auto result = commit(detail::commit_mode::all_or_nothing);
  if (result.failed) return err("deletions not committed; nothing changed", code_for(result.error));
  // The scan predates the commit: drop what it removed, and carry the new seen flags over.
  const auto removed = sorted_keys(doomed), seen = sorted_keys(flagged_seen);
  std::erase_if(fresh, [&removed](const message_entry& m) { return has_key(removed, m.file_key); });
  for (auto& m : fresh) m.seen = m.seen || has_key(seen, m.file_key);
  remember_kept_uids(doomed);
  start_transaction(std::move(fresh));
  const auto activity = activity_since_previous();
  return ok(std::to_string(result.removed) + " messages deleted; " + maildrop_summary(), activity);
}

session_output session::impl::cmd_deli(const protocol::command& cmd) {
  // A9: "UID:" works whether or not UID-PARAM is on. A DELE-marked message is refused like a
  // deleted one (A8), so DELI never commits what RSET could still undo.
  const auto ref = resolve_message(cmd.args[0], true);
  if (ref.error) return *ref.error;
  const auto& message = messages_[ref.index];
  // +OK promises the file is gone and its directory synced; -ERR that nothing changed (A10).
  store_errc e = store_errc::ok;
  if (!store_.remove_all_or_nothing(user_, {message}, e)) return err("message not deleted", code_for(e));
  // A6, A7: the number stays taken (a gap, never a renumbering) and RSET cannot bring it back.
  expunged_[ref.index] = true;
  return ok("message " + std::to_string(ref.index + 1) + " (UID:" + message.uid + ") deleted and committed");
}

session_output session::impl::cmd_last(const protocol::command&) {
  // RFC 1460 LAST: the highest message number accessed (by RETR or DELE), in this session or, through
  // the Maildir seen flag, an earlier one; 0 if none.
  return ok(std::to_string(highest_accessed_));
}

session_output session::impl::cmd_xtnd(const protocol::command& cmd) {
  // The framework draft §4.3: one line per optional command, a second token for a verb. The
  // RFC 1082 forms with arguments (XTND BBOARDS, XTND ARCHIVE) are not offered (§4.4: -ERR).
  if (!cmd.args.empty()) return err("no such service extension");
  std::set<std::string> lines;  // sorted, as in the draft's §6 example
  for (const auto state : {session_state::authorization, session_state::transaction, session_state::sleep}) {
    for (const auto& entry : commands_for(state)) {
      if (!enabled(entry) || is_minimal_command(entry.keyword)) continue;
      // What this connection may use, as CAPA tells it (A16, A17).
      if (entry.keyword == "STLS" && !(state_ == session_state::authorization && stls_possible())) continue;
      if ((entry.keyword == "USER" || entry.keyword == "PASS") && !plaintext_auth_allowed()) continue;
      if (entry.keyword == "AUTH") {
        for (const auto& mechanism : sasl_mechanisms_offered()) lines.insert("AUTH " + mechanism);
        continue;
      }
      lines.emplace(entry.keyword);
    }
  }
  std::string body;
  for (const auto& line : lines) body += line + "\r\n";
  return multiline("supported POP3 service extensions follow", body);
}

}  // namespace pop3::refd
