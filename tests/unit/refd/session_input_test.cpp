// Raw input: pipelining, split reads, over-long lines, bad octets and line endings (DIGEST §9, A14, A23).
#include <gtest/gtest.h>

#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::session_state;

class session_input : public ::testing::Test {
 protected:
  void SetUp() override { put_standard_mailbox(dir_.root(), "alice"); }
  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = base_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
};

const std::string session_script =
    "CAPA\r\nUSER alice\r\nPASS alice-pass\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 1\r\nDELE 3\r\nLIST 3\r\n"
    "NOOP\r\nRSET\r\nXYZ\r\nQUIT\r\n";

std::string run_in_steps(const pop3::refd::server_config& config, pop3::refd::maildir_store& store, std::size_t step) {
  driver d(config, store);
  std::string out;
  for (std::size_t i = 0; i < session_script.size(); i += step) out += d.send(session_script.substr(i, step));
  EXPECT_TRUE(d.closed());
  return out;
}

TEST_F(session_input, pipelined_commands_are_answered_in_order) {
  std::string one_by_one;
  {
    driver d(config_, store_);
    std::size_t start = 0;
    while (start < session_script.size()) {
      const auto end = session_script.find("\r\n", start) + 2;
      one_by_one += d.send(session_script.substr(start, end - start));
      start = end;
    }
  }
  const auto pipelined = run_in_steps(config_, store_, session_script.size());
  EXPECT_EQ(pipelined, one_by_one);
  // Byte-at-a-time and odd split sizes give the same bytes.
  for (const std::size_t step : {1U, 2U, 3U, 7U, 64U}) EXPECT_EQ(run_in_steps(config_, store_, step), pipelined) << step;
  // Responses in order: the 14 status lines appear in the script's order.
  std::vector<std::string> firsts = {"+OK capability", "+OK send PASS", "+OK maildrop", "+OK 4 ", "+OK 4 messages",
                                     "+OK unique-id", "+OK ", "+OK top", "+OK message 3 deleted",
                                     "-ERR message 3 is deleted", "+OK\r\n", "+OK maildrop", "-ERR unknown", "+OK POP3 server signing off"};
  std::size_t pos = 0;
  for (const auto& f : firsts) {
    pos = pipelined.find(f, pos);
    ASSERT_NE(pos, std::string::npos) << f;
    ++pos;
  }
}

TEST_F(session_input, many_pipelined_commands_in_one_write) {
  driver d(config_, store_);
  d.login("alice", "alice-pass");
  std::string batch;
  for (int i = 0; i < 200; ++i) batch += "NOOP\r\n";
  EXPECT_EQ(d.send(batch + "STAT\r\n").substr(0, 200 * 5), [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "+OK\r\n";
    return s;
  }());
}

TEST_F(session_input, over_long_lines_get_an_error_and_the_session_continues) {
  driver d(config_, store_);
  // 255 octets including CRLF is accepted (RFC 2449 §4).
  const std::string user_255 = "USER " + std::string(248, 'u');
  ASSERT_EQ(user_255.size() + 2, 255U);
  EXPECT_EQ(d.cmd(user_255), "+OK send PASS\r\n");
  // Longer: one error, the rest of the line is not executed (no "PASS" prefix acted on).
  EXPECT_EQ(d.send("PASS " + std::string(100000, 'x') + "\r\n"), "-ERR line too long\r\n");
  EXPECT_EQ(d.cmd("USER alice"), "+OK send PASS\r\n");
  EXPECT_TRUE(d.cmd("PASS alice-pass").starts_with("+OK maildrop"));
  EXPECT_EQ(d.send("DELE 1" + std::string(300, ' ') + "\r\nSTAT\r\n").substr(0, 20), "-ERR line too long\r\n");
  EXPECT_TRUE(d.cmd("STAT").starts_with("+OK 4 ")) << "the over-long DELE was not executed";
}

TEST_F(session_input, bad_octets_get_errors) {
  driver d(config_, store_);
  EXPECT_EQ(d.send(std::string("US\0ER alice\r\n", 13)), "-ERR control character in command line\r\n");
  EXPECT_EQ(d.send("USER al\x01ice\r\n"), "-ERR control character in command line\r\n");
  EXPECT_EQ(d.send("USER \xc3\xa9lise\r\n"), "-ERR non-ASCII octet in command line\r\n");
  EXPECT_EQ(d.send("\r\n"), "-ERR empty command line\r\n");
  EXPECT_EQ(d.send("   \r\n"), "-ERR arguments must be separated by exactly one space\r\n");
  EXPECT_EQ(d.session().state(), session_state::authorization);
  EXPECT_TRUE(d.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_input, bare_lf_is_refused_in_strict_mode_and_accepted_in_lenient_mode) {
  driver strict(config_, store_);
  EXPECT_EQ(strict.send("CAPA\n"), "-ERR line must end with CRLF\r\n");
  EXPECT_EQ(strict.send("USER alice\r\nPASS alice-pass\n"), "+OK send PASS\r\n-ERR line must end with CRLF\r\n");
  config_.strict_syntax = false;
  driver lenient(config_, store_);
  EXPECT_TRUE(lenient.send("USER alice\nPASS alice-pass\n").ends_with("octets)\r\n"));
  EXPECT_TRUE(lenient.send("LIST\t 1\n").starts_with("+OK 1 "));
  // A bare CR is not a line ending: it stays in the line and is a control character.
  EXPECT_EQ(lenient.send("NOOP\rX\n"), "-ERR control character in command line\r\n");
}

TEST_F(session_input, output_always_uses_crlf) {
  config_.strict_syntax = false;
  driver d(config_, store_);
  const auto out = d.send("USER alice\nPASS alice-pass\nLIST\nRETR 1\nRETR 4\nQUIT\n");
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\n') {
      ASSERT_TRUE(i > 0 && out[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

}  // namespace
