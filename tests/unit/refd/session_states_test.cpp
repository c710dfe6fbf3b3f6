// Every command in every reachable state, and argument validation (RFC 1939 §3, DIGEST §2, A24).
#include <gtest/gtest.h>

#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::session_state;

struct state_case {
  const char* line;
  const char* in_authorization;  ///< expected full first line (or prefix when ending in '*')
  const char* in_transaction;
};

// '*' in an expectation matches any run of characters; the rest must match the first line exactly.
bool glob_match(std::string_view text, std::string_view pattern) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (std::size_t skip = 0; skip <= text.size(); ++skip) {
      if (glob_match(text.substr(skip), pattern.substr(1))) return true;
    }
    return false;
  }
  return !text.empty() && text.front() == pattern.front() && glob_match(text.substr(1), pattern.substr(1));
}

void expect_first_line(const std::string& response, std::string_view expected, const std::string& context) {
  const auto first = response.substr(0, response.find("\r\n"));
  EXPECT_TRUE(glob_match(first, expected)) << context << "\n  expected: " << expected << "\n  got:      " << first;
}

const state_case state_cases[] = {
    {"USER alice", "+OK send PASS", "-ERR USER is not valid in this state"},
    {"PASS alice-pass", "-ERR PASS must immediately follow a successful USER", "-ERR PASS is not valid in this state"},
    {"APOP alice 0123456789abcdef0123456789abcdef", "-ERR [AUTH] authentication failed", "-ERR APOP is not valid in this state"},
    {"AUTH PLAIN", "+ ", "-ERR AUTH is not valid in this state"},
    {"STLS", "-ERR TLS is not available", "-ERR STLS is not valid in this state"},
    {"CAPA", "+OK capability list follows", "+OK capability list follows"},
    {"STAT", "-ERR STAT is not valid in this state", "+OK 4 *"},
    {"LIST", "-ERR LIST is not valid in this state", "+OK 4 messages*"},
    {"LIST 2", "-ERR LIST is not valid in this state", "+OK 2 *"},
    {"RETR 1", "-ERR RETR is not valid in this state", "+OK * octets"},
    {"DELE 1", "-ERR DELE is not valid in this state", "+OK message 1 deleted"},
    {"NOOP", "-ERR NOOP is not valid in this state", "+OK"},
    {"RSET", "-ERR RSET is not valid in this state", "+OK maildrop has 4 messages*"},
    {"TOP 1 0", "-ERR TOP is not valid in this state", "+OK top of message follows"},
    {"UIDL", "-ERR UIDL is not valid in this state", "+OK unique-id listing follows"},
    {"UIDL 3", "-ERR UIDL is not valid in this state", "+OK 3 *"},
    {"QUIT", "+OK POP3 server signing off", "+OK POP3 server signing off (0 messages deleted)"},
    // Not implemented (extensions off by default, legacy commands): unknown everywhere.
    {"SLEE", "-ERR unknown command", "-ERR unknown command"},
    {"WAKE", "-ERR unknown command", "-ERR unknown command"},
    {"CORE", "-ERR unknown command", "-ERR unknown command"},
    {"DELI 1", "-ERR unknown command", "-ERR unknown command"},
    {"XTND", "-ERR unknown command", "-ERR unknown command"},
    {"LAST", "-ERR unknown command", "-ERR unknown command"},
    {"XYZZY", "-ERR keyword must be 3 or 4 printable characters", "-ERR keyword must be 3 or 4 printable characters"},
    {"CAPAB", "-ERR keyword must be 3 or 4 printable characters", "-ERR keyword must be 3 or 4 printable characters"},
    {"RETRX 1", "-ERR keyword must be 3 or 4 printable characters", "-ERR keyword must be 3 or 4 printable characters"},
    {"FOO", "-ERR unknown command", "-ERR unknown command"},
    // Keywords are case-insensitive (RFC 1939 §3).
    {"capa", "+OK capability list follows", "+OK capability list follows"},
    {"sTaT", "-ERR STAT is not valid in this state", "+OK 4 *"},
};

class session_states : public ::testing::Test {
 protected:
  void SetUp() override { put_standard_mailbox(dir_.root(), "alice"); }
  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = base_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
};

TEST_F(session_states, every_command_in_authorization) {
  for (const auto& c : state_cases) {
    driver d(config_, store_);
    expect_first_line(d.cmd(c.line), c.in_authorization, std::string("AUTHORIZATION: ") + c.line);
  }
}

TEST_F(session_states, every_command_in_transaction) {
  for (const auto& c : state_cases) {
    driver d(config_, store_);
    ASSERT_TRUE(d.login("alice", "alice-pass").starts_with("+OK"));
    ASSERT_EQ(d.session().state(), session_state::transaction);
    expect_first_line(d.cmd(c.line), c.in_transaction, std::string("TRANSACTION: ") + c.line);
  }
}

