// AUTH (RFC 5034) with PLAIN (RFC 4616) and CRAM-MD5 (RFC 2195), using the DIGEST.md §11 vectors.
#include <gtest/gtest.h>

#include "pop3/protocol/auth.hpp"
#include "refd_test_support.hpp"

namespace {

using namespace refd_test;
using pop3::protocol::base64_encode;
using pop3::refd::session_state;

class session_sasl : public ::testing::Test {
 protected:
  void SetUp() override {
    put_standard_mailbox(dir_.root(), "alice");
    put_standard_mailbox(dir_.root(), "test");
    put_standard_mailbox(dir_.root(), "tim");
    config_.users["test"] = make_account("test", "test");
    config_.users["tim"] = make_account("tim", "tanstaaftanstaaf");
  }
  pop3::testing::temp_maildir dir_;
  pop3::refd::server_config config_ = base_config(dir_.root());
  pop3::refd::maildir_store store_{dir_.root()};
  fake_environment env_;
};

TEST_F(session_sasl, plain_with_initial_response_rfc5034_example) {
  driver d(config_, store_);
  EXPECT_TRUE(d.cmd("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=").starts_with("+OK maildrop"));
  EXPECT_EQ(d.session().state(), session_state::transaction);
  // RFC 5034 §4: AUTH after a successful login is refused; SASL stays announced.
  EXPECT_EQ(d.cmd("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="), "-ERR AUTH is not valid in this state\r\n");
  EXPECT_NE(d.cmd("CAPA").find("\r\nSASL PLAIN CRAM-MD5\r\n"), std::string::npos);
}

TEST_F(session_sasl, plain_after_an_exactly_empty_challenge) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("auth plain"), "+ \r\n");
  EXPECT_TRUE(d.cmd(base64_encode(std::string("\0alice\0alice-pass", 17))).starts_with("+OK maildrop"));
}

TEST_F(session_sasl, plain_failures) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("AUTH PLAIN " + base64_encode(std::string("\0alice\0nope", 11))), "-ERR [AUTH] authentication failed\r\n");
  // Acting as another user (authzid != authcid) is refused as a credentials problem.
  EXPECT_EQ(d.cmd("AUTH PLAIN " + base64_encode(std::string("bob\0alice\0alice-pass", 20))),
            "-ERR [AUTH] authentication failed\r\n");
  EXPECT_TRUE(d.cmd("AUTH PLAIN " + base64_encode(std::string("alice\0alice\0alice-pass", 22))).starts_with("+OK maildrop"));
}

TEST_F(session_sasl, plain_credentials_are_prepared_with_saslprep_per_rfc4616) {
  config_.users["utf"] = make_account("utf", "p\xc3\xa4ss");
  put_standard_mailbox(dir_.root(), "utf");
  auto plain = [](std::string_view authzid, std::string_view authcid, std::string_view password) {
    return "AUTH PLAIN " + base64_encode(std::string(authzid) + '\0' + std::string(authcid) + '\0' + std::string(password));
  };
  {
    // A soft hyphen (mapped to nothing) in the password, the authcid and the authzid.
    driver d(config_, store_);
    EXPECT_TRUE(d.cmd(plain("al\xc2\xad" "ice", "alice", "alice-\xc2\xad" "pass")).starts_with("+OK maildrop"));
  }
  {
    driver d(config_, store_);
    EXPECT_TRUE(d.cmd(plain("", "a\xc2\xad" "lice", "alice-pass")).starts_with("+OK maildrop"));
  }
  {
    // NFKC: "a" + COMBINING DIAERESIS composes to the stored U+00E4.
    driver d(config_, store_);
    EXPECT_TRUE(d.cmd(plain("", "utf", "pa\xcc\x88ss")).starts_with("+OK maildrop"));
  }
  driver d(config_, store_);
  // Preparation fails (a control character), or leaves the password empty: verification fails.
  EXPECT_EQ(d.cmd(plain("", "alice", "alice-pass\x07")), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(d.cmd(plain("", "alice", "\xc2\xad")), "-ERR [AUTH] authentication failed\r\n");
  // An authzid sent but prepared to nothing is not "no authzid" (RFC 5034 §4).
  driver third(config_, store_);
  EXPECT_EQ(third.cmd(plain("\xc2\xad", "alice", "alice-pass")), "-ERR [AUTH] authentication failed\r\n");
}

TEST_F(session_sasl, empty_initial_response_and_malformed_messages) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("AUTH PLAIN ="), "-ERR malformed PLAIN response\r\n");
  EXPECT_EQ(d.cmd("AUTH PLAIN " + base64_encode("no-nuls")), "-ERR malformed PLAIN response\r\n");
  EXPECT_EQ(d.session().state(), session_state::authorization);
}

