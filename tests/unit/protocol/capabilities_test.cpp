// CAPA parsing (RFC 2449 §5), lookups, SASL mechanisms, grammar problems, formatting.
#include "pop3/protocol/capabilities.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pop3::protocol {
namespace {

capability_set parse(const std::vector<std::string>& lines) { return capability_set::parse(lines); }

TEST(Capabilities, ParsesTagsAndParams) {
  auto caps = parse({"TOP", "USER", "SASL PLAIN CRAM-MD5", "RESP-CODES", "LOGIN-DELAY 900", "PIPELINING", "EXPIRE NEVER",
                     "UIDL", "IMPLEMENTATION Shlemazle-Plotz-v302"});
  EXPECT_TRUE(caps.problems().empty());
  ASSERT_EQ(caps.items().size(), 9U);
  EXPECT_EQ(caps.items()[4].tag, "LOGIN-DELAY");
  EXPECT_EQ(caps.items()[4].params, std::vector<std::string>{"900"});
  EXPECT_TRUE(caps.has("UIDL"));
  EXPECT_FALSE(caps.has("STLS"));
  ASSERT_NE(caps.find("expire"), nullptr);
  EXPECT_EQ(caps.find("expire")->params.front(), "NEVER");
  EXPECT_EQ(caps.find("nope"), nullptr);
}

TEST(Capabilities, CaseInsensitiveTagsParamsAsSent) {
  auto caps = parse({"resp-codes", "sasl plain Login", "x-Custom Mixed"});
  EXPECT_TRUE(caps.has("RESP-CODES"));
  EXPECT_TRUE(caps.has("Resp-Codes"));
  EXPECT_EQ(caps.items()[0].tag, "RESP-CODES");
  EXPECT_EQ(caps.find("X-CUSTOM")->params, std::vector<std::string>{"Mixed"});
  EXPECT_EQ(caps.sasl_mechanisms(), (std::vector<std::string>{"PLAIN", "LOGIN"}));
}

TEST(Capabilities, NoSaslMeansNoMechanisms) {
  EXPECT_TRUE(parse({"USER"}).sasl_mechanisms().empty());
  EXPECT_TRUE(parse({"SASL"}).sasl_mechanisms().empty());
}

TEST(Capabilities, UnusableLinesAreOnlyProblems) {
  auto caps = parse({"", "X.Y", " LEADING", "TA\x01G", "\xc3\xa9T", "UIDL"});
  EXPECT_EQ(caps.problems().size(), 5U);
  ASSERT_EQ(caps.items().size(), 1U);
  EXPECT_EQ(caps.items()[0].tag, "UIDL");
  EXPECT_NE(caps.problems()[1].find("line 2"), std::string::npos);
}

TEST(Capabilities, FlawedParamsAreKeptAndReported) {
  auto caps = parse({"SASL PLAIN  LOGIN", "TOP ", "X-A b\x01"});
  EXPECT_EQ(caps.problems().size(), 3U);
  ASSERT_EQ(caps.items().size(), 3U);
  EXPECT_EQ(caps.sasl_mechanisms(), (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_TRUE(caps.has("TOP"));
  EXPECT_TRUE(caps.find("TOP")->params.empty());
}

TEST(Capabilities, LineLengthLimit) {
  const std::string ok_line = "X-LONG " + std::string(503, 'p');  // 510 octets + CRLF = 512
  EXPECT_TRUE(parse({ok_line}).problems().empty());
  auto caps = parse({ok_line + "p"});
  ASSERT_EQ(caps.problems().size(), 1U);
  EXPECT_NE(caps.problems()[0].find("512"), std::string::npos);
  EXPECT_TRUE(caps.has("X-LONG"));
}

TEST(Capabilities, AddUpperCasesAndFormats) {
  capability_set caps;
  caps.add({"user", {}});
  caps.add({"SASL", {"PLAIN", "CRAM-MD5"}});
  caps.add({"Login-Delay", {"900", "USER"}});
  EXPECT_TRUE(caps.has("USER"));
  EXPECT_EQ(caps.format(), "USER\r\nSASL PLAIN CRAM-MD5\r\nLOGIN-DELAY 900 USER\r\n");
  EXPECT_EQ(capability_set{}.format(), "");
}

TEST(Capabilities, FormatParseRoundTrip) {
  auto caps = parse({"TOP", "SASL PLAIN", "EXPIRE 30 USER"});
  const auto text = caps.format();
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const auto crlf = text.find("\r\n", at);
    lines.push_back(text.substr(at, crlf - at));
    at = crlf + 2;
  }
  auto again = parse(lines);
  EXPECT_EQ(again.format(), text);
  EXPECT_TRUE(again.problems().empty());
}

TEST(Capabilities, FirstOfDuplicateTagsWins) {
  auto caps = parse({"SASL PLAIN", "SASL LOGIN"});
  EXPECT_EQ(caps.sasl_mechanisms(), std::vector<std::string>{"PLAIN"});
}

}  // namespace
}  // namespace pop3::protocol
