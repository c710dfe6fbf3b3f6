// base64 (RFC 4648), APOP (RFC 1939 §7), CRAM-MD5 (RFC 2195), PLAIN (RFC 4616), timestamps.
#include "pop3/protocol/auth.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pop3::protocol {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(Base64, SaslPlainVector) {
  EXPECT_EQ(base64_decode("dGVzdAB0ZXN0AHRlc3Q="), std::string("test\0test\0test", 14));
  EXPECT_EQ(base64_encode(std::string("test\0test\0test", 14)), "dGVzdAB0ZXN0AHRlc3Q=");
}

TEST(Base64, RoundTripsEveryOctet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const auto part = all.substr(all.size() - len);
    EXPECT_EQ(base64_decode(base64_encode(part)), part);
  }
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, StrictRejections) {
  // RFC 5034 §4: characters outside the alphabet and misplaced padding MUST be rejected.
  for (auto text : {"dGVz!dA==", "AAA=BBB", "=AAA", "AA=A", "A===", "====", "A", "AA", "AAA", "AAAAA", "Zm9v\r\n",
                    "Zm9v ", " Zm9v", "Zm 9v", "Zm9v\n", "-_-_", "Zm8", "Zg=", "Zg===", "Zm9v====", "AA==AAAA",
                    "\xc3\xa9\xc3\xa9"}) {
    EXPECT_FALSE(base64_decode(text)) << text;
  }
}

TEST(Base64, NonCanonicalPadBitsAreAccepted) {
  // RFC 4648 §3.5 lets decoders accept non-zero pad bits; clients in the wild send them.
  EXPECT_EQ(base64_decode("Zh=="), "f");
  EXPECT_EQ(base64_decode("Zm9="), "fo");
}

TEST(Apop, Rfc1939Vector) {
  EXPECT_EQ(apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
  // The digest covers the brackets: leaving them out gives a different value.
  EXPECT_NE(apop_digest("1896.697170952@dbc.mtview.ca.us", "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
  EXPECT_EQ(apop_digest("", ""), "d41d8cd98f00b204e9800998ecf8427e");  // MD5("")
}

TEST(CramMd5, Rfc2195Vector) {
  const auto digest = cram_md5_digest("<1896.697170952@postoffice.reston.mci.net>", "tanstaaftanstaaf");
  EXPECT_EQ(digest, "b913a602c7eda7a495b4e6e7334d3890");
  EXPECT_EQ(base64_encode("tim " + digest), "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  EXPECT_EQ(base64_decode("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
            "<1896.697170952@postoffice.reston.mci.net>");
}

TEST(CramMd5, EmptyAndLongKeys) {
  // RFC 2202 test case 6 style: keys longer than the block size are hashed first.
  EXPECT_EQ(cram_md5_digest("Test Using Larger Than Block-Size Key - Hash Key First", std::string(80, '\xaa')),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  EXPECT_EQ(cram_md5_digest("", ""), "74e6f7298a9c2d168935f58c001bad88");
}

TEST(SaslPlain, Splits) {
  auto creds = parse_sasl_plain(std::string("test\0test\0test", 14));
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->authzid, "test");
  EXPECT_EQ(creds->authcid, "test");
  EXPECT_EQ(creds->password, "test");
  creds = parse_sasl_plain(std::string("\0user\0pass word", 15));
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->authzid, "");
  EXPECT_EQ(creds->authcid, "user");
  EXPECT_EQ(creds->password, "pass word");
}

TEST(SaslPrep, Rfc4013Examples) {
  // RFC 4013 §3: soft hyphen mapped to nothing, NFKC, the prohibited and bidi cases fail.
  EXPECT_EQ(saslprep("I\xc2\xad" "X", false), "IX");
  EXPECT_EQ(saslprep("user", false), "user");
  EXPECT_EQ(saslprep("USER", false), "USER");
  EXPECT_EQ(saslprep("\xc2\xaa", false), "a");          // U+00AA
  EXPECT_EQ(saslprep("\xe2\x85\xa8", false), "IX");     // U+2168 ROMAN NUMERAL NINE
  EXPECT_EQ(saslprep("\x07", false), std::nullopt);       // prohibited
  EXPECT_EQ(saslprep("\xd8\xa7" "1", false), std::nullopt);  // U+0627 then "1": bidi rule
  // A non-ASCII space becomes SPACE; a NUL and invalid UTF-8 fail; the empty string stays empty.
  EXPECT_EQ(saslprep("a\xc2\xa0" "b", false), "a b");
  EXPECT_EQ(saslprep(std::string("a\0b", 3), false), std::nullopt);
  EXPECT_EQ(saslprep("\xff", false), std::nullopt);
  EXPECT_EQ(saslprep("", true), "");
  // Unassigned code points (U+0221 in Unicode 3.2): allowed in queries, not in stored strings.
  EXPECT_EQ(saslprep("\xc8\xa1", false), "\xc8\xa1");
  EXPECT_EQ(saslprep("\xc8\xa1", true), std::nullopt);
}

TEST(SaslPlain, FieldLimits) {
  const std::string max(255, 'm');
  EXPECT_TRUE(parse_sasl_plain(max + '\0' + max + '\0' + max));
  EXPECT_FALSE(parse_sasl_plain(max + "m" + '\0' + "u" + '\0' + "p"));
  EXPECT_FALSE(parse_sasl_plain(std::string("\0", 1) + max + "m" + '\0' + "p"));
  EXPECT_FALSE(parse_sasl_plain(std::string("\0u\0", 3) + max + "m"));
}

TEST(SaslPlain, Malformed) {
  for (const auto& text : {std::string(""), std::string("user"), std::string("\0user", 5), std::string("\0\0pass", 6),
                           std::string("\0user\0", 6), std::string("a\0u\0p\0x", 7), std::string("\0\0", 2)}) {
    EXPECT_FALSE(parse_sasl_plain(text)) << ::testing::PrintToString(text);
  }
}

TEST(ApopTimestamp, FoundInGreeting) {
  EXPECT_EQ(find_apop_timestamp("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
            "<1896.697170952@dbc.mtview.ca.us>");
  EXPECT_EQ(find_apop_timestamp("+OK [X] <a@b> ready > done"), "<a@b>");
}

TEST(ApopTimestamp, Absent) {
  for (auto greeting : {"+OK POP3 server ready", "+OK <no-at-sign>", "+OK <@host>", "+OK <local@>", "+OK <a@b",
                        "+OK <a@b> <c@d>", "+OK << a@b>", "+OK <a b@c>", "+OK <a\x01@b>", "+OK >a@b<"}) {
    EXPECT_FALSE(find_apop_timestamp(greeting)) << greeting;
  }
}

}  // namespace
}  // namespace pop3::protocol
