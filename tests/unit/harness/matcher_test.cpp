// Line patterns and block checks: parsing of S: text and matching against server lines.
#include "pop3/harness/matcher.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pop3::harness {
namespace {

line_pattern pattern(std::string_view text) {
  auto r = parse_outcomes(text, 4);
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].message);
  EXPECT_EQ(r.alternatives.size(), 1u);
  return r.alternatives.empty() ? line_pattern{} : r.alternatives[0].pattern;
}

struct bindings {
  std::map<std::string, std::string, std::less<>> values;
  value_lookup lookup() const {
    return [this](std::string_view n) -> std::optional<std::string> {
      const auto it = values.find(n);
      return it == values.end() ? std::nullopt : std::optional(it->second);
    };
  }
};

match_result status(std::string_view p, std::string_view line, const bindings& b = {}) {
  return match_line(pattern(p), line, line_role::status, b.lookup());
}
match_result data(std::string_view p, std::string_view line, const bindings& b = {}) {
  return match_line(pattern(p), line, line_role::data, b.lookup());
}

TEST(Matcher, StatusLinesMatchALeadingPrefixOfTokens) {
  EXPECT_TRUE(status("+OK", "+OK").matched);
  EXPECT_TRUE(status("+OK", "+OK 2 messages (320 octets)").matched);
  EXPECT_FALSE(status("+OK", "+OKAY").matched);
  EXPECT_FALSE(status("+OK", "+ok").matched);  // the status indicator is case-sensitive (RFC 1939 §3)
  EXPECT_EQ(status("-ERR", "+OK").why, "token 1: expected \"-ERR\", got \"+OK\"");
  EXPECT_EQ(status("+OK 2", "+OK").why, "token 2: expected 2, got end of line");
}

TEST(Matcher, DataLinesMustBeCoveredUnlessTheyEndInRest) {
  EXPECT_TRUE(data("1 120", "1 120").matched);
  EXPECT_EQ(data("1 120", "1 120 x").why, "unexpected text after the pattern: \"x\"");
  EXPECT_TRUE(data("SASL ...", "SASL PLAIN LOGIN").matched);
  EXPECT_TRUE(data("SASL ...", "SASL").matched);
  EXPECT_TRUE(data("", "").matched);
  EXPECT_FALSE(data("", "x").matched);
}

TEST(Matcher, WildcardIsOneNonEmptyToken) {
  EXPECT_TRUE(status("+OK * *", "+OK 2 320").matched);
  EXPECT_FALSE(status("+OK * *", "+OK 2").matched);
  EXPECT_EQ(status("+OK * *", "+OK  2 320").why,
            "token 2: expected a token, got an empty one (two spaces in a row)");
}

TEST(Matcher, CapturesBindOnFirstUseAndCompareAfter) {
  auto m = status("+OK $count $size", "+OK 2 320");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(m.captures, (std::vector<std::pair<std::string, std::string>>{{"count", "2"}, {"size", "320"}}));
  bindings b;
  b.values = {{"count", "2"}};
  EXPECT_TRUE(status("+OK $count $size", "+OK 2 100", b).matched);
  EXPECT_EQ(status("+OK $count", "+OK 3", b).why, "token 2: expected $count = \"2\", got \"3\"");
  // Within one line, a capture bound earlier is compared later.
  EXPECT_TRUE(status("+OK $a $a", "+OK x x").matched);
  EXPECT_FALSE(status("+OK $a $a", "+OK x y").matched);
  EXPECT_TRUE(status("+OK $n ${n+1}", "+OK 4 5").matched);
  EXPECT_TRUE(status("+OK $$", "+OK $").matched);
}

TEST(Matcher, ExpressionsCompareNumerically) {
  bindings b;
  b.values = {{"count", "3"}};
  EXPECT_TRUE(status("+OK ${count-1} *", "+OK 2 200", b).matched);
  EXPECT_TRUE(status("+OK ${count-1}", "+OK 02", b).matched);
  EXPECT_EQ(status("+OK ${count-1}", "+OK 3", b).why, "token 2: expected ${count-1} = \"2\", got \"3\"");
  b.values["count"] = "x";
  EXPECT_EQ(status("+OK ${count-1}", "+OK 3", b).why, "token 2: ${count-1}: $count is \"x\", not a number");
}

