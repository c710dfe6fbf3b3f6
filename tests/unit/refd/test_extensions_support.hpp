#pragma once
// Shared by the extension unit tests (SLEEPING, CORE, DELI, UID-PARAM, XTND, LAST): a configuration
// with every extension switched on, a store whose all-or-nothing removal fails on demand, and a
// fixture over the standard four-message mailbox of alice.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "refd_test_support.hpp"

namespace refd_test {

/// base_config() with SLEEPING, CORE, DELI, UID-PARAM, XTND and LAST switched on.
inline pop3::refd::server_config extensions_config(const fs::path& root) {
  auto config = base_config(root);
  auto& c = config.caps;
  c.sleeping = c.core = c.deli = c.uid_param = c.xtnd = c.last = true;
  return config;
}

/// faulty_store, plus a failure switch for remove_all_or_nothing (DELI, SLEE, CORE).
class failing_commit_store : public faulty_store {
 public:
  using faulty_store::faulty_store;
  pop3::refd::store_errc fail_remove_all = pop3::refd::store_errc::ok;
  int remove_all_calls = 0;

  bool remove_all_or_nothing(const std::string& user, const std::vector<pop3::refd::message_entry>& entries,
                             pop3::refd::store_errc& err) override {
    ++remove_all_calls;
    if (fail_remove_all != pop3::refd::store_errc::ok) {
      err = fail_remove_all;
      return false;
    }
    return faulty_store::remove_all_or_nothing(user, entries, err);
  }
};

/// The first line of a response, without its CRLF.
inline std::string first_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

/// The unique-id that "UIDL n" reports ("" if it fails).
inline std::string uid_of(driver& d, int n) {
  const auto line = first_line(d.cmd("UIDL " + std::to_string(n)));
  const std::string prefix = "+OK " + std::to_string(n) + " ";
  return line.starts_with(prefix) ? line.substr(prefix.size()) : std::string();
}

/// The unique-ids of a full UIDL listing, in order.
inline std::vector<std::string> all_uids(driver& d) {
  std::vector<std::string> uids;
  for (const auto& line : data_lines(d.cmd("UIDL"))) uids.push_back(line.substr(line.find(' ') + 1));
  return uids;
}

class extensions_test : public ::testing::Test {
 protected:
  void SetUp() override { put_standard_mailbox(dir_.root(), "alice"); }
  /// Logs alice in; the session must then be in TRANSACTION.
  static void log_in(driver& d) {
    ASSERT_TRUE(d.login("alice", "alice-pass").starts_with("+OK maildrop has")) << "login failed";
  }
  /// Logs alice in and sends SLEE, which must succeed.
  static void log_in_and_sleep(driver& d) {
    log_in(d);
    const auto slee = d.cmd("SLEE");
    ASSERT_TRUE(slee.starts_with("+OK")) << slee;
    ASSERT_EQ(d.session().state(), pop3::refd::session_state::sleep);
  }
  /// Delivers one more message into alice's new/ (as an MDA would, later in delivery order).
  fs::path deliver(const std::string& name, std::string_view content) {
    return put_message(dir_.root(), "alice", "new", name, content);
  }

  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = extensions_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
};

}  // namespace refd_test
