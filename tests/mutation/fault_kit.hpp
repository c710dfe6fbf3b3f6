#pragma once
// Building blocks for faults: the common shapes (edit some answers, edit some commands, answer
// some commands in the proxy) and small helpers to forge and edit POP3 lines.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fault.hpp"
#include "fault_proxy.hpp"

namespace pop3::mutation {

/// Lines to send instead of the original one, or nullopt: unchanged. CRLF is appended to each
/// line, except (for edit_responses) to a line that already ends in LF.
using replacement = std::optional<std::vector<std::string>>;

/// A fault that edits upstream lines (answers to injected lines are never shown).
[[nodiscard]] fault_factory edit_responses(std::function<replacement(const server_line&)> edit);
/// A fault that edits client lines before they go upstream: of a replacement, the last line is
/// forwarded (its answer is the client's) and the lines before it are injected (answers unseen).
/// An empty replacement swallows the line: the client never gets an answer.
[[nodiscard]] fault_factory edit_commands(
    std::function<replacement(const client_line&, const credentials&)> edit);
/// A fault that answers matching client lines in the proxy, without forwarding them.
[[nodiscard]] fault_factory answer_commands(std::function<replacement(const client_line&)> answer);
/// A fault that edits CAPA answers: `change` sees each capability line with the state the CAPA
/// was sent in (nullopt: unchanged; an empty replacement drops the line); `append` adds lines
/// before the final ".".
[[nodiscard]] fault_factory edit_capa(std::function<replacement(std::string_view line, pop3_state state)> change,
                                      std::function<std::vector<std::string>(pop3_state state)> append = {});
/// The capability tag of a CAPA line, upper-cased ("SASL" for "sasl PLAIN").
[[nodiscard]] std::string capa_tag(std::string_view line);
/// A fault that, once an authentication command failed on a connection, rejects every later
/// login on it (only_after_auth: once an AUTH exchange failed).
[[nodiscard]] fault_factory refuse_logins_after_failure(bool only_after_auth);
/// A fault that answers `keyword` with -ERR in the proxy (as if the server did not implement it).
[[nodiscard]] fault_factory refuse(std::string keyword);
/// A fault that leaves capability `tag` out of CAPA (only after login, or in every state).
[[nodiscard]] fault_factory drop_capability(std::string tag, bool transaction_only);
/// A fault that answers QUIT (sent in `state`) but then keeps the client connection open.
[[nodiscard]] fault_factory keep_open_after_quit(pop3_state state);
/// Wraps a stateful fault type: each connection gets a new T constructed from `args`.
template <typename T, typename... Args>
[[nodiscard]] fault_factory each_connection(Args... args) {
  return [=] { return std::unique_ptr<fault>(new T(args...)); };
}

/// A plausible positive answer to `line`: "+OK" plus data lines and "." when the command's
/// answer is multi-line (RETR, TOP, LIST, UIDL, CAPA), e.g. what a server sends for a message
/// it should not have.
[[nodiscard]] std::vector<std::string> forged_ok(const client_line& line);
/// The message number a command names (RETR n, LIST n, DELE n, TOP n k, UIDL n), if it names one.
[[nodiscard]] std::optional<std::uint64_t> message_number(const client_line& line);

/// ASCII upper case ("auth" -> "AUTH").
[[nodiscard]] std::string to_upper(std::string_view text);
/// The index-th space-separated word of a line ("" if there is none).
[[nodiscard]] std::string_view word(std::string_view text, std::size_t index);
/// The line with its index-th space-separated word replaced.
[[nodiscard]] std::string replace_word(std::string_view text, std::size_t index, std::string_view replacement_word);
/// A decimal number word plus `delta`; the word itself if it is not a number.
[[nodiscard]] std::string add_to_number(std::string_view number, std::int64_t delta);
/// "+OK text" / "-ERR [OLD] text" -> status with `code` ("AUTH", no brackets) as its response
/// code; an empty code removes the existing one.
[[nodiscard]] std::string with_code(std::string_view status_line, std::string_view code);

}  // namespace pop3::mutation