TEST(Matcher, RegexOnATokenMatchesTheWholeToken) {
  EXPECT_TRUE(status("+OK ~/\\d+/ ~/\\d+/", "+OK 2 320").matched);
  EXPECT_FALSE(status("+OK ~/\\d/", "+OK 22").matched);
  EXPECT_TRUE(data("~/top/i", "TOP").matched);                 // a lone regex is a line regex
  EXPECT_FALSE(data("~/^sasl /i ...", "SASL PLAIN").matched);  // a token regex sees one token only
}

TEST(Matcher, LineRegexSearchesTheWholeLine) {
  EXPECT_TRUE(status("~/^\\+OK \\d+ \\d+$/", "+OK 2 320").matched);
  EXPECT_FALSE(status("~/^\\+OK \\d+ \\d+$/", "+OK 2 320 extra").matched);
  EXPECT_TRUE(status("~/octets/", "+OK 2 messages (320 octets)").matched);
  EXPECT_EQ(status("~/^-ERR/", "+OK").why, "the line does not match ~/^-ERR/");
  EXPECT_TRUE(data("~/^LOGIN-DELAY \\d+( USER)?$/i", "login-delay 900").matched);
}

TEST(Matcher, RegexesSkipOverlongSubjects) {
  const std::string longline = "+OK " + std::string(max_regex_subject_octets, 'a');
  EXPECT_EQ(status("~/a/", longline).why, "the text is too long for a regex check (8196 octets)");
}

TEST(Matcher, ResponseCodesAreHierarchicalAndCaseInsensitive) {
  EXPECT_TRUE(status("-ERR [IN-USE]", "-ERR [IN-USE] mailbox locked").matched);
  EXPECT_TRUE(status("-ERR [in-use]", "-ERR [IN-USE] mailbox locked").matched);
  EXPECT_TRUE(status("-ERR [SYS]", "-ERR [SYS/TEMP] try later").matched);
  EXPECT_TRUE(status("-ERR [SYS/TEMP]", "-ERR [sys/temp/disk]").matched);
  EXPECT_FALSE(status("-ERR [SYS/TEMP]", "-ERR [SYS]").matched);
  EXPECT_EQ(status("-ERR [AUTH]", "-ERR [IN-USE] no").why,
            "token 2: expected response code [AUTH], got \"[IN-USE]\"");
  EXPECT_FALSE(status("-ERR [AUTH]", "-ERR bad password").matched);
  // Elsewhere brackets are literal.
  EXPECT_TRUE(data("[x]", "[x]").matched);
  EXPECT_FALSE(data("[x]", "[X]").matched);
  EXPECT_TRUE(response_code_matches("UID", "[UID/NOT-FOUND]"));
  EXPECT_FALSE(response_code_matches("UID", "UID"));
}

TEST(Matcher, AlternativesAndMarkers) {
  const auto r = parse_outcomes("-ERR [IN-USE] | <closed> | <silence 2s>", 4);
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.alternatives.size(), 3u);
  EXPECT_EQ(r.alternatives[0].k, outcome::kind::line);
  EXPECT_EQ(r.alternatives[1].k, outcome::kind::closed);
  EXPECT_EQ(r.alternatives[2].k, outcome::kind::silence);
  EXPECT_EQ(r.alternatives[2].silence, std::chrono::seconds(2));
  EXPECT_EQ(render_outcomes(r.alternatives, {}), "-ERR [IN-USE] | <closed> | <silence 2s>");
  // A '|' inside a regex does not separate alternatives.
  const auto re = parse_outcomes("~/^(\\+OK|-ERR)( |$)/", 4);
  ASSERT_TRUE(re.errors.empty());
  EXPECT_EQ(re.alternatives.size(), 1u);
  // An angle-bracket token that is not a marker is literal (APOP timestamps).
  EXPECT_TRUE(
      status("+OK ready <1896.697170952@dbc.mtview.ca.us>", "+OK ready <1896.697170952@dbc.mtview.ca.us>")
          .matched);
}

