// Command tokenising (RFC 1939 §3, RFC 2449 §3, DIGEST A22-A24), numbers, formatting, uids.
#include "pop3/protocol/command.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace pop3::protocol {
namespace {

command parse_ok(std::string_view line, bool strict = true) {
  auto result = parse_command(line, strict);
  EXPECT_TRUE(result.value) << ::testing::PrintToString(std::string(line)) << ": " << result.describe();
  EXPECT_EQ(result.error, command_error::none);
  return result.value.value_or(command{});
}

command_error parse_error(std::string_view line, bool strict = true) {
  auto result = parse_command(line, strict);
  EXPECT_FALSE(result.value) << ::testing::PrintToString(std::string(line));
  return result.error;
}

using args_t = std::vector<std::string>;

TEST(ParseCommand, KeywordOnlyIsUpperCased) {
  for (auto line : {"stat", "StAt", "STAT"}) {
    auto cmd = parse_ok(line);
    EXPECT_EQ(cmd.keyword, "STAT");
    EXPECT_TRUE(cmd.args.empty());
    EXPECT_EQ(cmd.argument_text, "");
  }
}

TEST(ParseCommand, Arguments) {
  auto cmd = parse_ok("TOP 1 10");
  EXPECT_EQ(cmd.keyword, "TOP");
  EXPECT_EQ(cmd.args, (args_t{"1", "10"}));
  EXPECT_EQ(cmd.argument_text, "1 10");
}

TEST(ParseCommand, ArgumentCaseIsKept) { EXPECT_EQ(parse_ok("retr UID:AbC").args, args_t{"UID:AbC"}); }

TEST(ParseCommand, KeywordLength) {
  EXPECT_EQ(parse_ok("TOP").keyword, "TOP");
  EXPECT_EQ(parse_error("CAPAB"), command_error::bad_keyword);
  EXPECT_EQ(parse_error("XY"), command_error::bad_keyword);
  EXPECT_EQ(parse_error("XY 1"), command_error::bad_keyword);
  EXPECT_EQ(parse_error("RETRX 1"), command_error::bad_keyword);
  // Any VCHAR is allowed in a keyword; unknown ones are the server's business.
  EXPECT_EQ(parse_ok("X-Y!").keyword, "X-Y!");
}

TEST(ParseCommand, Empty) {
  EXPECT_EQ(parse_error(""), command_error::empty);
  EXPECT_EQ(parse_error("", false), command_error::empty);
  EXPECT_EQ(parse_error("  \t ", false), command_error::empty);
}

TEST(ParseCommand, StrictSeparators) {
  EXPECT_EQ(parse_error("LIST  1"), command_error::bad_separator);
  EXPECT_EQ(parse_error("LIST 1 "), command_error::bad_separator);
  EXPECT_EQ(parse_error("STAT "), command_error::bad_separator);
  EXPECT_EQ(parse_error(" STAT"), command_error::bad_separator);
  EXPECT_EQ(parse_error("LIST\t1"), command_error::bad_separator);
  EXPECT_EQ(parse_error("TOP 1  2"), command_error::bad_separator);
}

TEST(ParseCommand, LenientSeparators) {
  auto cmd = parse_ok("LIST\t 1 ", false);
  EXPECT_EQ(cmd.keyword, "LIST");
  EXPECT_EQ(cmd.args, args_t{"1"});
  EXPECT_EQ(cmd.argument_text, " 1 ");
  cmd = parse_ok("  top  1\t\t2", false);
  EXPECT_EQ(cmd.keyword, "TOP");
  EXPECT_EQ(cmd.args, (args_t{"1", "2"}));
  EXPECT_TRUE(parse_ok("STAT ", false).args.empty());
}

TEST(ParseCommand, PassKeepsSpaces) {
  auto cmd = parse_ok("PASS a b  c ");
  EXPECT_EQ(cmd.keyword, "PASS");
  EXPECT_EQ(cmd.argument_text, "a b  c ");
  EXPECT_EQ(cmd.args, (args_t{"a", "b", "c"}));
  EXPECT_EQ(parse_ok("pass  lead").argument_text, " lead");
  EXPECT_EQ(parse_ok("PASS ").argument_text, "");
  // A tab is still not a space, even in a password.
  EXPECT_EQ(parse_error("PASS a\tb"), command_error::bad_separator);
  EXPECT_EQ(parse_ok("PASS a\tb", false).argument_text, "a\tb");
}

TEST(ParseCommand, ControlAndNonAscii) {
  EXPECT_EQ(parse_error(std::string("STAT\0", 5)), command_error::control_character);
  EXPECT_EQ(parse_error(std::string("USER a\0b", 8), false), command_error::control_character);
  EXPECT_EQ(parse_error("STAT\r"), command_error::control_character);
  EXPECT_EQ(parse_error("USER \x1b[0m"), command_error::control_character);
  EXPECT_EQ(parse_error("USER a\x7f"), command_error::control_character);
  EXPECT_EQ(parse_error("USER j\xc3\xb6rg"), command_error::non_ascii);
  EXPECT_EQ(parse_error("\xffSTAT", false), command_error::non_ascii);
}

TEST(ParseCommand, LongUidArgument) {
  const std::string uid(70, 'u');
  auto cmd = parse_ok("RETR UID:" + uid);
  EXPECT_EQ(cmd.args, args_t{"UID:" + uid});
}

TEST(ParseCommand, DescribeEveryError) {
  for (auto error : {command_error::none, command_error::empty, command_error::bad_keyword, command_error::bad_separator,
                     command_error::control_character, command_error::non_ascii}) {
    command_parse_result result;
    result.error = error;
    EXPECT_FALSE(result.describe().empty());
    EXPECT_NE(result.describe(), "unknown error");
  }
  EXPECT_EQ(parse_command("LIST  1").describe(), "arguments must be separated by exactly one space");
}

TEST(ParseNumber, Valid) {
  EXPECT_EQ(parse_number("0"), 0U);
  EXPECT_EQ(parse_number("1"), 1U);
  EXPECT_EQ(parse_number("01"), 1U);
  EXPECT_EQ(parse_number("0000000000000000000000042"), 42U);
  EXPECT_EQ(parse_number("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
}

TEST(ParseNumber, Invalid) {
  for (auto text : {"", "-1", "+1", "1.0", "1.5", "0x1", "abc", " 1", "1 ", "1a", "18446744073709551616",
                    "99999999999999999999", "١"}) {
    EXPECT_FALSE(parse_number(text)) << text;
  }
}

TEST(FormatCommand, Shapes) {
  EXPECT_EQ(format_command("STAT"), "STAT\r\n");
  const std::vector<std::string> args{"1", "10"};
  EXPECT_EQ(format_command("TOP", args), "TOP 1 10\r\n");
  const std::vector<std::string> one{"a b  c"};
  EXPECT_EQ(format_command("pass", one), "pass a b  c\r\n");
}

TEST(FormatCommand, RoundTripsThroughParser) {
  const std::vector<std::string> args{"UID:x", "3"};
  const std::string line = format_command("TOP", args);
  auto cmd = parse_ok(std::string_view(line).substr(0, line.size() - 2));
  EXPECT_EQ(cmd.keyword, "TOP");
  EXPECT_EQ(cmd.args, args);
}

TEST(UniqueId, Validity) {
  EXPECT_TRUE(is_valid_unique_id("a"));
  EXPECT_TRUE(is_valid_unique_id("QhdPYR:00WBw1Ph7x7"));
  EXPECT_TRUE(is_valid_unique_id(std::string(70, '~')));
  EXPECT_TRUE(is_valid_unique_id("!"));
  EXPECT_FALSE(is_valid_unique_id(""));
  EXPECT_FALSE(is_valid_unique_id(std::string(71, 'a')));
  EXPECT_FALSE(is_valid_unique_id("a b"));
  EXPECT_FALSE(is_valid_unique_id("a\tb"));
  EXPECT_FALSE(is_valid_unique_id("a\x7f"));
  EXPECT_FALSE(is_valid_unique_id(std::string("a\0", 2)));
  EXPECT_FALSE(is_valid_unique_id("\xc3\xa9"));
}

}  // namespace
}  // namespace pop3::protocol
