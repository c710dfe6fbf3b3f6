// CRLF normalisation, byte-stuffing and the unstuffing decoder, ground at every split.
#include "pop3/protocol/multiline.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grind.hpp"

namespace pop3::protocol {
namespace {

// Every string over a small alphabet that holds all the interesting octets, up to max_len.
std::vector<std::string> exhaustive_samples(std::size_t max_len) {
  static constexpr std::string_view alphabet = "a.\r\n";
  std::vector<std::string> samples{""};
  for (std::size_t begin = 0; samples.back().size() < max_len;) {
    const std::size_t end = samples.size();
    for (std::size_t i = begin; i < end; ++i) {
      for (char c : alphabet) samples.push_back(samples[i] + c);
    }
    begin = end;
  }
  return samples;
}

// Frames a whole multi-line data section (as split by `pieces`) and decodes it.
multiline_decoder decode_pieces(const std::vector<std::string_view>& pieces) {
  multiline_decoder decoder;
  for (const auto& line : testing::frame_pieces(1 << 20, pieces)) {
    EXPECT_FALSE(decoder.finished()) << "data after the terminator";
    decoder.feed(line.text);
  }
  return decoder;
}

TEST(NormalizeCrlf, Cases) {
  EXPECT_EQ(normalize_crlf(""), "");
  EXPECT_EQ(normalize_crlf("a"), "a\r\n");
  EXPECT_EQ(normalize_crlf("a\n"), "a\r\n");
  EXPECT_EQ(normalize_crlf("a\r\n"), "a\r\n");
  EXPECT_EQ(normalize_crlf("a\nb"), "a\r\nb\r\n");
  EXPECT_EQ(normalize_crlf("\n\n"), "\r\n\r\n");
  EXPECT_EQ(normalize_crlf("\r\n\n"), "\r\n\r\n");
  EXPECT_EQ(normalize_crlf("a\r"), "a\r\n");
  EXPECT_EQ(normalize_crlf("a\rb"), "a\rb\r\n");
  EXPECT_EQ(normalize_crlf("a\r\r\n"), "a\r\r\n");
  EXPECT_EQ(normalize_crlf(std::string("\0", 1)), std::string("\0\r\n", 3));
}

TEST(NormalizeCrlf, IsIdempotentAndSizedExactly) {
  for (const auto& raw : exhaustive_samples(6)) {
    const auto normal = normalize_crlf(raw);
    ASSERT_EQ(normalized_size(raw), normal.size()) << ::testing::PrintToString(raw);
    ASSERT_EQ(normalize_crlf(normal), normal);
    ASSERT_TRUE(normal.empty() || normal.ends_with("\r\n"));
  }
}

TEST(DotStuff, Cases) {
  EXPECT_EQ(dot_stuff(""), ".\r\n");
  EXPECT_EQ(dot_stuff("hello\r\n"), "hello\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".\r\n"), "..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("..x\r\n"), "...x\r\n.\r\n");
  EXPECT_EQ(dot_stuff("a.b\r\n.\r\n.c\r\n"), "a.b\r\n..\r\n..c\r\n.\r\n");
  EXPECT_EQ(dot_stuff("\r\n.\r\n"), "\r\n..\r\n.\r\n");
  // Lines the receiving framer splits at a bare LF are stuffed too.
  EXPECT_EQ(dot_stuff("a\n.b\r\n"), "a\n..b\r\n.\r\n");
  // A CR alone does not start a line.
  EXPECT_EQ(dot_stuff("a\r.b\r\n"), "a\r.b\r\n.\r\n");
}

TEST(DotStuff, TerminatorAlwaysStartsALine) {
  EXPECT_EQ(dot_stuff("no newline"), "no newline\r\n.\r\n");
  EXPECT_EQ(dot_stuff("."), "..\r\n.\r\n");
}

TEST(DotStuff, StreamingInLineAlignedChunksMatches) {
  const std::string content = ".\r\nline\r\n..dots\r\n\r\n.end\r\n";
  std::string streamed;
  for (std::string_view chunk : {".\r\nline\r\n", "..dots\r\n\r\n", ".end\r\n"}) append_dot_stuffed(streamed, chunk);
  EXPECT_EQ(streamed + ".\r\n", dot_stuff(content));
  std::string prefixed = "+OK 5 octets\r\n";
  append_dot_stuffed(prefixed, ".\r\n");
  EXPECT_EQ(prefixed, "+OK 5 octets\r\n..\r\n");
}

TEST(MultilineDecoder, UnstuffsAndStopsAtTerminator) {
  multiline_decoder decoder;
  EXPECT_EQ(decoder.feed("plain"), multiline_decoder::status::more);
  EXPECT_EQ(decoder.feed(".."), multiline_decoder::status::more);
  EXPECT_EQ(decoder.feed("...x"), multiline_decoder::status::more);
  EXPECT_EQ(decoder.feed(".y"), multiline_decoder::status::more);  // unstuffed per RFC 1939 §3
  EXPECT_EQ(decoder.feed(""), multiline_decoder::status::more);
  EXPECT_FALSE(decoder.finished());
  EXPECT_EQ(decoder.feed("."), multiline_decoder::status::done);
  EXPECT_TRUE(decoder.finished());
  EXPECT_EQ(decoder.lines(), (std::vector<std::string>{"plain", ".", "..x", "y", ""}));
  EXPECT_EQ(decoder.content(), "plain\r\n.\r\n..x\r\ny\r\n\r\n");
  EXPECT_EQ(decoder.octets(), decoder.content().size());
}

TEST(MultilineDecoder, IgnoresLinesAfterDone) {
  multiline_decoder decoder;
  decoder.feed(".");
  EXPECT_EQ(decoder.feed("late"), multiline_decoder::status::done);
  EXPECT_TRUE(decoder.lines().empty());
  EXPECT_EQ(decoder.octets(), 0U);
}

TEST(MultilineDecoder, ResetStartsOver) {
  multiline_decoder decoder;
  decoder.feed("a");
  decoder.feed(".");
  decoder.reset();
  EXPECT_FALSE(decoder.finished());
  EXPECT_TRUE(decoder.lines().empty());
  EXPECT_EQ(decoder.octets(), 0U);
  EXPECT_EQ(decoder.content(), "");
  decoder.feed("b");
  EXPECT_EQ(decoder.content(), "b\r\n");
}

TEST(MultilineDecoder, KeepsNulAndNonAscii) {
  multiline_decoder decoder;
  decoder.feed(std::string("\0\xff", 2));
  decoder.feed(".");
  EXPECT_EQ(decoder.content(), std::string("\0\xff\r\n", 4));
}

TEST(MultilineRoundTrip, EverySampleAtEverySplit) {
  // stuff(normalise(x)) framed and decoded at any split gives normalise(x) back, byte for byte,
  // and the decoder's octet count is the size LIST must report.
  for (const auto& raw : exhaustive_samples(5)) {
    const auto content = normalize_crlf(raw);
    const auto wire = dot_stuff(content);
    for (const auto& pieces : testing::every_split(wire)) {
      const auto decoder = decode_pieces(pieces);
      ASSERT_TRUE(decoder.finished()) << wire;
      ASSERT_EQ(decoder.content(), content) << wire;
      ASSERT_EQ(decoder.octets(), normalized_size(raw));
    }
  }
}

TEST(MultilineRoundTrip, FixtureMessage) {
  const std::string message = "Subject: dots\n\n.\n..x\n.y\nlast line without newline";
  const auto content = normalize_crlf(message);
  const auto wire = dot_stuff(content);
  EXPECT_NE(wire.find("\r\n..\r\n...x\r\n..y\r\n"), std::string::npos);
  EXPECT_TRUE(wire.ends_with("newline\r\n.\r\n"));
  for (const auto& pieces : testing::every_split(wire)) EXPECT_EQ(decode_pieces(pieces).content(), content);
}

}  // namespace
}  // namespace pop3::protocol