TEST_F(session_states, quit_moves_to_closed_and_further_lines_get_nothing) {
  driver a(config_, store_);
  a.cmd("QUIT");
  EXPECT_TRUE(a.closed());
  EXPECT_EQ(a.session().state(), session_state::closed);
  EXPECT_EQ(a.session().on_line({"NOOP", pop3::protocol::framed_line::ending::crlf, false}).bytes, "");

  driver b(config_, store_);
  b.login("alice", "alice-pass");
  b.cmd("QUIT");
  EXPECT_TRUE(b.closed());
  EXPECT_EQ(b.session().state(), session_state::closed);
}

struct argument_case {
  const char* line;
  const char* expected;
};

const argument_case argument_cases[] = {
    {"RETR", "-ERR wrong number of arguments for RETR"},
    {"RETR 1 2", "-ERR wrong number of arguments for RETR"},
    {"RETR -1", "-ERR invalid message number"},
    {"RETR +1", "-ERR invalid message number"},
    {"RETR 0", "-ERR no such message"},
    {"RETR 5", "-ERR no such message"},
    {"RETR 1.5", "-ERR invalid message number"},
    {"RETR 1.0", "-ERR invalid message number"},
    {"RETR 0x1", "-ERR invalid message number"},
    {"RETR abc", "-ERR invalid message number"},
    {"RETR 9223372036854775808", "-ERR no such message"},       // 2^63
    {"RETR 18446744073709551616", "-ERR invalid message number"},  // 2^64 overflows
    {"RETR 99999999999999999999", "-ERR invalid message number"},
    {"RETR 01", "+OK * octets"},  // leading zeros are 1*DIGIT (A24)
    {"DELE", "-ERR wrong number of arguments for DELE"},
    {"DELE x", "-ERR invalid message number"},
    {"LIST 0", "-ERR no such message"},
    {"LIST 1 2", "-ERR wrong number of arguments for LIST"},
    {"UIDL 5", "-ERR no such message"},
    {"TOP 1", "-ERR wrong number of arguments for TOP"},
    {"TOP 1 -1", "-ERR invalid line count"},
    {"TOP 1 x", "-ERR invalid line count"},
    {"TOP 9 1", "-ERR no such message"},
    {"STAT 1", "-ERR wrong number of arguments for STAT"},
    {"NOOP x", "-ERR wrong number of arguments for NOOP"},
    {"RSET x", "-ERR wrong number of arguments for RSET"},
    {"QUIT now", "-ERR wrong number of arguments for QUIT"},
    {"CAPA x", "-ERR wrong number of arguments for CAPA"},
    // Strict syntax (A23): one SP between tokens, no tabs.
    {"LIST  1", "-ERR arguments must be separated by exactly one space"},
    {"LIST 1 ", "-ERR arguments must be separated by exactly one space"},
    {"LIST\t1", "-ERR arguments must be separated by exactly one space"},
    {"", "-ERR empty command line"},
};

TEST_F(session_states, argument_validation_in_transaction) {
  for (const auto& c : argument_cases) {
    driver d(config_, store_);
    ASSERT_TRUE(d.login("alice", "alice-pass").starts_with("+OK"));
    expect_first_line(d.cmd(c.line), c.expected, std::string("line: '") + c.line + "'");
    EXPECT_EQ(d.session().state(), session_state::transaction) << c.line;
  }
}

TEST_F(session_states, disabled_commands_are_unknown) {
  config_.caps.top = false;
  config_.caps.uidl = false;
  config_.caps.user = false;
  config_.caps.apop = false;
  config_.caps.sasl = false;
  config_.caps.stls = false;
  driver d(config_, store_);
  EXPECT_EQ(d.greeting(), "+OK POP3 server ready\r\n");  // no APOP, no '<'
  for (const char* line : {"USER alice", "PASS x", "APOP a b", "AUTH PLAIN", "STLS", "TOP 1 1", "UIDL"}) {
    EXPECT_EQ(d.cmd(line), "-ERR unknown command\r\n") << line;
  }
}

TEST_F(session_states, idle_timeout_comes_from_the_configuration) {
  driver d(config_, store_);
  EXPECT_EQ(d.session().idle_timeout(), std::chrono::seconds(600));
  config_.autologout = std::chrono::seconds(1200);
  driver e(config_, store_);
  e.login("alice", "alice-pass");
  EXPECT_EQ(e.session().idle_timeout(), std::chrono::seconds(1200));
}

}  // namespace
