// Status lines, response codes (RFC 2449 §3, §8), SASL continuations, format_status.
#include "pop3/protocol/response.hpp"

#include <gtest/gtest.h>

namespace pop3::protocol {
namespace {

status_line parse_ok(std::string_view line) {
  auto result = parse_status_line(line);
  EXPECT_TRUE(result.value) << line << ": " << result.error;
  EXPECT_TRUE(result.error.empty());
  return result.value.value_or(status_line{});
}

void expect_rejected(std::string_view line) {
  auto result = parse_status_line(line);
  EXPECT_FALSE(result.value) << line;
  EXPECT_FALSE(result.error.empty()) << line;
}

TEST(StatusLine, PlainOkAndErr) {
  auto ok = parse_ok("+OK 2 320");
  EXPECT_TRUE(ok.ok);
  EXPECT_FALSE(ok.code);
  EXPECT_EQ(ok.text, "2 320");
  auto err = parse_ok("-ERR no such message");
  EXPECT_FALSE(err.ok);
  EXPECT_EQ(err.text, "no such message");
}

TEST(StatusLine, BareIndicatorsAreLegal) {
  EXPECT_TRUE(parse_ok("+OK").ok);
  EXPECT_EQ(parse_ok("+OK").text, "");
  EXPECT_FALSE(parse_ok("-ERR").ok);
  EXPECT_EQ(parse_ok("+OK ").text, "");
}

TEST(StatusLine, TextKeepsInnerSpaces) { EXPECT_EQ(parse_ok("+OK  two  spaces ").text, " two  spaces "); }

TEST(StatusLine, LowerCaseIsRejectedWithReason) {
  for (auto line : {"+ok", "+Ok fine", "-err", "-Err x"}) {
    auto result = parse_status_line(line);
    EXPECT_FALSE(result.value) << line;
    EXPECT_NE(result.error.find("upper case"), std::string::npos) << line;
  }
}

TEST(StatusLine, RejectsNonStatusLines) {
  for (auto line : {"", "+", "-", "+O", "-ER", "OK", "+OKAY", "-ERROR", "+OK\tx", "* OK", " +OK", "+ abc"}) {
    expect_rejected(line);
  }
}

TEST(StatusLine, HierarchicalCode) {
  auto s = parse_ok("-ERR [SYS/TEMP] try later");
  ASSERT_TRUE(s.code);
  EXPECT_EQ(s.code->levels, (std::vector<std::string>{"SYS", "TEMP"}));
  EXPECT_EQ(s.code->to_string(), "SYS/TEMP");
  EXPECT_EQ(s.text, "try later");
}

TEST(StatusLine, CodeCasePreservedAndAloneOnLine) {
  auto s = parse_ok("-ERR [in-use]");
  ASSERT_TRUE(s.code);
  EXPECT_EQ(s.code->to_string(), "in-use");
  EXPECT_EQ(s.text, "");
}

TEST(StatusLine, TextMayFollowCodeWithoutSpace) {
  auto s = parse_ok("+OK [ACTIVITY/NEW]mail");
  ASSERT_TRUE(s.code);
  EXPECT_EQ(s.text, "mail");
}

TEST(StatusLine, CodeLevelsMayContainOpenBracket) {
  auto s = parse_ok("-ERR [A[B/C] x");
  ASSERT_TRUE(s.code);
  EXPECT_EQ(s.code->levels.front(), "A[B");
}

TEST(StatusLine, MalformedCodeStaysInText) {
  for (auto text : {"[]", "[SYS/]", "[/TEMP]", "[SYS//TEMP]", "[SYS TEMP]", "[SYS", "[SY\x01S]", "[\xc3\xa9]", "[A\x7f]"}) {
    auto s = parse_ok(std::string("-ERR ") + text + " rest");
    EXPECT_FALSE(s.code) << text;
    EXPECT_EQ(s.text, std::string(text) + " rest");
  }
}

TEST(StatusLine, CodeOnlyRightAfterIndicator) {
  auto s = parse_ok("+OK hello [SYS/TEMP]");
  EXPECT_FALSE(s.code);
  EXPECT_EQ(s.text, "hello [SYS/TEMP]");
}

TEST(ResponseCode, MatchesHierarchically) {
  const response_code code{{"SYS", "TEMP", "DISK"}};
  EXPECT_TRUE(code.matches("SYS"));
  EXPECT_TRUE(code.matches("sys/temp"));
  EXPECT_TRUE(code.matches("SYS/TEMP/DISK"));
  EXPECT_FALSE(code.matches("SYS/TEMP/DISK/X"));
  EXPECT_FALSE(code.matches("SYS/PERM"));
  EXPECT_FALSE(code.matches("SY"));
  EXPECT_FALSE(code.matches("SYSTEM"));
  EXPECT_FALSE(code.matches(""));
  EXPECT_FALSE(code.matches("SYS/"));
}

TEST(ResponseCode, ToStringSingleLevel) { EXPECT_EQ(response_code{{"UID"}}.to_string(), "UID"); }

TEST(Continuation, EmptyChallengeNeedsTheSpace) {
  std::string payload = "unchanged";
  EXPECT_TRUE(parse_continuation("+ ", &payload));
  EXPECT_EQ(payload, "");
  EXPECT_FALSE(parse_continuation("+"));
  EXPECT_FALSE(parse_continuation("+OK"));
  EXPECT_FALSE(parse_continuation("-ERR"));
  EXPECT_FALSE(parse_continuation(""));
}

TEST(Continuation, PayloadIsWhatFollows) {
  std::string payload;
  EXPECT_TRUE(parse_continuation("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", &payload));
  EXPECT_EQ(payload, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  EXPECT_TRUE(parse_continuation("+ abc"));
}

TEST(FormatStatus, AllShapes) {
  EXPECT_EQ(format_status(true, "", ""), "+OK\r\n");
  EXPECT_EQ(format_status(false, "", ""), "-ERR\r\n");
  EXPECT_EQ(format_status(true, "", "2 320"), "+OK 2 320\r\n");
  EXPECT_EQ(format_status(false, "IN-USE", ""), "-ERR [IN-USE]\r\n");
  EXPECT_EQ(format_status(false, "SYS/TEMP", "later"), "-ERR [SYS/TEMP] later\r\n");
}

TEST(FormatStatus, RoundTripsThroughParser) {
  const std::string line = format_status(false, "AUTH", "bad password");
  auto s = parse_ok(std::string_view(line).substr(0, line.size() - 2));
  EXPECT_FALSE(s.ok);
  ASSERT_TRUE(s.code);
  EXPECT_TRUE(s.code->matches("auth"));
  EXPECT_EQ(s.text, "bad password");
}

}  // namespace
}  // namespace pop3::protocol
