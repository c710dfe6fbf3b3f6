// line_framer: CRLF / bare LF / lone CR handling, the hard limit, bounded memory, grinding.
#include "pop3/protocol/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grind.hpp"
#include "pop3/protocol/limits.hpp"

namespace pop3::protocol {
namespace {

using testing::describe;
using testing::every_split;
using testing::frame_pieces;

std::vector<std::string> frame_whole(std::string_view sample, std::size_t limit = max_command_octets) {
  return describe(frame_pieces(limit, {sample}));
}

// Every split of the sample must yield exactly the lines `expected` describes.
void expect_grind(std::string_view sample, const std::vector<std::string>& expected,
                  std::size_t limit = max_command_octets) {
  for (const auto& pieces : every_split(sample)) {
    ASSERT_EQ(describe(frame_pieces(limit, pieces)), expected) << "pieces: " << pieces.size();
  }
}

TEST(LineFramer, SplitsCrlfLines) {
  expect_grind("USER alice\r\nPASS secret\r\n", {"crlf:USER alice", "crlf:PASS secret"});
}

TEST(LineFramer, IncompleteLineWaits) {
  line_framer framer(max_command_octets);
  framer.feed("STAT");
  EXPECT_FALSE(framer.next());
  EXPECT_EQ(framer.buffered_size(), 4U);
  framer.feed("\r");
  EXPECT_FALSE(framer.next());
  framer.feed("\n");
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "STAT");
  EXPECT_EQ(line->end, framed_line::ending::crlf);
  EXPECT_FALSE(line->too_long);
  EXPECT_EQ(framer.buffered_size(), 0U);
}

TEST(LineFramer, BareLfIsReportedAsSuch) {
  expect_grind("STAT\nLIST\r\n\n", {"lf:STAT", "crlf:LIST", "lf:"});
}

TEST(LineFramer, LoneCrStaysInText) {
  expect_grind("A\rB\r\n\r\r\nC\r", {"crlf:A\rB", "crlf:\r"});
  EXPECT_EQ(frame_whole("X\r\r\n"), std::vector<std::string>{"crlf:X\r"});
}

TEST(LineFramer, EmptyLines) { expect_grind("\r\n\r\n", {"crlf:", "crlf:"}); }

TEST(LineFramer, NulAndNonAsciiPassThrough) {
  const std::string sample("US\0ER \xff\xfe\xc3\xa9\r\n\0\r\n", 15);
  expect_grind(sample, {std::string("crlf:US\0ER \xff\xfe\xc3\xa9", 15), std::string("crlf:\0", 6)});
}

TEST(LineFramer, ExactLimitAccepted) {
  // RFC 2449 §4: 255 octets including CRLF must be accepted.
  const std::string text(253, 'a');
  expect_grind(text + "\r\n", {"crlf:" + text});
  // With a bare LF the same 255 octets hold one more text octet.
  const std::string longer(254, 'b');
  expect_grind(longer + "\n", {"lf:" + longer});
}

TEST(LineFramer, OneOctetOverLimitIsTooLong) {
  const std::string text(254, 'a');  // 256 octets with CRLF
  const std::string prefix = text + "\r";  // the first 255 octets
  expect_grind(text + "\r\nNOOP\r\n", {"too_long:none:" + prefix, "crlf:NOOP"});
  const std::string bare(255, 'b');  // 256 octets with LF
  expect_grind(bare + "\nNOOP\r\n", {"too_long:none:" + bare, "crlf:NOOP"});
}

TEST(LineFramer, TooLongReportedOnceBeforeTheLf) {
  line_framer framer(max_command_octets);
  framer.feed(std::string(300, 'x'));
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->too_long);
  EXPECT_EQ(line->end, framed_line::ending::none);
  EXPECT_EQ(line->text, std::string(max_command_octets, 'x'));
  EXPECT_FALSE(framer.next());
  framer.feed(std::string(1000, 'y'));
  EXPECT_FALSE(framer.next());
  EXPECT_EQ(framer.buffered_size(), 0U);
  framer.feed("yyy\r\nNOOP\r\n");
  line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_FALSE(line->too_long);
  EXPECT_EQ(line->text, "NOOP");
  EXPECT_FALSE(framer.next());
}

