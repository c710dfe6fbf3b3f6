// The config file, the users file and the value parsers.
#include <gtest/gtest.h>

#include <fstream>

#include "pop3/refd/config.hpp"
#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using namespace pop3::refd;

class config_test : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.base() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // The message of the error load_config_file throws, or "" if it does not throw.
  std::string config_error(const std::string& text) {
    try {
      load_config_file(write("bad.conf", text));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  pop3::testing::temp_maildir dir_;
};

TEST_F(config_test, full_file) {
  write("users", "# comment\nalice:alice pass:apop-secret\n\nbob:bob#pass\n");
  const auto config = load_config_file(write("refd.conf", R"(# pop3refd test configuration
listen = 127.0.0.1:1110
listen = [::1]:0
listen_tls = 127.0.0.1:1995
maildir_root = mail
users_file = users
user = carol:carol-pass
user.alice.login_delay = 60
user.alice.expire = 0
user.carol.enabled = no
hostname = pop.example.org
implementation = pop3refd test build
autologout = 1200
login_delay = 5
expire = never
tls_cert = certs/server.pem
tls_key = /etc/key.pem
require_tls_for_plaintext_auth = yes
apop_only = yes
max_command_octets = 512
max_sasl_response_octets = 4096
max_sessions = 50
max_auth_failures = 0
strict_syntax = off
sasl_mechanisms = cram-md5
capability.TOP = off
capability.resp-codes = no
capability.sleeping = on
)"));
  ASSERT_EQ(config.listen.size(), 3U);
  EXPECT_EQ(config.listen[0].address, "127.0.0.1");
  EXPECT_EQ(config.listen[0].port, 1110);
  EXPECT_EQ(config.listen[1].address, "::1");
  EXPECT_TRUE(config.listen[2].implicit_tls);
  EXPECT_EQ(config.maildir_root, dir_.base() / "mail");
  ASSERT_EQ(config.users.size(), 3U);
  EXPECT_EQ(config.users.at("alice").password, "alice pass");
  EXPECT_EQ(config.users.at("alice").apop_secret, "apop-secret");
  EXPECT_EQ(config.users.at("alice").login_delay, std::chrono::seconds(60));
  EXPECT_EQ(config.users.at("alice").expire_days, 0);
  EXPECT_EQ(config.users.at("bob").password, "bob#pass");
  EXPECT_FALSE(config.users.at("carol").enabled);
  EXPECT_EQ(config.hostname, "pop.example.org");
  EXPECT_EQ(config.implementation, "pop3refd test build");
  EXPECT_EQ(config.autologout, std::chrono::seconds(1200));
  EXPECT_EQ(config.login_delay, std::chrono::seconds(5));
  EXPECT_EQ(config.expire_days, -1);
  EXPECT_EQ(config.tls_cert, dir_.base() / "certs/server.pem");
  EXPECT_EQ(config.tls_key, "/etc/key.pem");
  EXPECT_TRUE(config.require_tls_for_plaintext_auth);
  EXPECT_TRUE(config.apop_only);
  EXPECT_EQ(config.max_command_octets, 512U);
  EXPECT_EQ(config.max_sasl_response_octets, 4096U);
  EXPECT_EQ(config.max_sessions, 50U);
  EXPECT_EQ(config.max_auth_failures, 0);
  EXPECT_FALSE(config.strict_syntax);
  EXPECT_EQ(config.sasl_mechanisms, std::vector<std::string>{"CRAM-MD5"});
  EXPECT_FALSE(config.caps.top);
  EXPECT_FALSE(config.caps.resp_codes);
  EXPECT_TRUE(config.caps.sleeping);
  EXPECT_TRUE(config.caps.uidl);
}

TEST_F(config_test, defaults_when_empty) {
  const auto config = load_config_file(write("empty.conf", "# nothing\n\n"));
  ASSERT_EQ(config.listen.size(), 1U);
  EXPECT_EQ(config.listen[0].address, "127.0.0.1");
  EXPECT_EQ(config.autologout, std::chrono::seconds(600));
  EXPECT_TRUE(config.strict_syntax);
}

TEST_F(config_test, errors_name_file_and_line) {
  const auto path = (dir_.base() / "bad.conf").string();
  EXPECT_EQ(config_error("# c\nnonsense\n"), path + ":2: expected 'key = value'");
  EXPECT_EQ(config_error("frobnicate = 1\n"), path + ":1: unknown key 'frobnicate'");
  EXPECT_EQ(config_error("\nautologout = soon\n"), path + ":2: expected a number in 1..31622400, got 'soon'");
  EXPECT_EQ(config_error("listen = localhost\n"), path + ":1: expected ADDR:PORT, got 'localhost'");
  EXPECT_EQ(config_error("listen = 127.0.0.1:70000\n"), path + ":1: expected ADDR:PORT, got '127.0.0.1:70000'");
  EXPECT_EQ(config_error("expire = sometimes\n"), path + ":1: expected a number of days or 'never', got 'sometimes'");
  EXPECT_EQ(config_error("strict_syntax = maybe\n"), path + ":1: expected yes/no, got 'maybe'");
  EXPECT_EQ(config_error("capability.FOO = on\n"), path + ":1: unknown capability 'FOO'");
  EXPECT_EQ(config_error("sasl_mechanisms = PLAIN GSSAPI\n"), path + ":1: unsupported SASL mechanism 'GSSAPI' (PLAIN, CRAM-MD5)");
  EXPECT_EQ(config_error("max_command_octets = 100\n"), path + ":1: expected a number in 255..65536, got '100'");
  EXPECT_EQ(config_error("user = a:1\nuser = a:2\n"), path + ":2: duplicate user 'a'");
  EXPECT_EQ(config_error("x = 1\n\nuser.zed.expire = 1\n").find(":1: unknown key"), path.size());
  EXPECT_EQ(config_error("user.zed.expire = 1\n"), path + ":1: unknown user 'zed'");
  EXPECT_EQ(config_error("user = a:1\nuser.a.colour = red\n"), path + ":2: unknown user field 'colour' (login_delay, expire, enabled)");
  EXPECT_EQ(config_error("hostname = a b\n"), path + ":1: invalid character in hostname");
  EXPECT_EQ(config_error("implementation = " + std::string(401, 'x') + "\n"),
            path + ":1: implementation text longer than 400 characters");
  EXPECT_EQ(config_error("maildir_root =\n"), path + ":1: empty value");
}

TEST_F(config_test, missing_file_is_an_error) {
  EXPECT_THROW(load_config_file(dir_.base() / "absent.conf"), std::runtime_error);
  EXPECT_THROW(load_users_file(dir_.base() / "absent.users"), std::runtime_error);
}

TEST_F(config_test, users_file_errors) {
  const auto path = write("users", "alice:pw\n\nno-colon\n");
  try {
    load_users_file(path);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ":3: expected name:password[:apop-secret]");
  }
  EXPECT_THROW(load_users_file(write("u2", "../etc:pw\n")), std::runtime_error);
  EXPECT_THROW(load_users_file(write("u3", "a:\n")), std::runtime_error);
  EXPECT_THROW(load_users_file(write("u4", "a:1\na:2\n")), std::runtime_error);
  const auto users = load_users_file(write("u5", "a:p w d:sec\r\nb:x\n"));
  EXPECT_EQ(users.at("a").password, "p w d");
  EXPECT_EQ(users.at("a").apop_secret, "sec");
  EXPECT_EQ(users.at("b").apop_secret, "");
}

TEST(config_values, capability_switch_names) {
  capability_switches caps;
  EXPECT_TRUE(set_capability_switch(caps, "auth-resp-code", false));
  EXPECT_FALSE(caps.auth_resp_code);
  EXPECT_TRUE(set_capability_switch(caps, "UID-PARAM", true));
  EXPECT_TRUE(caps.uid_param);
  EXPECT_FALSE(set_capability_switch(caps, "NOPE", true));
}

TEST(config_values, expire_and_endpoints) {
  EXPECT_EQ(parse_expire_days("never"), -1);
  EXPECT_EQ(parse_expire_days("NEVER"), -1);
  EXPECT_EQ(parse_expire_days("0"), 0);
  EXPECT_EQ(parse_expire_days("31"), 31);
  EXPECT_FALSE(parse_expire_days("-1"));
  EXPECT_FALSE(parse_expire_days("99999999999"));
  const auto v6 = parse_listen_endpoint("[::1]:995", true);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(v6->port, 995);
  EXPECT_TRUE(v6->implicit_tls);
  EXPECT_FALSE(parse_listen_endpoint("::1:995", false));
  EXPECT_FALSE(parse_listen_endpoint(":110", false));
  EXPECT_FALSE(parse_listen_endpoint("127.0.0.1:", false));
}

TEST(config_values, effective_per_user_values) {
  server_config config;
  config.login_delay = std::chrono::seconds(10);
  config.expire_days = 5;
  user_account plain;
  user_account special;
  special.login_delay = std::chrono::seconds(0);
  special.expire_days = -1;
  EXPECT_EQ(effective_login_delay(config, plain), std::chrono::seconds(10));
  EXPECT_EQ(effective_login_delay(config, special), std::chrono::seconds(0));
  EXPECT_EQ(effective_expire_days(config, plain), 5);
  EXPECT_EQ(effective_expire_days(config, special), -1);
}

}  // namespace
