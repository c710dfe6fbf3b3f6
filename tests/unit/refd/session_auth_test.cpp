// USER/PASS, APOP, LOGIN-DELAY, locking, response codes, STLS and the plaintext policy.
#include <gtest/gtest.h>

#include "pop3/protocol/auth.hpp"
#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::refd::connection_info;
using pop3::refd::session_state;

class session_auth : public ::testing::Test {
 protected:
  void SetUp() override { put_standard_mailbox(dir_.root(), "alice"); }
  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = base_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
  fake_environment env_;
};

TEST_F(session_auth, greeting_carries_a_unique_msg_id_timestamp) {
  driver a(config_, store_), b(config_, store_);
  const auto ta = pop3::protocol::find_apop_timestamp(a.greeting());
  const auto tb = pop3::protocol::find_apop_timestamp(b.greeting());
  ASSERT_TRUE(ta && tb);
  EXPECT_NE(*ta, *tb);
  EXPECT_NE(ta->find('@'), std::string::npos);
  EXPECT_TRUE(a.greeting().starts_with("+OK ")) << a.greeting();
}

TEST_F(session_auth, user_pass_logs_in_with_the_snapshot_totals) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("USER alice"), "+OK send PASS\r\n");
  const auto reply = d.cmd("PASS alice-pass");
  std::uint64_t total = 0;
  for (const auto& m : standard_messages()) total += m.crlf.size();
  EXPECT_EQ(reply, "+OK maildrop has 4 messages (" + std::to_string(total) + " octets)\r\n");
  EXPECT_EQ(d.session().state(), session_state::transaction);
}

TEST_F(session_auth, password_is_the_whole_rest_of_the_line) {
  put_standard_mailbox(dir_.root(), "bob");
  driver d(config_, store_);
  EXPECT_TRUE(d.login("bob", "b o  b").starts_with("+OK maildrop")) << "spaces are part of the password";
  driver e(config_, store_);
  EXPECT_EQ(e.login("alice", "alice-pass "), "-ERR [AUTH] authentication failed\r\n");
}

