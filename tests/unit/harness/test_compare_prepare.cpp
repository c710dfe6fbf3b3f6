// prepare_for_recording(): reads for the commands no S: line answers, placed so that written S:
// lines still answer their commands; reference-defined scenarios.
#include <gtest/gtest.h>

#include "test_compare_support.hpp"

namespace pop3::harness {
namespace {

using testing::parse_ok;

struct read_info {
  int line;
  std::string command;
  bool synthetic, multiline, greeting;
  bool operator==(const read_info&) const = default;
};

std::vector<read_info> reads(const scenario& s) {
  std::vector<read_info> out;
  for (const auto& st : s.steps) {
    if (const auto* x = std::get_if<expect_step>(&st.action)) {
      out.push_back(
          {st.where.line, x->command, st.origin == reference_defined_origin, x->multiline, x->greeting});
    }
  }
  return out;
}

std::string header(const std::string& extra = "") {
  return "id: t/x\nrules: r\nlevel: INFO\n" + extra + "\n";
}

TEST(ComparePrepare, EachUnansweredCommandIsReadRightAfterItIsSent) {
  const auto s = parse_ok(header("state: transaction\n") + "C: LIST\nC: DELE $user\nC: RETR ${1+1}\n");
  EXPECT_TRUE(is_reference_defined(s));
  const auto p = prepare_for_recording(s);
  EXPECT_EQ(reads(p), (std::vector<read_info>{{6, "LIST", true, true, false},
                                              {7, "DELE $user", true, false, false},
                                              {8, "RETR 2", true, true, false}}));
  ASSERT_EQ(p.steps.size(), 6u);
  EXPECT_TRUE(std::holds_alternative<send_step>(p.steps[0].action));
  EXPECT_TRUE(std::holds_alternative<expect_step>(p.steps[1].action));
}

TEST(ComparePrepare, APipelinedBatchGetsOneReadPerCommand) {
  const auto p =
      prepare_for_recording(parse_ok(header() + "raw: \"NOOP\\r\\nUIDL 1\\r\\n${'STAT\\r\\n'*2}\"\n"));
  EXPECT_EQ(reads(p), (std::vector<read_info>{{5, "NOOP", true, false, false},
                                              {5, "UIDL 1", true, false, false},
                                              {5, "STAT", true, false, false},
                                              {5, "STAT", true, false, false}}));
}

TEST(ComparePrepare, HugeCommandsAreNamedByTheirStart) {
  const auto p = prepare_for_recording(parse_ok(header() + "C: USER ${'a'*5000}\n"));
  const auto r = reads(p);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].command, "USER " + std::string(195, 'a') + "... (5005 octets)");
}

TEST(ComparePrepare, WrittenExpectationsKeepTheirCommandsAndLeftoversAreReadAfterTheLastOne) {
  // S: answers the oldest pending command: NOOP. STAT has no S: of its own and is read after it.
  const auto s = parse_ok(header() + "C: NOOP\nC: STAT\nS: +OK\nC: QUIT\nS: +OK\n");
  EXPECT_FALSE(is_reference_defined(s));
  const auto p = prepare_for_recording(s);
  EXPECT_EQ(reads(p), (std::vector<read_info>{{7, "NOOP", false, false, false},
                                              {9, "STAT", false, false, false},
                                              {9, "QUIT", true, false, false}}));
}

TEST(ComparePrepare, LoginMacrosKeepAScenarioReferenceDefined) {
  const auto s = parse_ok(header() + "login: user\nC: STAT\n");
  EXPECT_TRUE(is_reference_defined(s));
  const auto p = prepare_for_recording(s);
  const auto r = reads(p);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].command, "USER $user");
  EXPECT_FALSE(r[0].synthetic);
  EXPECT_EQ(r[2], (read_info{6, "STAT", true, false, false}));
}

TEST(ComparePrepare, OnlyTheStlsAnswerIsReadBeforeTheHandshake) {
  const auto p = prepare_for_recording(parse_ok(header() + "raw: \"STLS\\r\\nCAPA\\r\\n\"\ntls\nC: CAPA\n"));
  EXPECT_EQ(reads(p),
            (std::vector<read_info>{{5, "STLS", true, false, false}, {7, "CAPA", true, true, false}}));
  // With the STLS answer written, the injected CAPA is not read at all.
  const auto q =
      prepare_for_recording(parse_ok(header() + "raw: \"STLS\\r\\nCAPA\\r\\n\"\nS: +OK\ntls\nC: NOOP\n"));
  EXPECT_EQ(reads(q),
            (std::vector<read_info>{{6, "STLS", false, false, false}, {8, "NOOP", true, false, false}}));
}

TEST(ComparePrepare, TheGreetingIsReadFirstWhenTheScenarioStartsBeforeIt) {
  const auto p = prepare_for_recording(parse_ok(header("state: greeting\n") + "C: CAPA\n"));
  EXPECT_EQ(reads(p), (std::vector<read_info>{{6, "", true, false, true}, {6, "CAPA", true, true, false}}));
  // A written S: reads the greeting itself.
  const auto q = prepare_for_recording(parse_ok(header("state: greeting\n") + "S: +OK\nC: QUIT\n"));
  EXPECT_EQ(reads(q), (std::vector<read_info>{{6, "", false, false, true}, {7, "QUIT", true, false, false}}));
}

TEST(ComparePrepare, ConnectionsAreTrackedApart) {
  const auto p = prepare_for_recording(
      parse_ok(header("connections: a b\n") + "a: C: NOOP\nb: C: NOOP\nb: S: +OK\na: C: STAT\n"));
  const auto r = reads(p);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (read_info{6, "NOOP", true, false, false}));   // a's NOOP: no a: S: anywhere
  EXPECT_EQ(r[1], (read_info{8, "NOOP", false, false, false}));  // b's own S:
  EXPECT_EQ(r[2], (read_info{9, "STAT", true, false, false}));
  EXPECT_EQ(p.steps[1].conn, "a");
}

TEST(ComparePrepare, AReadAcceptsAnyLineOrTheClose) {
  const auto p = prepare_for_recording(parse_ok(header() + "C: NOOP\n"));
  const auto& x = std::get<expect_step>(p.steps[1].action);
  ASSERT_EQ(x.alternatives.size(), 2u);
  EXPECT_EQ(x.alternatives[1].k, outcome::kind::closed);
  for (const std::string line : {"+OK", "-ERR", "", "garbage with spaces"}) {
    EXPECT_TRUE(match_line(x.alternatives[0].pattern, line, line_role::status, {}).matched) << line;
  }
}

}  // namespace
}  // namespace pop3::harness
