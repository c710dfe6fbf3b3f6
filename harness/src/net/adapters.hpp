#pragma once
// The concrete fixture adapters behind make_fixture_adapter() (one file each), plus the small
// file helpers they share.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "pop3/harness/net/fixture_adapter.hpp"

namespace pop3::harness::detail {

[[nodiscard]] std::shared_ptr<fixture_adapter> make_maildir_adapter(std::string path_template);
/// `lock_wait` bounds the wait for another holder of the mbox's dot-lock. `blank_line_after`:
/// each message is followed by an empty line, as local delivery writes it (mbox:); false for
/// mbox-no-blank:, the dialect of a server that takes that line as part of the message.
[[nodiscard]] std::shared_ptr<fixture_adapter> make_mbox_adapter(std::string path_template,
                                                                 std::chrono::milliseconds lock_wait,
                                                                 bool blank_line_after = true);
[[nodiscard]] std::shared_ptr<fixture_adapter> make_exec_adapter(std::string command, std::chrono::milliseconds timeout);
/// SMTP (lmtp = false) or LMTP (RFC 2033) delivery to host:port.
[[nodiscard]] std::shared_ptr<fixture_adapter> make_mail_transfer_adapter(bool lmtp, std::string host,
                                                                         std::uint16_t port,
                                                                         std::chrono::milliseconds timeout);

/// CRLF -> LF: Maildir and mbox files conventionally store LF line ends.
[[nodiscard]] std::string to_lf(std::string_view message);

/// Writes `content` to an open descriptor completely, then fsyncs it. Throws fixture_error.
void write_fully(int fd, std::string_view content, const std::filesystem::path& what);

}  // namespace pop3::harness::detail
