#pragma once
// Helpers for the reference-server unit tests (temporary Maildirs come from pop3::testing::
// temp_maildir): Maildir files placed by name in new/ or cur/, a known fixture, a
// store that fails on demand, and a driver that feeds raw bytes through the line framer into a
// session exactly as the network driver does (no sockets).
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/protocol/line_framer.hpp"
#include "pop3/refd/config.hpp"
#include "pop3/refd/maildir_store.hpp"
#include "pop3/refd/session.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace refd_test {

namespace fs = std::filesystem;

/// Writes <root>/<user>/<sub>/<name> (creating new/, cur/, tmp/).
fs::path put_message(const fs::path& root, const std::string& user, const std::string& sub, const std::string& name,
                     std::string_view content);

/// One message of the standard fixture: its stored bytes and what RETR must deliver (unstuffed).
struct fixture_message {
  std::string sub, name, stored, crlf;
};
/// Four messages (DIGEST.md fixture A): LF-stored with "." / ".." / ".x" lines; CRLF with a 5-line
/// body; headers only (no blank line); LF without a final newline.
const std::vector<fixture_message>& standard_messages();
void put_standard_mailbox(const fs::path& root, const std::string& user);

/// An enabled account with no per-user overrides.
pop3::refd::user_account make_account(const std::string& name, const std::string& password, const std::string& apop_secret = {});

/// Users: alice / "alice-pass" (APOP secret "tanstaaf"), bob / "b o  b" (spaces), carol / "carol-pass"
/// (disabled). Maildir root as given. Everything else is the default configuration.
pop3::refd::server_config base_config(const fs::path& root);

/// A session_environment whose timestamps come from a list (then "<n.test@host>"), and whose
/// clock is a variable the test moves.
struct fake_environment {
  std::deque<std::string> timestamps;
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1000);
  int generated = 0;
  pop3::refd::session_environment make();
};

/// Feeds raw bytes to a session the way the network driver does.
class driver {
 public:
  driver(const pop3::refd::server_config& config, pop3::refd::maildir_store& store, pop3::refd::connection_info conn = {},
         pop3::refd::session_environment env = {});

  /// Frames the bytes and answers every complete line in order; stops at close or start_tls
  /// (discarding what is buffered, as RFC 2595 §4 requires). Returns everything written.
  std::string send(std::string_view bytes);
  /// send(line + "\r\n")
  std::string cmd(std::string_view line);
  /// USER + PASS; returns the PASS response.
  std::string login(std::string_view user, std::string_view password);
  /// Completes a requested TLS handshake.
  void complete_tls();

  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] bool tls_requested() const noexcept { return tls_requested_; }
  [[nodiscard]] const std::string& greeting() const noexcept { return greeting_; }
  pop3::refd::session& session() noexcept { return session_; }

 private:
  pop3::refd::session session_;
  pop3::protocol::line_framer framer_;
  std::string greeting_;
  bool closed_ = false;
  bool tls_requested_ = false;
};

/// A store whose operations fail when the matching flag is set.
class faulty_store : public pop3::refd::maildir_store {
 public:
  using maildir_store::maildir_store;
  pop3::refd::store_errc fail_lock = pop3::refd::store_errc::ok;
  pop3::refd::store_errc fail_scan = pop3::refd::store_errc::ok;
  pop3::refd::store_errc fail_read = pop3::refd::store_errc::ok;
  std::size_t remove_only = SIZE_MAX;  ///< remove at most this many, then report temporary

  std::unique_ptr<pop3::refd::maildrop_lock> try_lock(const std::string& user, pop3::refd::store_errc& err) override;
  std::vector<pop3::refd::message_entry> scan(const std::string& user, pop3::refd::store_errc& err) override;
  std::optional<std::string> read(const pop3::refd::message_entry& entry, pop3::refd::store_errc& err) override;
  std::size_t remove(const std::string& user, const std::vector<pop3::refd::message_entry>& entries,
                     pop3::refd::store_errc& err) override;
};

/// Files (base names) in <root>/<user>/{new,cur}, sorted.
std::vector<std::string> maildir_files(const fs::path& root, const std::string& user);
/// Splits a multi-line response into its data lines (unstuffed), checking the framing.
std::vector<std::string> data_lines(std::string_view response);
/// The unstuffed body of a multi-line response as CRLF text.
std::string body_of(std::string_view response);

}  // namespace refd_test
