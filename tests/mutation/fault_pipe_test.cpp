// fault_pipe without sockets: framing, answer tracking, ordering, SASL, STLS, and the fault shapes.
#include "fault_pipe.hpp"

#include <gtest/gtest.h>

#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

const credentials account{"alice", "secret", "apop-secret"};

fault_pipe make_pipe(const fault_factory& make = {}) {
  return fault_pipe(make ? make() : std::make_unique<fault>(), account);
}

// Records every server line the fault is shown, as "kind:text" (with "*" for injected ones).
class recorder final : public fault {
 public:
  explicit recorder(std::vector<std::string>& seen) : seen_(seen) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    static constexpr const char* names[] = {"greeting", "status", "challenge", "data", "end", "unsolicited"};
    seen_.push_back(std::string(l.injected ? "*" : "") + names[static_cast<int>(l.k)] + ":" + l.text +
                    (l.answers ? " <" + l.answers->keyword + ">" : ""));
    fault::on_server_line(l, out);
  }

 private:
  std::vector<std::string>& seen_;
};

TEST(FaultPipe, TransparentByDefault) {
  auto pipe = make_pipe();
  pipe.server_bytes("+OK ready\r\n");
  EXPECT_EQ(pipe.take_for_client(), "+OK ready\r\n");
  pipe.client_bytes("US");
  EXPECT_EQ(pipe.take_for_server(), "US");  // not held: octets go on as they come
  pipe.client_bytes("ER a\nPASS x\r\n");
  EXPECT_EQ(pipe.take_for_server(), "ER a\nPASS x\r\n");
  pipe.server_bytes("+OK\r\n+OK logged in\r\n");
  EXPECT_EQ(pipe.take_for_client(), "+OK\r\n+OK logged in\r\n");
  EXPECT_EQ(pipe.state(), pop3_state::transaction);
}

TEST(FaultPipe, ClassifiesMultiLineAnswersAndChallenges) {
  std::vector<std::string> seen;
  fault_pipe pipe(std::make_unique<recorder>(seen), account);
  pipe.server_bytes("+OK hi\r\n");
  pipe.client_bytes("LIST\r\nLIST 1\r\nAUTH PLAIN\r\nAGEAYg==\r\n");
  pipe.server_bytes("+OK\r\n1 10\r\n..x\r\n.\r\n+OK 1 10\r\n+ \r\n-ERR no\r\n");
  EXPECT_EQ(seen, (std::vector<std::string>{"greeting:+OK hi", "status:+OK <LIST>", "data:1 10 <LIST>", "data:..x <LIST>",
                                            "end:. <LIST>", "status:+OK 1 10 <LIST>", "challenge:+  <AUTH>",
                                            "status:-ERR no <>"}));
}

TEST(FaultPipe, ErrToMultiLineCommandIsOneLine) {
  std::vector<std::string> seen;
  fault_pipe pipe(std::make_unique<recorder>(seen), account);
  pipe.server_bytes("+OK hi\r\n");
  pipe.client_bytes("RETR 9\r\nNOOP\r\n");
  pipe.server_bytes("-ERR no such message\r\n+OK\r\n");
  EXPECT_EQ(seen.back(), "status:+OK <NOOP>");
}

TEST(FaultPipe, LocalAnswersWaitForEarlierOnes) {
  auto pipe = make_pipe(answer_commands([](const client_line& c) -> replacement {
    if (c.keyword != "NOOP") return std::nullopt;
    return std::vector<std::string>{"+OK local"};
  }));
  pipe.server_bytes("+OK hi\r\n");
  (void)pipe.take_for_client();
  pipe.client_bytes("STAT\r\nNOOP\r\nSTAT\r\n");
  EXPECT_EQ(pipe.take_for_server(), "STAT\r\nSTAT\r\n");
  EXPECT_EQ(pipe.take_for_client(), "");  // NOOP's answer waits for the first STAT's
  pipe.server_bytes("+OK 1 10\r\n");
  EXPECT_EQ(pipe.take_for_client(), "+OK 1 10\r\n+OK local\r\n");
  pipe.server_bytes("+OK 1 10\r\n");
  EXPECT_EQ(pipe.take_for_client(), "+OK 1 10\r\n");
}

TEST(FaultPipe, InjectedAnswersStayHidden) {
  auto pipe = make_pipe(edit_commands([](const client_line& c, const credentials& a) -> replacement {
    if (c.keyword != "APOP") return std::nullopt;
    return std::vector<std::string>{"USER " + a.user, "PASS " + a.password};
  }));
  pipe.server_bytes("+OK hi\r\n");
  (void)pipe.take_for_client();
  pipe.client_bytes("APOP alice 0123\r\n");
  EXPECT_EQ(pipe.take_for_server(), "USER alice\r\nPASS secret\r\n");
  pipe.server_bytes("+OK user\r\n+OK logged in\r\n");
  EXPECT_EQ(pipe.take_for_client(), "+OK logged in\r\n");
  EXPECT_EQ(pipe.state(), pop3_state::transaction);
}

