// visible_text, transcript lines and durations: the escaping every human-readable writer uses.
#include "pop3/reports/text.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "sample_reports.hpp"

namespace pop3::reports {
namespace {

using namespace std::string_literals;

TEST(VisibleText, KeepsPrintableAsciiTabsAndLineBreaks) {
  EXPECT_EQ(visible_text("+OK 2 320\tx\r\n<a&b>"), "+OK 2 320\tx\r\n<a&b>");
}

TEST(VisibleText, KeepsWellFormedMultiByteUtf8) {
  const std::string text = "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x93\xa7 \xef\xbf\xbd";  // ü ß € 📧 U+FFFD
  EXPECT_EQ(visible_text(text), text);
}

TEST(VisibleText, EscapesControlsThatXmlForbids) {
  EXPECT_EQ(visible_text("a\0b"s), "a\\x00b");
  EXPECT_EQ(visible_text("\x01\x08\x0b\x0c\x1f\x7f"), "\\x01\\x08\\x0B\\x0C\\x1F\\x7F");
}

TEST(VisibleText, EscapesEachByteOfInvalidUtf8) {
  EXPECT_EQ(visible_text("\xff\xfe"), "\\xFF\\xFE");
  EXPECT_EQ(visible_text("\xc3\x28"), "\\xC3(");                      // bad continuation
  EXPECT_EQ(visible_text("\xc0\xaf"), "\\xC0\\xAF");                  // overlong '/'
  EXPECT_EQ(visible_text("\xe0\x80\xaf"), "\\xE0\\x80\\xAF");         // overlong, 3 bytes
  EXPECT_EQ(visible_text("\xed\xa0\x80"), "\\xED\\xA0\\x80");         // surrogate U+D800
  EXPECT_EQ(visible_text("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80"); // beyond U+10FFFF
  EXPECT_EQ(visible_text("ok\xe2\x82"), "ok\\xE2\\x82");             // truncated at the end
  EXPECT_EQ(visible_text("\x80"), "\\x80");                           // lone continuation
}

TEST(VisibleText, EscapesXmlNonCharacters) {
  EXPECT_EQ(visible_text("\xef\xbf\xbe\xef\xbf\xbf"), "\\xEF\\xBF\\xBE\\xEF\\xBF\\xBF");
}

TEST(VisibleText, HostileSampleBecomesVisible) {
  EXPECT_EQ(visible_text(testing::hostile_text()), testing::hostile_text_shown());
}

TEST(TranscriptLine, ShowsTimeConnectionDirectionAndText) {
  using dir = transcript_line::direction;
  EXPECT_EQ(format_transcript_line({"a", dir::client, "USER alice", 0.0125}), "[+0.013s] a C: USER alice");
  EXPECT_EQ(format_transcript_line({"b", dir::server, "+OK", 1.5}), "[+1.500s] b S: +OK");
  EXPECT_EQ(format_transcript_line({"", dir::server, "+OK", 0}), "[+0.000s] S: +OK");
  EXPECT_EQ(format_transcript_line({"a", dir::note, "closed", 2}), "[+2.000s] a --: closed");
  EXPECT_EQ(format_transcript_line({"a", dir::server, "-ERR \x01"s, 0}), "[+0.000s] a S: -ERR \\x01");
}

TEST(FormatSeconds, FixedMillisecondsWithoutExponent) {
  EXPECT_EQ(format_seconds(std::chrono::milliseconds(25)), "0.025");
  EXPECT_EQ(format_seconds(std::chrono::duration<double>(12345678.9)), "12345678.900");
  EXPECT_EQ(format_seconds(std::chrono::duration<double>(-1)), "0.000");
  EXPECT_EQ(format_seconds(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())), "0.000");
  EXPECT_EQ(format_seconds(std::chrono::duration<double>(std::numeric_limits<double>::infinity())), "0.000");
}

}  // namespace
}  // namespace pop3::reports
