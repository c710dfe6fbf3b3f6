// The extension commands in every state, each switch on its own, CAPA and XTND listings, and
// the configuration keys (SLEEPING draft §2-§4, DELI draft §2, framework draft §4, DIGEST §2).
#include <gtest/gtest.h>

#include <set>

#include "pop3/protocol/capabilities.hpp"
#include "test_extensions_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::capability_switches;
using pop3::refd::session_output;
using pop3::refd::session_state;

struct state_case {
  const char* line;
  // Expected prefix of the first response line in each state.
  const char* in_authorization;
  const char* in_transaction;
  const char* in_sleep;
};

const state_case state_cases[] = {
    {"SLEE", "-ERR SLEE is not valid in this state", "+OK 0 messages deleted; maildrop released, sleeping",
     "-ERR SLEE is not valid in this state"},
    {"WAKE", "-ERR WAKE is not valid in this state", "-ERR WAKE is not valid in this state",
     "+OK [ACTIVITY/NONE] maildrop has 4 messages ("},
    {"CORE", "-ERR CORE is not valid in this state",
     "+OK [ACTIVITY/NONE] 0 messages deleted; maildrop has 4 messages (",
     "-ERR CORE is not valid in this state"},
    {"DELI 1", "-ERR DELI is not valid in this state",
     "+OK message 1 (UID:", "-ERR DELI is not valid in this state"},
    {"DELI UID:nope", "-ERR DELI is not valid in this state",
     "-ERR [UID] no such message with that unique-id", "-ERR DELI is not valid in this state"},
    {"RETR UID:nope", "-ERR RETR is not valid in this state",
     "-ERR [UID] no such message with that unique-id", "-ERR RETR is not valid in this state"},
    {"LAST", "-ERR LAST is not valid in this state", "+OK 2\r", "-ERR LAST is not valid in this state"},
    {"XTND", "+OK supported POP3 service extensions follow", "+OK supported POP3 service extensions follow",
     "-ERR XTND is not valid in this state"},
    // The SLEEPING draft §3-§4: NOOP, QUIT and WAKE only; CAPA too is refused (A20).
    {"NOOP", "-ERR NOOP is not valid in this state", "+OK", "+OK"},
    {"CAPA", "+OK capability list follows", "+OK capability list follows",
     "-ERR CAPA is not valid in this state"},
    {"STAT", "-ERR STAT is not valid in this state", "+OK 4 ", "-ERR STAT is not valid in this state"},
    {"LIST", "-ERR LIST is not valid in this state", "+OK 4 messages",
     "-ERR LIST is not valid in this state"},
    {"UIDL", "-ERR UIDL is not valid in this state", "+OK unique-id listing follows",
     "-ERR UIDL is not valid in this state"},
    {"RETR 1", "-ERR RETR is not valid in this state", "+OK ", "-ERR RETR is not valid in this state"},
    {"TOP 1 0", "-ERR TOP is not valid in this state", "+OK top of message follows",
     "-ERR TOP is not valid in this state"},
    {"DELE 1", "-ERR DELE is not valid in this state", "+OK message 1 deleted",
     "-ERR DELE is not valid in this state"},
    {"RSET", "-ERR RSET is not valid in this state", "+OK maildrop has 4 messages",
     "-ERR RSET is not valid in this state"},
    {"USER alice", "+OK send PASS", "-ERR USER is not valid in this state",
     "-ERR USER is not valid in this state"},
    {"PASS alice-pass", "-ERR PASS must immediately follow a successful USER",
     "-ERR PASS is not valid in this state", "-ERR PASS is not valid in this state"},
    {"APOP alice 0123456789abcdef0123456789abcdef", "-ERR [AUTH] authentication failed",
     "-ERR APOP is not valid in this state", "-ERR APOP is not valid in this state"},
    {"AUTH PLAIN", "+ ", "-ERR AUTH is not valid in this state", "-ERR AUTH is not valid in this state"},
    {"STLS", "-ERR TLS is not available", "-ERR STLS is not valid in this state",
     "-ERR STLS is not valid in this state"},
    {"QUIT", "+OK POP3 server signing off", "+OK POP3 server signing off (0 messages deleted)",
     "+OK POP3 server signing off"},
};

class extension_states : public extensions_test {
 protected:
  // DELI changes the maildrop for real: every case starts from the standard one.
  void fresh_mailbox() {
    fs::remove_all(dir_.root() / "alice");
    put_standard_mailbox(dir_.root(), "alice");
  }
  static void expect_prefix(const std::string& response, std::string_view expected,
                            const std::string& context) {
    EXPECT_TRUE(response.starts_with(expected))
        << context << "\n  expected: " << expected << "...\n  got:      " << response;
  }
};