TEST(FaultPipe, HeldLinesKeepTheirLineEnds) {
  auto pipe = make_pipe(edit_commands([](const client_line&, const credentials&) -> replacement { return std::nullopt; }));
  pipe.server_bytes("+OK hi\r\n");
  pipe.client_bytes("STAT\nNO");
  EXPECT_EQ(pipe.take_for_server(), "STAT\n");  // the partial line waits for its LF
  pipe.client_bytes("OP\r\n");
  EXPECT_EQ(pipe.take_for_server(), "NOOP\r\n");
}

TEST(FaultPipe, TunnelsAfterStls) {
  auto pipe = make_pipe(edit_responses([](const server_line& l) -> replacement {
    return l.k == server_line::kind::status ? replacement(std::vector<std::string>{l.text + " (seen)"}) : std::nullopt;
  }));
  pipe.server_bytes("+OK hi\r\n");
  (void)pipe.take_for_client();
  pipe.client_bytes("STLS\r\nCAPA\r\n");
  (void)pipe.take_for_server();
  pipe.server_bytes("+OK begin\r\n\x16\x03\x01");
  EXPECT_EQ(pipe.take_for_client(), "+OK begin (seen)\r\n\x16\x03\x01");
  EXPECT_TRUE(pipe.tunnelling());
  pipe.client_bytes("\x16\x03\x03\n+OK");
  EXPECT_EQ(pipe.take_for_server(), "\x16\x03\x03\n+OK");
}

TEST(FaultPipe, SaslResponsesFollowChallenges) {
  std::vector<bool> sasl;
  class watcher final : public fault {
   public:
    explicit watcher(std::vector<bool>& s) : s_(s) {}
    void on_client_line(const client_line& c, fault_actions&) override { s_.push_back(c.sasl_response); }

   private:
    std::vector<bool>& s_;
  };
  fault_pipe pipe(std::make_unique<watcher>(sasl), account);
  pipe.server_bytes("+OK hi\r\n");
  pipe.client_bytes("AUTH PLAIN\r\n");
  pipe.server_bytes("+ \r\n");
  pipe.client_bytes("AGFsaWNlAHNlY3JldA==\r\n");
  pipe.server_bytes("+OK\r\n");
  pipe.client_bytes("STAT\r\n");
  EXPECT_EQ(sasl, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(pipe.state(), pop3_state::transaction);
}

TEST(FaultPipe, ServerCloseFlushesAndClosesTheClient) {
  auto pipe = make_pipe();
  pipe.server_bytes("+OK hi\r\n+OK bye");
  pipe.server_closed();
  EXPECT_EQ(pipe.take_for_client(), "+OK hi\r\n+OK bye");
  EXPECT_TRUE(pipe.wants_client_closed());
  EXPECT_FALSE(pipe.wants_server_closed());
}

TEST(FaultKit, WordHelpers) {
  EXPECT_EQ(word("+OK 2 320", 2), "320");
  EXPECT_EQ(word("+OK", 1), "");
  EXPECT_EQ(replace_word("+OK 2 320", 1, "3"), "+OK 3 320");
  EXPECT_EQ(add_to_number("41", 1), "42");
  EXPECT_EQ(add_to_number("x", 1), "x");
  EXPECT_EQ(with_code("-ERR [AUTH] bad", "SYS/PERM"), "-ERR [SYS/PERM] bad");
  EXPECT_EQ(with_code("-ERR [AUTH] bad", ""), "-ERR bad");
  EXPECT_EQ(with_code("+OK", "SYS/TEMP"), "+OK [SYS/TEMP]");
  EXPECT_EQ(capa_tag("sasl PLAIN"), "SASL");
}

TEST(FaultKit, ForgedAnswersMatchTheCommandShape) {
  client_line retr;
  retr.keyword = "RETR";
  retr.args = {"3"};
  const auto lines = forged_ok(retr);
  EXPECT_EQ(lines.front().substr(0, 3), "+OK");
  EXPECT_EQ(lines.back(), ".");
  EXPECT_EQ(message_number(retr), 3u);
  client_line list;
  list.keyword = "LIST";
  EXPECT_EQ(forged_ok(list), (std::vector<std::string>{"+OK", "."}));
  EXPECT_FALSE(message_number(list));
}

}  // namespace
}  // namespace pop3::mutation