TEST_F(session_sasl, cancel_and_bad_base64_leave_authorization_intact) {
  driver d(config_, store_);
  EXPECT_EQ(d.cmd("AUTH PLAIN"), "+ \r\n");
  EXPECT_EQ(d.cmd("*"), "-ERR authentication cancelled\r\n");
  EXPECT_EQ(d.cmd("AUTH PLAIN"), "+ \r\n");
  EXPECT_EQ(d.cmd("dGVz!dA=="), "-ERR invalid base64; authentication cancelled\r\n");
  EXPECT_EQ(d.cmd("AUTH PLAIN =AAA"), "-ERR invalid base64 in initial response\r\n");
  EXPECT_EQ(d.cmd("AUTH PLAIN AAA=BBB"), "-ERR invalid base64 in initial response\r\n");
  EXPECT_EQ(d.cmd("AUTH FOOBAR"), "-ERR unsupported SASL mechanism\r\n");
  EXPECT_TRUE(d.login("alice", "alice-pass").starts_with("+OK maildrop"));
}

TEST_F(session_sasl, cram_md5_with_the_rfc2195_vector) {
  env_.timestamps = {"<greeting.1@host>", "<1896.697170952@postoffice.reston.mci.net>"};
  driver d(config_, store_, {}, env_.make());
  EXPECT_EQ(d.cmd("AUTH CRAM-MD5"), "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  EXPECT_TRUE(d.cmd("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw").starts_with("+OK maildrop"));
}

TEST_F(session_sasl, cram_md5_rejects_an_initial_response_and_a_wrong_digest) {
  env_.timestamps = {"<greeting.1@host>", "<challenge.2@host>"};
  driver d(config_, store_, {}, env_.make());
  EXPECT_EQ(d.cmd("AUTH CRAM-MD5 Zm9v"), "-ERR CRAM-MD5 does not take an initial response\r\n");
  EXPECT_EQ(d.cmd("AUTH CRAM-MD5"), "+ " + base64_encode("<challenge.2@host>") + "\r\n");
  EXPECT_EQ(d.cmd(base64_encode("tim 00000000000000000000000000000000")), "-ERR [AUTH] authentication failed\r\n");
  EXPECT_EQ(d.cmd("AUTH CRAM-MD5"), "+ " + base64_encode("<1.test@host>") + "\r\n");
  EXPECT_EQ(d.cmd(base64_encode("no-space")), "-ERR malformed CRAM-MD5 response\r\n");
}

TEST_F(session_sasl, continuation_lines_may_exceed_the_command_limit) {
  driver d(config_, store_);
  EXPECT_EQ(d.session().max_line_octets(), 255U);
  EXPECT_EQ(d.cmd("AUTH PLAIN"), "+ \r\n");
  EXPECT_EQ(d.session().max_line_octets(), config_.max_sasl_response_octets);
  // RFC 4616's largest PLAIN message (three 255-octet fields): parsed, refused only on its credentials.
  const std::string largest = base64_encode(std::string(255, 'z') + '\0' + std::string(255, 'u') + '\0' + std::string(255, 'p'));
  ASSERT_GT(largest.size(), 1000U);
  EXPECT_EQ(d.cmd(largest), "-ERR [AUTH] authentication failed\r\n");
  // A 4 KiB response (R5034-AUTH-8) is read in full: its content is judged, not its length.
  EXPECT_EQ(d.cmd("AUTH PLAIN"), "+ \r\n");
  const std::string big = base64_encode(std::string("\0alice\0", 7) + std::string(3000, 'p'));
  ASSERT_GT(big.size(), 4000U);
  EXPECT_EQ(d.cmd(big), "-ERR malformed PLAIN response\r\n");
  EXPECT_EQ(d.session().max_line_octets(), 255U);
}

TEST_F(session_sasl, an_over_long_continuation_cancels_the_exchange) {
  config_.max_sasl_response_octets = 1000;
  driver d(config_, store_);
  d.cmd("AUTH PLAIN");
  EXPECT_EQ(d.send(std::string(5000, 'A') + "\r\n"), "-ERR line too long; authentication cancelled\r\n");
  EXPECT_EQ(d.cmd("NOOP"), "-ERR NOOP is not valid in this state\r\n");
}

TEST_F(session_sasl, auth_without_mechanism_depends_on_strictness) {
  driver strict(config_, store_);
  EXPECT_EQ(strict.cmd("AUTH"), "-ERR AUTH needs a mechanism name\r\n");
  config_.strict_syntax = false;
  driver lenient(config_, store_);
  EXPECT_EQ(lenient.cmd("AUTH"), "+OK SASL mechanisms follow\r\nPLAIN\r\nCRAM-MD5\r\n.\r\n");  // DIGEST A34
}

TEST_F(session_sasl, sasl_failures_count_towards_the_limit) {
  config_.max_auth_failures = 2;
  driver d(config_, store_);
  d.cmd("AUTH PLAIN " + base64_encode(std::string("\0alice\0x", 8)));
  EXPECT_EQ(d.cmd("AUTH PLAIN " + base64_encode(std::string("\0alice\0y", 8))),
            "-ERR [AUTH] authentication failed; too many failures, closing\r\n");
  EXPECT_TRUE(d.closed());
}

}  // namespace