TEST_F(extension_states, every_command_in_authorization) {
  for (const auto& c : state_cases) {
    fresh_mailbox();
    driver d(config_, store_);
    expect_prefix(d.cmd(c.line), c.in_authorization, std::string("AUTHORIZATION: ") + c.line);
  }
}

TEST_F(extension_states, every_command_in_transaction) {
  for (const auto& c : state_cases) {
    fresh_mailbox();
    driver d(config_, store_);
    log_in(d);
    expect_prefix(d.cmd(c.line), c.in_transaction, std::string("TRANSACTION: ") + c.line);
  }
}

TEST_F(extension_states, every_command_in_sleep) {
  for (const auto& c : state_cases) {
    fresh_mailbox();
    driver d(config_, store_);
    log_in_and_sleep(d);
    const std::string line = c.line;
    expect_prefix(d.cmd(line), c.in_sleep, "SLEEP: " + line);
    // Only WAKE leaves the SLEEP state, and only QUIT ends the connection (draft §6, §8).
    const auto expected = line == "WAKE"   ? session_state::transaction
                          : line == "QUIT" ? session_state::closed
                                           : session_state::sleep;
    EXPECT_EQ(d.session().state(), expected) << line;
    EXPECT_EQ(d.closed(), line == "QUIT") << line;
  }
}

TEST_F(extension_states, slee_asks_the_driver_to_flush_before_the_next_line) {
  driver d(config_, store_);
  log_in(d);
  using pop3::protocol::framed_line;
  const auto noop = d.session().on_line({"NOOP", framed_line::ending::crlf, false});
  EXPECT_EQ(noop.then, session_output::next::read) << "ordinary answers may be coalesced";
  const auto slee = d.session().on_line({"SLEE", framed_line::ending::crlf, false});
  EXPECT_EQ(slee.then, session_output::next::flush);
  EXPECT_TRUE(slee.bytes.starts_with("+OK"));
  // A pipelined batch after SLEE runs in the SLEEP state, in order (DIGEST A32).
  const auto batch = d.send("STAT\r\nNOOP\r\nWAKE\r\nSTAT\r\n");
  const auto stat = d.cmd("STAT");
  EXPECT_EQ(batch,
            "-ERR STAT is not valid in this state\r\n+OK\r\n+OK [ACTIVITY/NONE] maildrop has 4 messages (" +
                stat.substr(6, stat.size() - 8) + " octets)\r\n" + stat);
}

struct switch_case {
  bool capability_switches::*flag;
  const char* capa_tag;  ///< "" for the legacy commands, which have none
  const char* line;      ///< a command of this switch, sent in TRANSACTION
  const char* when_on;   ///< prefix of its answer when only this switch is on
  const char* when_off;  ///< its answer when this switch is off
};

const switch_case switch_cases[] = {
    {&capability_switches::sleeping, "SLEEPING", "SLEE", "+OK 0 messages deleted", "-ERR unknown command"},
    {&capability_switches::core, "CORE", "CORE", "+OK [ACTIVITY/NONE] 0 messages deleted",
     "-ERR unknown command"},
    {&capability_switches::deli, "DELI", "DELI 4", "+OK message 4 (UID:", "-ERR unknown command"},
    {&capability_switches::uid_param, "UID-PARAM", "LIST UID:nope", "-ERR [UID] no such message",
     "-ERR invalid message number"},
    {&capability_switches::xtnd, "", "XTND", "+OK supported POP3 service extensions follow",
     "-ERR unknown command"},
    {&capability_switches::last, "", "LAST", "+OK 2", "-ERR unknown command"},
};

TEST_F(extension_states, each_switch_enables_and_announces_only_its_own_extension) {
  for (const auto& on : switch_cases) {
    fresh_mailbox();
    auto config = base_config(dir_.root());
    config.caps.*(on.flag) = true;
    driver d(config, store_);
    log_in(d);
    const auto set = pop3::protocol::capability_set::parse(data_lines(d.cmd("CAPA")));
    for (const auto& other : switch_cases) {
      const std::string context =
          std::string("switched on: ") + (on.capa_tag[0] ? on.capa_tag : on.line) + ", sent: " + other.line;
      if (other.capa_tag[0] != '\0') {
        EXPECT_EQ(set.has(other.capa_tag), &other == &on) << context;
      }
      const auto reply = d.cmd(other.line);
      if (&other == &on) {
        EXPECT_TRUE(reply.starts_with(other.when_on)) << context << ": " << reply;
      } else {
        EXPECT_EQ(first_line(reply), other.when_off) << context;
      }
      if (d.session().state() != session_state::transaction) break;  // SLEE: the rest is covered above
    }
  }
  // Legacy commands never get a CAPA tag (RFC 2449 §9: unregistered tags start with "X-").
  driver all(config_, store_);
  const auto set = pop3::protocol::capability_set::parse(data_lines(all.cmd("CAPA")));
  EXPECT_FALSE(set.has("XTND"));
  EXPECT_FALSE(set.has("LAST"));
  for (const char* tag : {"SLEEPING", "CORE", "DELI", "UID-PARAM"})
    EXPECT_TRUE(set.has(tag)) << "before login: " << tag;
}

