// Plain-TCP sessions through the real driver: greeting, login, RETR byte-exactness, and
// PIPELINING (one big write, byte-at-a-time writes, a pipeline sent before the greeting).
#include <string>
#include <vector>

#include "refd_test.hpp"

namespace pop3::refd_tests {
namespace {

using refd_plain = refd_test;

TEST_F(refd_plain, greeting_login_and_retr_are_byte_exact) {
  auto client = connect_and_login();
  const auto stat = client->command("STAT");
  std::size_t total = 0;
  for (const auto& m : messages_) total += m.size();
  EXPECT_EQ(stat, "+OK 3 " + std::to_string(total) + "\r\n");

  for (std::size_t i = 0; i < messages_.size(); ++i) {
    const auto n = std::to_string(i + 1);
    EXPECT_EQ(client->command("LIST " + n), "+OK " + n + " " + std::to_string(messages_[i].size()) + "\r\n");
    client->send("RETR " + n + "\r\n");
    const auto block = client->read_multiline();
    ASSERT_TRUE(is_ok(block)) << block;
    EXPECT_EQ(unstuff(block), messages_[i]) << "message " << n;
  }
  EXPECT_TRUE(is_ok(client->command("QUIT")));
  EXPECT_EQ(client->read_until_closed(), "");
}

TEST_F(refd_plain, dot_traps_are_stuffed_on_the_wire) {
  auto client = connect_and_login();
  client->send("RETR 2\r\n");
  const auto block = client->read_multiline();
  EXPECT_NE(block.find("\r\n..leading dot\r\n"), std::string::npos) << block;
  EXPECT_NE(block.find("\r\n...two dots\r\n"), std::string::npos) << block;
  EXPECT_NE(block.find("\r\n..\r\nThe line above"), std::string::npos) << block;
  EXPECT_TRUE(block.ends_with("\r\nEnd.\r\n.\r\n")) << block;
}

// What each pipelined command must answer, so that order and framing can both be checked.
struct pipelined {
  std::string command;
  std::string first_line;  // exact status line, or "" for "any +OK line"
  std::string body;        // unstuffed content of a multi-line answer, "" for single-line
  bool multiline = false;
};

std::vector<pipelined> make_pipeline(const std::vector<std::string>& messages,
                                     const std::vector<std::string>& uids, int count) {
  std::vector<pipelined> steps;
  for (int i = 0; i < count; ++i) {
    const auto k = static_cast<std::size_t>(i) % messages.size();
    const auto n = std::to_string(k + 1);
    switch (i % 4) {
      case 0:
        steps.push_back(
            {"LIST " + n, "+OK " + n + " " + std::to_string(messages[k].size()) + "\r\n", "", false});
        break;
      case 1:
        steps.push_back({"UIDL " + n, "+OK " + n + " " + uids[k] + "\r\n", "", false});
        break;
      case 2:
        steps.push_back({"NOOP", "", "", false});
        break;
      default:
        steps.push_back({"RETR " + n, "", messages[k], true});
        break;
    }
  }
  return steps;
}

std::vector<std::string> fetch_uids(loopback_client& client, std::size_t count) {
  std::vector<std::string> uids;
  for (std::size_t i = 1; i <= count; ++i) {
    const auto line = client.command("UIDL " + std::to_string(i));
    const auto prefix = "+OK " + std::to_string(i) + " ";
    EXPECT_TRUE(line.starts_with(prefix)) << line;
    uids.push_back(line.substr(prefix.size(), line.size() - prefix.size() - 2));
  }
  return uids;
}

void check_answers(loopback_client& client, const std::vector<pipelined>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    const auto answer = step.multiline ? client.read_multiline() : client.read_line();
    ASSERT_TRUE(is_ok(answer)) << "answer " << i << " to " << step.command << ": " << answer;
    if (!step.first_line.empty()) {
      ASSERT_EQ(answer, step.first_line) << "answer " << i << " to " << step.command;
    }
    if (step.multiline) {
      ASSERT_EQ(unstuff(answer), step.body) << "answer " << i << " to " << step.command;
    }
  }
}

TEST_F(refd_plain, two_hundred_pipelined_commands_in_one_write_are_answered_in_order) {
  auto client = connect_and_login();
  const auto steps = make_pipeline(messages_, fetch_uids(*client, messages_.size()), 200);
  std::string batch;
  for (const auto& step : steps) batch += step.command + "\r\n";
  client->send(batch);
  check_answers(*client, steps);
  // Nothing extra may follow the last answer.
  EXPECT_EQ(client->read_for(std::chrono::milliseconds(100)), "");
}

TEST_F(refd_plain, byte_at_a_time_writes_are_framed_like_one_write) {
  auto client = connect_and_login();
  const auto steps = make_pipeline(messages_, fetch_uids(*client, messages_.size()), 12);
  std::string batch;
  for (const auto& step : steps) batch += step.command + "\r\n";
  client->send_bytewise(batch);
  check_answers(*client, steps);
}

TEST_F(refd_plain, thousands_of_pipelined_commands_do_not_deadlock) {
  auto client = connect_and_login();
  std::string batch;
  constexpr int count = 5000;
  for (int i = 0; i < count; ++i) batch += "NOOP\r\n";
  batch += "RETR 3\r\n";
  client->send(batch);
  for (int i = 0; i < count; ++i) ASSERT_TRUE(is_ok(client->read_line())) << "answer " << i;
  EXPECT_EQ(unstuff(client->read_multiline()), messages_[2]);
}

TEST_F(refd_plain, a_whole_session_pipelined_before_the_greeting_is_read) {
  pop3::testing::loopback_client client(server_->port());
  client.send("USER alice\r\nPASS alice-pass\r\nSTAT\r\nQUIT\r\n");
  EXPECT_TRUE(is_ok(client.read_line()));  // greeting
  EXPECT_TRUE(is_ok(client.read_line()));  // USER
  EXPECT_TRUE(is_ok(client.read_line()));  // PASS
  EXPECT_TRUE(client.read_line().starts_with("+OK 3 "));
  EXPECT_TRUE(is_ok(client.read_line()));  // QUIT
  EXPECT_EQ(client.read_until_closed(), "");
}

TEST_F(refd_plain, many_sequential_and_concurrent_connections) {
  std::vector<std::unique_ptr<loopback_client>> open;
  for (int i = 0; i < 50; ++i) open.push_back(connect());
  for (auto& client : open) EXPECT_TRUE(is_ok(client->command("CAPA")));
  for (auto& client : open) {
    client->read_multiline();
    EXPECT_TRUE(is_ok(client->command("QUIT")));
    EXPECT_EQ(client->read_until_closed(), "");
  }
}

}  // namespace
}  // namespace pop3::refd_tests