TEST(LineFramer, TooLongReportedAsSoonAsLimitReached) {
  line_framer framer(10);
  framer.feed("123456789");  // 9 octets: a LF next would make 10, which fits
  EXPECT_FALSE(framer.next());
  framer.feed("0");  // 10 octets without LF: the line can no longer fit
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->too_long);
  EXPECT_EQ(line->text, "1234567890");
}

TEST(LineFramer, HundredMegabyteLineUsesBoundedMemory) {
  line_framer framer(max_command_octets);
  const std::string chunk(64 * 1024, 'z');
  std::size_t reports = 0;
  for (int i = 0; i < 1600; ++i) {  // 100 MiB
    framer.feed(chunk);
    while (auto line = framer.next()) {
      EXPECT_TRUE(line->too_long);
      ++reports;
    }
    ASSERT_LE(framer.buffered_size(), max_command_octets);
  }
  framer.feed("\r\nQUIT\r\n");
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "QUIT");
  EXPECT_EQ(reports, 1U);
}

TEST(LineFramer, TooLongLinesBackToBack) {
  const std::string a(20, 'a'), b(30, 'b');
  expect_grind(a + "\r\n" + b + "\nok\r\n", {"too_long:none:" + a.substr(0, 16), "too_long:none:" + b.substr(0, 16), "crlf:ok"},
               16);
}

TEST(LineFramer, PipelinedBytesStayBuffered) {
  line_framer framer(max_command_octets);
  framer.feed("STLS\r\nCAPA\r\nUSER x");
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "STLS");
  EXPECT_EQ(framer.buffered_size(), 12U);
  framer.clear();
  EXPECT_EQ(framer.buffered_size(), 0U);
  EXPECT_FALSE(framer.next());
  framer.feed("NOOP\r\n");
  EXPECT_EQ(framer.next()->text, "NOOP");
}

TEST(LineFramer, ClearEndsPendingDiscard) {
  line_framer framer(8);
  framer.feed("0123456789");
  ASSERT_TRUE(framer.next()->too_long);
  framer.clear();
  framer.feed("STAT\r\n");
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "STAT");
}

TEST(LineFramer, SetMaxLineRaisesTheLimit) {
  // A SASL continuation may be longer than a command (RFC 5034 §4).
  line_framer framer(max_command_octets);
  EXPECT_EQ(framer.max_line(), max_command_octets);
  framer.set_max_line(8192);
  EXPECT_EQ(framer.max_line(), 8192U);
  const std::string response(4096, 'Q');
  framer.feed(response + "\r\n");
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_FALSE(line->too_long);
  EXPECT_EQ(line->text, response);
}

TEST(LineFramer, LoweringTheLimitAppliesToBufferedLine) {
  line_framer framer(100);
  framer.feed("abcdefghij");
  EXPECT_FALSE(framer.next());
  framer.set_max_line(5);
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->too_long);
  EXPECT_EQ(line->text, "abcde");
}

TEST(LineFramer, ZeroLimitIsClampedAndDoesNotSpin) {
  line_framer framer(0);
  EXPECT_EQ(framer.max_line(), 1U);
  EXPECT_FALSE(framer.next());
  framer.feed("\n");
  auto line = framer.next();
  ASSERT_TRUE(line);
  EXPECT_FALSE(line->too_long);
  EXPECT_EQ(line->end, framed_line::ending::bare_lf);
  framer.feed("x\n");
  EXPECT_TRUE(framer.next()->too_long);
  EXPECT_FALSE(framer.next());
}

TEST(LineFramer, ResponseLimit) {
  const std::string text(510, 'r');
  expect_grind("+OK " + text.substr(4) + "\r\n", {"crlf:+OK " + text.substr(4)}, max_response_line_octets);
  EXPECT_EQ(frame_whole(text + "x\r\n", max_response_line_octets).front().substr(0, 9), "too_long:");
}

TEST(LineFramer, ManyLinesInOneFeed) {
  std::string batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    batch += "RETR " + std::to_string(i) + "\r\n";
    expected.push_back("crlf:RETR " + std::to_string(i));
  }
  EXPECT_EQ(frame_whole(batch), expected);
}

}  // namespace
}  // namespace pop3::protocol