TEST_F(extension_states, deli_takes_uid_references_even_without_uid_param) {
  config_.caps.uid_param = false;  // DIGEST A9
  driver d(config_, store_);
  log_in(d);
  const auto uid = uid_of(d, 3);
  EXPECT_EQ(first_line(d.cmd("RETR UID:" + uid)), "-ERR invalid message number");
  EXPECT_EQ(first_line(d.cmd("DELI UID:" + uid)), "+OK message 3 (UID:" + uid + ") deleted and committed");
}

TEST_F(extension_states, xtnd_lists_the_optional_commands_this_connection_may_use) {
  const std::vector<std::string> everything = {"APOP", "AUTH CRAM-MD5", "AUTH PLAIN", "CAPA", "CORE",
                                               "DELI", "LAST",          "PASS",       "SLEE", "TOP",
                                               "UIDL", "USER",          "WAKE",       "XTND"};
  driver d(config_, store_);
  EXPECT_EQ(data_lines(d.cmd("XTND")), everything);
  log_in(d);
  EXPECT_EQ(data_lines(d.cmd("XTND")), everything) << "the same list in TRANSACTION";
  EXPECT_EQ(d.cmd("XTND BBOARDS"), "-ERR no such service extension\r\n") << "RFC 1082 forms are not offered";

  // STLS only where it is possible now; USER, PASS and PLAIN not while plaintext needs TLS; and
  // switched-off commands not at all.
  config_.require_tls_for_plaintext_auth = true;
  config_.caps.sleeping = config_.caps.last = config_.caps.top = false;
  driver tls_possible(config_, store_, pop3::refd::connection_info{false, true, false, "t"});
  EXPECT_EQ(
      data_lines(tls_possible.cmd("XTND")),
      (std::vector<std::string>{"APOP", "AUTH CRAM-MD5", "CAPA", "CORE", "DELI", "STLS", "UIDL", "XTND"}));
}

TEST_F(extension_states, sleep_has_its_own_autologout_when_configured) {
  driver d(config_, store_);
  log_in_and_sleep(d);
  EXPECT_EQ(d.session().idle_timeout(), std::chrono::seconds(600)) << "the same timer by default (A28)";
  config_.sleep_autologout = std::chrono::seconds(3600);
  driver e(config_, store_);
  EXPECT_EQ(e.session().idle_timeout(), std::chrono::seconds(600));
  log_in(e);
  EXPECT_EQ(e.session().idle_timeout(), std::chrono::seconds(600));
  e.cmd("SLEE");
  EXPECT_EQ(e.session().idle_timeout(), std::chrono::seconds(3600));
  e.cmd("WAKE");
  EXPECT_EQ(e.session().idle_timeout(), std::chrono::seconds(600));
}

TEST_F(extension_states, configuration_keys_and_switches) {
  const auto file =
      dir_.write_file("ext.conf",
                      "maildir_root = maildirs\n"
                      "capability.SLEEPING = on\ncapability.core = yes\ncapability.DELI = 1\n"
                      "capability.UID-PARAM = true\ncapability.XTND = on\ncapability.LAST = on\n"
                      "login_delay_on_wake = yes\nsleep_autologout = 3600\n");
  const auto config = pop3::refd::load_config_file(file);
  const auto& c = config.caps;
  EXPECT_TRUE(c.sleeping && c.core && c.deli && c.uid_param && c.xtnd && c.last);
  EXPECT_TRUE(config.login_delay_on_wake);
  EXPECT_EQ(config.sleep_autologout, std::chrono::seconds(3600));

  const pop3::refd::server_config defaults;
  EXPECT_FALSE(defaults.caps.sleeping || defaults.caps.core || defaults.caps.deli ||
               defaults.caps.uid_param || defaults.caps.xtnd || defaults.caps.last)
      << "every extension is off by default";
  EXPECT_FALSE(defaults.login_delay_on_wake);
  EXPECT_FALSE(defaults.sleep_autologout);

  for (const char* bad :
       {"login_delay_on_wake = maybe\n", "sleep_autologout = 0\n", "sleep_autologout = x\n"}) {
    const auto broken = dir_.write_file("bad.conf", bad);
    EXPECT_THROW(pop3::refd::load_config_file(broken), std::runtime_error) << bad;
  }
}

}  // namespace
