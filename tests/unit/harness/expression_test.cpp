// Expressions inside ${...}: parsing, evaluation, errors.
#include "pop3/harness/expression.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pop3::harness {
namespace {

std::string eval(std::string_view text, std::map<std::string, std::string> names = {}) {
  auto parsed = expression::parse(text);
  if (!parsed.value) return "parse error at " + std::to_string(parsed.offset) + ": " + parsed.error;
  const auto r = parsed.value->evaluate([&](std::string_view n) -> std::optional<std::string> {
    const auto it = names.find(std::string(n));
    return it == names.end() ? std::nullopt : std::optional(it->second);
  });
  return r.value ? *r.value : "error: " + r.error;
}

TEST(Expression, Arithmetic) {
  EXPECT_EQ(eval("1+2*3"), "7");
  EXPECT_EQ(eval("(1+2)*3"), "9");
  EXPECT_EQ(eval("10 - 4 - 3"), "3");  // left-associative
  EXPECT_EQ(eval("17 / 5"), "3");
  EXPECT_EQ(eval("17 % 5"), "2");
  EXPECT_EQ(eval("-3 + 5"), "2");
  EXPECT_EQ(eval("--3"), "3");
}

TEST(Expression, NamesReadBoundTextAndConvertForArithmetic) {
  EXPECT_EQ(eval("count-1", {{"count", "3"}}), "2");
  EXPECT_EQ(eval("size1+size2", {{"size1", "120"}, {"size2", "200"}}), "320");
  EXPECT_EQ(eval("user", {{"user", "007"}}), "007");  // alone, a name keeps its text
  EXPECT_EQ(eval("n+1", {{"n", "007"}}), "8");
}

TEST(Expression, RepeatsQuotedText) {
  EXPECT_EQ(eval("'a'*3"), "aaa");
  EXPECT_EQ(eval("'ab'*2*2"), "abababab");
  EXPECT_EQ(eval("'x'*n", {{"n", "4"}}), "xxxx");
  EXPECT_EQ(eval("'\\r\\n'*2"), "\r\n\r\n");
  EXPECT_EQ(eval("'\\x41'"), "A");
  EXPECT_EQ(eval("'a'*0"), "");
  EXPECT_EQ(eval("'a'*300").size(), 300u);
}

TEST(Expression, RuntimeErrors) {
  EXPECT_EQ(eval("count-1", {{"count", "two"}}), "error: $count is \"two\", not a number");
  EXPECT_EQ(eval("missing"), "error: $missing is not bound");
  EXPECT_EQ(eval("1/0"), "error: division by zero");
  EXPECT_EQ(eval("9223372036854775807+1"), "error: integer overflow");
  EXPECT_EQ(eval("'a'*(0-1)"), "error: cannot repeat -1 times");
  EXPECT_EQ(eval("'ab'*9000000"), "error: the repetition would exceed 16777216 octets");
}

TEST(Expression, JoinsText) {
  EXPECT_EQ(eval("'a' + 1"), "a1");
  EXPECT_EQ(eval("'<' + user + '>'", {{"user", "007"}}), "<007>");
  EXPECT_EQ(eval("user + '-' + (n + 1)", {{"user", "bob"}, {"n", "41"}}), "bob-42");
  EXPECT_EQ(eval("n + 1", {{"n", "41"}}), "42");  // no text on either side: arithmetic
  EXPECT_EQ(eval("'ab' * 2 + 'c'"), "ababc");
  EXPECT_EQ(eval("'a' + nope"), "error: $nope is not bound");
}

TEST(Expression, Base64OfJoinedText) {
  // RFC 4616 PLAIN message: authzid NUL authcid NUL passwd.
  EXPECT_EQ(eval("base64('\\0' + user + '\\0wrong')", {{"user", "alice"}}), "AGFsaWNlAHdyb25n");
  EXPECT_EQ(eval("base64('')"), "");
  EXPECT_EQ(eval("base64(12)"), "MTI=");
  EXPECT_EQ(eval("base64(base64('a'))"), "WVE9PQ==");
  EXPECT_EQ(eval("'=' + base64('a')"), "=YQ==");
  // upper: ASCII letters only (an APOP digest in upper-case hex); other octets unchanged.
  EXPECT_EQ(eval("upper(digest)", {{"digest", "c4c9334bac560ecc979e58001b3e22fb"}}), "C4C9334BAC560ECC979E58001B3E22FB");
  EXPECT_EQ(eval("upper('\xc3\xa4" "b-1')"), "\xc3\xa4" "B-1");
  EXPECT_EQ(eval("upper(12) + 'x'"), "12x");
}

TEST(Expression, ConnectionQualifiedNames) {
  const auto parsed = expression::parse("a.apop_digest + ' ' + b.timestamp");
  ASSERT_TRUE(parsed.value);
  EXPECT_EQ(parsed.value->names(), (std::vector<std::string>{"a.apop_digest", "b.timestamp"}));
  EXPECT_EQ(eval("a.timestamp", {{"a.timestamp", "<1@x>"}}), "<1@x>");
  EXPECT_EQ(eval("a. b"), "parse error at 1: unexpected '.'");
}

TEST(Expression, ParseErrorsWithOffsets) {
  EXPECT_EQ(eval(""), "parse error at 0: expected a number, a name, 'text' or '('");
  EXPECT_EQ(eval("1 +"), "parse error at 3: expected a number, a name, 'text' or '('");
  EXPECT_EQ(eval("(1"), "parse error at 2: expected ')'");
  EXPECT_EQ(eval("1 2"), "parse error at 2: unexpected '2'");
  EXPECT_EQ(eval("$count"), "parse error at 0: names inside ${...} are written without '$'");
  EXPECT_EQ(eval("'a"), "parse error at 0: quoted text is not closed with '");
  EXPECT_EQ(eval("'a' - 1"), "parse error at 4: '-' needs numbers; text works only with '+' (join) and 'text' * n");
  EXPECT_EQ(eval("base64('a'"), "parse error at 10: expected ')' after the argument of base64");
  EXPECT_EQ(eval("lower('a')"), "parse error at 0: unknown function 'lower' (the functions are base64 and upper)");
  EXPECT_EQ(eval("upper('a'"), "parse error at 9: expected ')' after the argument of upper");
  EXPECT_EQ(eval("3 * 'a'"), "parse error at 2: write the quoted text first: 'text' * n");
  EXPECT_EQ(eval("-'a'"), "parse error at 0: '-' needs a number, not quoted text");
  EXPECT_EQ(eval("'\\q'"), "parse error at 1: unknown escape \\q");
  EXPECT_EQ(eval("99999999999999999999"), "parse error at 0: number too large");
  EXPECT_EQ(eval(std::string(100, '(') + "1" + std::string(100, ')')),
            "parse error at 64: expression nested too deeply");
}

TEST(Expression, ListsNamesOnce) {
  const auto parsed = expression::parse("a + b * a - c");
  ASSERT_TRUE(parsed.value);
  EXPECT_EQ(parsed.value->names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(parsed.value->source(), "a + b * a - c");
}

TEST(Expression, ValidNames) {
  EXPECT_TRUE(is_valid_name("count"));
  EXPECT_TRUE(is_valid_name("_x1"));
  EXPECT_FALSE(is_valid_name("1x"));
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_FALSE(is_valid_name("a-b"));
}

}  // namespace
}  // namespace pop3::harness