TEST(Matcher, PatternErrorsHaveColumns) {
  auto first = [](std::string_view text) {
    const auto r = parse_outcomes(text, 4);
    return r.errors.empty() ? std::string("none")
                            : std::to_string(r.errors[0].column) + ": " + r.errors[0].message;
  };
  EXPECT_EQ(
      first("+OK ~/(/"), "8: bad regex: " + [] {
        try {
          std::regex re("(");
        } catch (const std::regex_error& e) {
          return std::string(e.what());
        }
        return std::string();
      }());
  EXPECT_EQ(first("+OK ~/abc"), "8: regex is not closed with '/'");
  EXPECT_EQ(first("+OK ~/a/x"), "12: unknown regex flag(s) 'x'");
  EXPECT_EQ(first("+OK ${count"), "8: ${ is not closed with '}'");
  EXPECT_EQ(first("+OK ${1+}"), "12: expected a number, a name, 'text' or '('");
  EXPECT_EQ(first("+OK ${n}x"), "12: text after ${...} in the same token");
  EXPECT_EQ(first("+OK $1x"), "8: bad capture name $1x");
  EXPECT_EQ(first("+OK UID:$x"), "12: '$' inside a token");
  EXPECT_EQ(first("+OK ... x"), "8: '...' must be the last token");
  EXPECT_EQ(first("-ERR [IN-USE]* | <closed>"), "9: text after the response code in [IN-USE]*");
  EXPECT_EQ(first("-ERR <closed>"), "9: <closed> must be an alternative on its own");
  EXPECT_EQ(first("<closed> |"), "13: empty alternative");
  EXPECT_EQ(first("<silence 2parsecs>"), "4: bad duration in <silence 2parsecs>");
  EXPECT_EQ(first("<closedx>"), "4: unknown marker <closedx>");
  EXPECT_EQ(first("~/" + std::string(40, '(') + "a" + std::string(40, ')') + "/"),
            "4: regex too complex: more than 32 nested groups");
  EXPECT_EQ(first("~/a{1000}{1000}/"), "4: regex too complex: {n} counts too large");
}

TEST(Matcher, RenderSubstitutesBoundValues) {
  bindings b;
  b.values = {{"count", "3"}};
  EXPECT_EQ(render_pattern(pattern("+OK ${count-1} $count $size * ..."), b.lookup()), "+OK 2 3 $size * ...");
  EXPECT_EQ(render_pattern(pattern("-ERR [SYS/TEMP] ~/x/i"), {}), "-ERR [SYS/TEMP] ~/x/i");
}

block_data received(std::vector<std::string> wire, std::string content) {
  return {std::move(wire), std::move(content)};
}

response_block literal_block(std::vector<std::string> lines) {
  response_block b;
  int n = 10;
  for (const auto& l : lines) b.lines.push_back({pattern(l), source_location{"t.pop3", n++, 4}});
  b.end = source_location{"t.pop3", n, 4};
  return b;
}

TEST(Matcher, LiteralBlocksMatchLineForLine) {
  const auto b = literal_block({"1 $size1", "2 $size2"});
  auto r = check_block(b, received({"1 120", "2 200"}, ""), {});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.captures.size(), 2u);
  r = check_block(b, received({"1 120"}, ""), {});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.where.line, 11);
  EXPECT_EQ(r.expected, "2 $size2");
  r = check_block(b, received({"1 120", "2 200", "3 5"}, ""), {});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.where.line, 12);  // the "S: ." line
  EXPECT_EQ(r.actual, "3 5");
  r = check_block(b, received({"1 120", "2 x y"}, ""), {});
  EXPECT_EQ(r.why, "unexpected text after the pattern: \"y\"");
}

block_check check(block_check::kind k, std::string_view arg) {
  block_check c;
  c.k = k;
  c.where = source_location{"t.pop3", 7, 8};
  if (k == block_check::kind::lines || k == block_check::kind::octets) {
    c.counts = {expression::parse(arg).value};
  } else if (k == block_check::kind::body || k == block_check::kind::same) {
    c.body = std::string(arg);
    c.label = "fixtures/x.eml";
  } else {
    c.pattern = pattern(arg);
  }
  return c;
}

