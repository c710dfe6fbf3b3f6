// CAPA contents in each state and under each policy (RFC 2449 §5-6, DIGEST A16, A17, A41).
#include <gtest/gtest.h>

#include "pop3/protocol/capabilities.hpp"
#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::protocol::capability_set;
using pop3::refd::connection_info;

class session_capa : public ::testing::Test {
 protected:
  void SetUp() override {
    put_standard_mailbox(dir_.root(), "alice");
    put_standard_mailbox(dir_.root(), "bob");
  }
  static capability_set capa(driver& d) {
    const auto reply = d.cmd("CAPA");
    EXPECT_TRUE(reply.starts_with("+OK capability list follows\r\n")) << reply;
    auto set = capability_set::parse(data_lines(reply));
    EXPECT_TRUE(set.problems().empty());
    return set;
  }
  static std::vector<std::string> tags(const capability_set& set) {
    std::vector<std::string> out;
    for (const auto& c : set.items()) out.push_back(c.tag);
    return out;
  }
  static std::vector<std::string> params(const capability_set& set, std::string_view tag) {
    const auto* c = set.find(tag);
    return c ? c->params : std::vector<std::string>{"<absent>"};
  }
  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = base_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
};

TEST_F(session_capa, default_capabilities_before_and_after_login) {
  driver d(config_, store_, connection_info{false, true, false, "t"});
  const auto before = capa(d);
  EXPECT_EQ(tags(before), (std::vector<std::string>{"TOP", "USER", "SASL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                                                    "UIDL", "EXPIRE", "LOGIN-DELAY", "IMPLEMENTATION", "STLS"}));
  EXPECT_EQ(params(before, "SASL"), (std::vector<std::string>{"PLAIN", "CRAM-MD5"}));
  EXPECT_EQ(params(before, "EXPIRE"), std::vector<std::string>{"NEVER"});
  EXPECT_EQ(params(before, "LOGIN-DELAY"), std::vector<std::string>{"0"});
  EXPECT_EQ(params(before, "IMPLEMENTATION"), std::vector<std::string>{"pop3refd"});
  d.login("alice", "alice-pass");
  const auto after = capa(d);
  // Everything announced before login is announced after it, except STLS (A16).
  auto expected = tags(before);
  expected.pop_back();
  EXPECT_EQ(tags(after), expected);
  EXPECT_EQ(params(after, "SASL"), (std::vector<std::string>{"PLAIN", "CRAM-MD5"}));
}

TEST_F(session_capa, per_user_values_pick_the_strictest_and_say_user) {
  config_.expire_days = 30;
  config_.users["alice"].expire_days = 0;
  config_.users["bob"].expire_days = -1;
  config_.login_delay = std::chrono::seconds(60);
  config_.users["alice"].login_delay = std::chrono::seconds(900);
  driver d(config_, store_);
  const auto before = capa(d);
  EXPECT_EQ(params(before, "EXPIRE"), (std::vector<std::string>{"0", "USER"}));          // smallest
  EXPECT_EQ(params(before, "LOGIN-DELAY"), (std::vector<std::string>{"900", "USER"}));  // largest
  d.login("bob", "b o  b");
  const auto after = capa(d);
  EXPECT_EQ(params(after, "EXPIRE"), std::vector<std::string>{"NEVER"});
  EXPECT_EQ(params(after, "LOGIN-DELAY"), std::vector<std::string>{"60"});
}

TEST_F(session_capa, uniform_values_have_no_user_suffix) {
  config_.expire_days = 7;
  config_.login_delay = std::chrono::seconds(300);
  driver d(config_, store_);
  const auto set = capa(d);
  EXPECT_EQ(params(set, "EXPIRE"), std::vector<std::string>{"7"});
  EXPECT_EQ(params(set, "LOGIN-DELAY"), std::vector<std::string>{"300"});
}

TEST_F(session_capa, tls_policy_hides_user_and_plain_until_tls) {
  config_.require_tls_for_plaintext_auth = true;
  driver d(config_, store_, connection_info{false, true, false, "t"});
  const auto before = capa(d);
  EXPECT_FALSE(before.has("USER"));
  EXPECT_EQ(params(before, "SASL"), std::vector<std::string>{"CRAM-MD5"});
  EXPECT_TRUE(before.has("STLS"));
  d.cmd("STLS");
  d.complete_tls();
  const auto after_tls = capa(d);
  EXPECT_TRUE(after_tls.has("USER"));
  EXPECT_EQ(params(after_tls, "SASL"), (std::vector<std::string>{"PLAIN", "CRAM-MD5"}));
  EXPECT_FALSE(after_tls.has("STLS"));
}

TEST_F(session_capa, stls_only_when_possible) {
  driver no_cert(config_, store_, connection_info{false, false, false, "t"});
  EXPECT_FALSE(capa(no_cert).has("STLS"));
  driver implicit(config_, store_, connection_info{true, true, true, "t"});
  EXPECT_FALSE(capa(implicit).has("STLS"));
  config_.caps.stls = false;
  driver switched_off(config_, store_, connection_info{false, true, false, "t"});
  EXPECT_FALSE(capa(switched_off).has("STLS"));
}

TEST_F(session_capa, every_switch_removes_its_line) {
  auto& c = config_.caps;
  c.top = c.user = c.uidl = c.resp_codes = c.pipelining = c.auth_resp_code = false;
  c.sasl = c.implementation = c.expire = c.login_delay = false;
  driver d(config_, store_, connection_info{false, true, false, "t"});
  EXPECT_EQ(tags(capa(d)), std::vector<std::string>{"STLS"});
  config_.sasl_mechanisms.clear();
  config_.caps.sasl = true;
  driver e(config_, store_);
  EXPECT_FALSE(capa(e).has("SASL")) << "no mechanism, no SASL line";
}

TEST_F(session_capa, withdrawing_resp_codes_withdraws_auth_resp_code_and_its_codes) {
  // RFC 2449 §8: response codes belong to RESP-CODES; [AUTH] is one of them.
  config_.caps.resp_codes = false;
  driver d(config_, store_);
  const auto before = capa(d);
  EXPECT_FALSE(before.has("RESP-CODES"));
  EXPECT_FALSE(before.has("AUTH-RESP-CODE"));
  EXPECT_EQ(d.login("alice", "wrong"), "-ERR authentication failed\r\n");
}

}  // namespace