TEST_F(session_auth, credential_failures_carry_auth_only_with_auth_resp_code) {
  driver d(config_, store_);
  EXPECT_EQ(d.login("alice", "wrong"), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(d.login("nobody", "x"), "-ERR [AUTH] authentication failed\r\n");
  config_.caps.auth_resp_code = false;
  driver e(config_, store_);
  EXPECT_EQ(e.login("alice", "wrong"), "-ERR authentication failed\r\n");
}

TEST_F(session_auth, unknown_and_disabled_users_get_ok_on_user_and_fail_on_pass) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("USER nobody"), "+OK send PASS\r\n");  // no user enumeration, no code on USER
  EXPECT_EQ(d.cmd("PASS x"), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(d.cmd("USER carol"), "+OK send PASS\r\n");
  EXPECT_EQ(d.cmd("PASS carol-pass"), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(d.session().state(), session_state::authorization);
}

TEST_F(session_auth, pass_only_immediately_after_user_per_a33) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n");
  // A failed PASS ends the sequence.
  d.cmd("USER alice");
  d.cmd("PASS wrong");
  EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n");
  // Any other command in between, even one refused with -ERR, ends the sequence (RFC 1939 §7
  // "immediately"); so do unknown commands and over-long lines.
  for (const char* between : {"NOOP", "XYZZY", "STAT 1", "\x01"}) {
    d.cmd("USER alice");
    EXPECT_TRUE(d.cmd(between).starts_with("-ERR")) << between;
    EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n") << between;
  }
  // CAPA is the exception (RFC 2449 §5: no restrictions); a new USER replaces the pending one.
  d.cmd("USER bob");
  EXPECT_TRUE(d.cmd("CAPA").starts_with("+OK"));
  d.cmd("USER alice");
  EXPECT_TRUE(d.cmd("CAPA").starts_with("+OK"));
  EXPECT_TRUE(d.cmd("PASS alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_auth, apop_and_auth_abandon_a_pending_user) {
  driver d(config_, store_);
  d.cmd("USER alice");
  d.cmd("APOP alice 00000000000000000000000000000000");
  EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n");
  d.cmd("USER alice");
  d.cmd("AUTH PLAIN");
  d.cmd("*");
  EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n");
}

TEST_F(session_auth, apop_with_the_rfc1939_vector) {
  env_.timestamps = {"<1896.697170952@dbc.mtview.ca.us>"};
  driver d(config_, store_, {}, env_.make());
  EXPECT_EQ(d.greeting(), "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  EXPECT_TRUE(d.cmd("APOP alice c4c9334bac560ecc979e58001b3e22fb").starts_with("+OK maildrop"));
}

TEST_F(session_auth, apop_digest_is_case_insensitive_and_bound_to_the_greeting) {
  env_.timestamps = {"<1896.697170952@dbc.mtview.ca.us>", "<other.1@dbc.mtview.ca.us>"};
  driver d(config_, store_, {}, env_.make());
  EXPECT_TRUE(d.cmd("APOP alice C4C9334BAC560ECC979E58001B3E22FB").starts_with("+OK maildrop"));
  d.cmd("QUIT");
  driver replay(config_, store_, {}, env_.make());
  EXPECT_EQ(replay.cmd("APOP alice c4c9334bac560ecc979e58001b3e22fb"), "-ERR [AUTH] authentication failed\r\n");
}

TEST_F(session_auth, apop_uses_the_password_when_no_apop_secret_is_set) {
  put_standard_mailbox(dir_.root(), "bob");
  env_.timestamps = {"<42.1@host>"};
  driver d(config_, store_, {}, env_.make());
  const auto digest = pop3::protocol::apop_digest("<42.1@host>", "b o  b");
  EXPECT_TRUE(d.cmd("APOP bob " + digest).starts_with("+OK maildrop"));
}

TEST_F(session_auth, apop_only_accounts_refuse_password_logins_per_rfc1939_section13) {
  config_.apop_only = true;
  put_standard_mailbox(dir_.root(), "bob");  // bob has no APOP secret: his password still works
  env_.timestamps = {"<1896.697170952@dbc.mtview.ca.us>"};
  {
    driver d(config_, store_, {}, env_.make());
    (void)d.greeting();
    EXPECT_EQ(d.cmd("USER alice"), "+OK send PASS\r\n");
    EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR [AUTH] authentication failed\r\n");  // the right password
    EXPECT_EQ(d.cmd("AUTH PLAIN AGFsaWNlAGFsaWNlLXBhc3M="), "-ERR [AUTH] authentication failed\r\n");
    EXPECT_TRUE(d.cmd("APOP alice c4c9334bac560ecc979e58001b3e22fb").starts_with("+OK maildrop"));
  }
  driver d(config_, store_, {}, env_.make());
  EXPECT_TRUE(d.login("bob", "b o  b").starts_with("+OK maildrop"));
}

TEST_F(session_auth, second_login_gets_in_use_and_never_disturbs_the_first) {
  driver first(config_, store_);
  ASSERT_TRUE(first.login("alice", "alice-pass").starts_with("+OK"));
  driver second(config_, store_);
  // DIGEST A40: a wrong password on a locked box is [AUTH]; the right one is [IN-USE].
  EXPECT_EQ(second.login("alice", "wrong"), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(second.login("alice", "alice-pass"), "-ERR [IN-USE] maildrop is locked by another session\r\n");
  EXPECT_EQ(second.session().state(), session_state::authorization);
  EXPECT_TRUE(first.cmd("STAT").starts_with("+OK 4 "));
  first.cmd("QUIT");
  EXPECT_TRUE(second.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_auth, a_dropped_connection_releases_the_lock) {
  driver first(config_, store_);
  first.login("alice", "alice-pass");
  first.session().on_disconnect();
  EXPECT_EQ(first.session().state(), session_state::closed);
  driver second(config_, store_);
  EXPECT_TRUE(second.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_auth, in_use_without_resp_codes_has_no_code) {
  config_.caps.resp_codes = false;
  driver first(config_, store_);
  first.login("alice", "alice-pass");
  driver second(config_, store_);
  EXPECT_EQ(second.login("alice", "alice-pass"), "-ERR maildrop is locked by another session\r\n");
}

TEST_F(session_auth, login_delay_is_enforced_after_the_credentials) {
  config_.login_delay = std::chrono::seconds(30);
  driver first(config_, store_, {}, env_.make());
  ASSERT_TRUE(first.login("alice", "alice-pass").starts_with("+OK"));
  first.cmd("QUIT");
  env_.now += std::chrono::seconds(29);
  driver second(config_, store_, {}, env_.make());
  EXPECT_EQ(second.login("alice", "wrong"), "-ERR [AUTH] authentication failed\r\n");  // A25: credentials first
  EXPECT_EQ(second.login("alice", "alice-pass"),
            "-ERR [LOGIN-DELAY] login delay: last login was less than 30 seconds ago\r\n");
  env_.now += std::chrono::seconds(1);
  EXPECT_TRUE(second.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_auth, login_delay_per_user_override_and_switch) {
  config_.login_delay = std::chrono::seconds(30);
  config_.users["alice"].login_delay = std::chrono::seconds(0);
  driver first(config_, store_, {}, env_.make());
  first.login("alice", "alice-pass");
  first.cmd("QUIT");
  driver second(config_, store_, {}, env_.make());
  EXPECT_TRUE(second.login("alice", "alice-pass").starts_with("+OK")) << "alice has no delay";
  second.cmd("QUIT");

  // Not announced, not enforced.
  config_.users["alice"].login_delay.reset();
  config_.caps.login_delay = false;
  driver third(config_, store_, {}, env_.make());
  EXPECT_TRUE(third.login("alice", "alice-pass").starts_with("+OK"));
}

TEST_F(session_auth, too_many_failures_close_the_connection) {
  config_.max_auth_failures = 3;
  driver d(config_, store_);
  EXPECT_EQ(d.login("alice", "a"), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(d.cmd("APOP alice 00000000000000000000000000000000"), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_FALSE(d.closed());
  EXPECT_EQ(d.login("alice", "c"), "-ERR [AUTH] authentication failed; too many failures, closing\r\n");
  EXPECT_TRUE(d.closed());
  EXPECT_EQ(d.session().state(), session_state::closed);
}

TEST_F(session_auth, store_failures_at_login_give_sys_codes) {
  faulty_store store(dir_.root());
  store.fail_lock = pop3::refd::store_errc::temporary;
  driver a(config_, store);
  EXPECT_EQ(a.login("alice", "alice-pass"), "-ERR [SYS/TEMP] cannot open maildrop\r\n");
  store.fail_lock = pop3::refd::store_errc::ok;
  store.fail_scan = pop3::refd::store_errc::permanent;
  EXPECT_EQ(a.login("alice", "alice-pass"), "-ERR [SYS/PERM] cannot read maildrop\r\n");
  EXPECT_EQ(a.session().state(), session_state::authorization);
  // The failed attempt released the lock it took.
  store.fail_scan = pop3::refd::store_errc::ok;
  EXPECT_TRUE(a.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_auth, stls_requests_tls_and_resets_pending_state) {
  driver d(config_, store_, connection_info{false, true, false, "test"});
  d.cmd("USER alice");
  // Bytes pipelined after STLS are discarded by the driver (RFC 2595 §4).
  EXPECT_EQ(d.send("STLS\r\nPASS alice-pass\r\n"), "+OK begin TLS negotiation\r\n");
  EXPECT_TRUE(d.tls_requested());
  d.complete_tls();
  EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n");  // A18
  EXPECT_EQ(d.cmd("STLS"), "-ERR TLS is already active\r\n");
  EXPECT_TRUE(d.login("alice", "alice-pass").starts_with("+OK maildrop"));
  EXPECT_EQ(d.cmd("STLS"), "-ERR STLS is not valid in this state\r\n");
}

TEST_F(session_auth, stls_is_refused_on_implicit_tls_and_without_a_certificate) {
  driver implicit(config_, store_, connection_info{true, true, true, "test"});
  EXPECT_EQ(implicit.cmd("STLS"), "-ERR TLS is already active\r\n");
  driver no_cert(config_, store_, connection_info{false, false, false, "test"});
  EXPECT_EQ(no_cert.cmd("STLS"), "-ERR TLS is not available\r\n");
}

TEST_F(session_auth, plaintext_policy_refuses_user_pass_and_plain_before_tls) {
  config_.require_tls_for_plaintext_auth = true;
  driver d(config_, store_, connection_info{false, true, false, "test"});
  // No [AUTH] code: the credentials were never looked at (DIGEST A17).
  EXPECT_EQ(d.cmd("USER alice"), "-ERR plaintext authentication requires TLS; use STLS first\r\n");
  EXPECT_EQ(d.cmd("PASS alice-pass"), "-ERR PASS must immediately follow a successful USER\r\n");
  EXPECT_EQ(d.cmd("AUTH PLAIN AGFsaWNlAGFsaWNlLXBhc3M="), "-ERR plaintext authentication requires TLS; use STLS first\r\n");
  d.cmd("STLS");
  d.complete_tls();
  EXPECT_TRUE(d.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

}  // namespace