block_result run_check(const block_check& c, const block_data& d, const bindings& b = {}) {
  response_block blk;
  blk.checks.push_back(c);
  return check_block(blk, d, b.lookup());
}

TEST(Matcher, BlockChecks) {
  const auto d = received({"TOP", "SASL PLAIN", "..x"}, "TOP\r\nSASL PLAIN\r\n.x\r\n");
  bindings b;
  b.values = {{"n", "3"}, {"size", "21"}};
  EXPECT_TRUE(run_check(check(block_check::kind::lines, "n"), d, b).ok);
  const auto lines = run_check(check(block_check::kind::lines, "n+1"), d, b);
  EXPECT_EQ(lines.expected, "4 data lines");
  EXPECT_EQ(lines.actual, "3 data lines");
  EXPECT_TRUE(run_check(check(block_check::kind::octets, "size"), d, b).ok);  // unstuffed octets
  EXPECT_FALSE(run_check(check(block_check::kind::octets, "22"), d).ok);
  EXPECT_TRUE(run_check(check(block_check::kind::has, "~/^sasl /i"), d).ok);
  EXPECT_FALSE(run_check(check(block_check::kind::has, "STLS"), d).ok);
  EXPECT_TRUE(run_check(check(block_check::kind::lacks, "STLS"), d).ok);
  const auto lacks = run_check(check(block_check::kind::lacks, "TOP"), d);
  EXPECT_EQ(lacks.actual, "TOP");
  EXPECT_EQ(lacks.why, "data line 1");
  EXPECT_TRUE(run_check(check(block_check::kind::each, "~/^[A-Z.]/"), d).ok);
  const auto each = run_check(check(block_check::kind::each, "~/^[A-Z]+$/"), d);
  EXPECT_EQ(each.actual, "SASL PLAIN");
  EXPECT_EQ(each.where.line, 7);
  EXPECT_TRUE(run_check(check(block_check::kind::body, "TOP\r\nSASL PLAIN\r\n.x\r\n"), d).ok);
  const auto body = run_check(check(block_check::kind::body, "TOP\r\nSASL PLAIN\r\n..x\r\n"), d);
  EXPECT_EQ(body.expected, "the content of fixtures/x.eml (22 octets)");
  EXPECT_EQ(body.why, "line 3: expected \"..x\", got \".x\"");
}

// same: the fixture's message as a store keeps it across sessions: header fields it added are
// fine, a changed body, a lost or reordered header line is not.
TEST(Matcher, SameMessageAllowsAddedHeaderFields) {
  const std::string fixture = "From: a\r\nSubject: s\r\n\r\nbody\r\n";
  const auto rewritten = received({"From: a", "X-UID: 1", "Subject: s", "Status: O", "", "body"},
                                  "From: a\r\nX-UID: 1\r\nSubject: s\r\nStatus: O\r\n\r\nbody\r\n");
  EXPECT_TRUE(run_check(check(block_check::kind::same, fixture), rewritten).ok);
  EXPECT_FALSE(run_check(check(block_check::kind::body, fixture), rewritten).ok);  // body: stays exact
  const auto other_body = received({"From: a", "Subject: s", "", "body2"}, "From: a\r\nSubject: s\r\n\r\nbody2\r\n");
  const auto changed = run_check(check(block_check::kind::same, fixture), other_body);
  EXPECT_FALSE(changed.ok);
  EXPECT_EQ(changed.why, "the body differs (6 octets expected, 7 sent)");
  const auto swapped = received({"Subject: s", "From: a", "", "body"}, "Subject: s\r\nFrom: a\r\n\r\nbody\r\n");
  EXPECT_FALSE(run_check(check(block_check::kind::same, fixture), swapped).ok);
  // A body line moved into the header is no added header field.
  const auto shifted = received({"From: a", "Subject: s", "body", "", ""}, "From: a\r\nSubject: s\r\nbody\r\n\r\n");
  EXPECT_FALSE(run_check(check(block_check::kind::same, fixture), shifted).ok);
}

}  // namespace
}  // namespace pop3::harness
