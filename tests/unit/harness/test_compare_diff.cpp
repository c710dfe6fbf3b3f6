// compare_runs(): each kind of divergence is found, and each normalisation hides exactly the
// difference it names (and reports it once switched off).
#include <gtest/gtest.h>

#include "test_compare_support.hpp"

namespace pop3::harness {
namespace {

using kind = divergence::kind;
using testing::all;
using testing::ended;
using testing::greeting_response;
using testing::hidden;
using testing::kinds;
using testing::response;
using testing::run_of;

comparison diff(std::vector<recorded_response> ref, std::vector<recorded_response> sut,
                const compare_options& o = {}) {
  return compare_runs(run_of(std::move(ref)), run_of(std::move(sut)), o);
}

compare_options without(normalisation n) {
  compare_options o;
  o.set(n, false);
  return o;
}

TEST(CompareDiff, IdenticalRunsHaveNoDivergence) {
  const std::vector<recorded_response> run{greeting_response("+OK ready <1.2@x>"),
                                           response(5, "STAT", "+OK 2 320"),
                                           response(6, "LIST", "+OK", {"1 120", "2 200"})};
  const auto c = diff(run, run);
  EXPECT_TRUE(c.divergences.empty()) << all(c);
  EXPECT_EQ(c.normalised, (std::array<std::size_t, normalisation_count>{}));
}

TEST(CompareDiff, StatusIsComparedFirstAndAloneWhenItDiffers) {
  const auto c = diff({response(5, "STAT", "+OK 2 320 fine")}, {response(5, "STAT", "-ERR [SYS/TEMP] busy")});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::status}) << all(c);
  EXPECT_EQ(c.divergences[0].reference, "+OK 2 320 fine");
  EXPECT_EQ(c.divergences[0].under_test, "-ERR [SYS/TEMP] busy");
  EXPECT_EQ(c.divergences[0].where.line, 5);
  EXPECT_EQ(c.divergences[0].command, "STAT");
  // Lower-case "+ok" is not a status line at all, and differs from "+OK".
  EXPECT_EQ(kinds(diff({response(5, "NOOP", "+OK")}, {response(5, "NOOP", "+ok")})),
            std::vector<kind>{kind::status});
}

TEST(CompareDiff, ResponseCodesAreComparedCaseInsensitively) {
  EXPECT_TRUE(diff({response(5, "PASS X", "-ERR [SYS/TEMP] a")}, {response(5, "PASS X", "-ERR [sys/temp] b")})
                  .divergences.empty());
  const auto c =
      diff({response(5, "PASS X", "-ERR [IN-USE] locked")}, {response(5, "PASS X", "-ERR locked")});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::response_code});
  EXPECT_EQ(c.divergences[0].reference, "[IN-USE]");
  EXPECT_EQ(c.divergences[0].under_test, "(no code)");
  EXPECT_EQ(
      kinds(diff({response(5, "PASS X", "-ERR [AUTH] x")}, {response(5, "PASS X", "-ERR [SYS/PERM] x")})),
      std::vector<kind>{kind::response_code});
}

TEST(CompareDiff, FreeTextIsHiddenByFreeText) {
  const std::vector<recorded_response> ref{response(5, "NOOP", "+OK fine"),
                                           response(6, "DELE 1", "-ERR no such message")};
  const std::vector<recorded_response> sut{response(5, "NOOP", "+OK"),
                                           response(6, "DELE 1", "-ERR There's no message 1.")};
  const auto on = diff(ref, sut);
  EXPECT_TRUE(on.divergences.empty()) << all(on);
  EXPECT_EQ(hidden(on, normalisation::free_text), 2u);
  EXPECT_EQ(kinds(diff(ref, sut, without(normalisation::free_text))),
            (std::vector<kind>{kind::text, kind::text}));
}

TEST(CompareDiff, TheGreetingsTextAndTimestampValueAreNormalisedButNotTheTimestampsPresence) {
  const auto ref = greeting_response("+OK pop3refd ready <1.1@ref>");
  const auto sut = greeting_response("+OK Dovecot ready. <2.2@sut>");
  const auto on = diff({ref}, {sut});
  EXPECT_TRUE(on.divergences.empty()) << all(on);
  EXPECT_EQ(hidden(on, normalisation::greeting), 1u);
  EXPECT_EQ(hidden(on, normalisation::apop_timestamp), 1u);
  EXPECT_EQ(kinds(diff({ref}, {sut}, without(normalisation::greeting))), std::vector<kind>{kind::greeting});
  EXPECT_EQ(kinds(diff({ref}, {sut}, without(normalisation::apop_timestamp))),
            std::vector<kind>{kind::greeting});
  // Same text around different timestamps: only apop-timestamp is needed.
  const auto stamps = diff({greeting_response("+OK hi <1@a>")}, {greeting_response("+OK hi <2@b>")},
                           without(normalisation::greeting));
  EXPECT_TRUE(stamps.divergences.empty()) << all(stamps);
  const auto missing = diff({ref}, {greeting_response("+OK Dovecot ready.")});
  ASSERT_EQ(kinds(missing), std::vector<kind>{kind::capabilities});
  EXPECT_EQ(missing.divergences[0].under_test, "(none)");
}

TEST(CompareDiff, StatCountsAreExactAndSizesMayGrowByAddedHeaders) {
  EXPECT_EQ(kinds(diff({response(5, "STAT", "+OK 2 320")}, {response(5, "STAT", "+OK 3 320")})),
            std::vector<kind>{kind::content});
  const auto grown = diff({response(5, "STAT", "+OK 2 320")}, {response(5, "STAT", "+OK 2 400")});
  EXPECT_TRUE(grown.divergences.empty()) << all(grown);
  EXPECT_EQ(hidden(grown, normalisation::added_headers), 1u);
  EXPECT_EQ(kinds(diff({response(5, "STAT", "+OK 2 320")}, {response(5, "STAT", "+OK 2 300")})),
            std::vector<kind>{kind::size});
  EXPECT_EQ(kinds(diff({response(5, "STAT", "+OK 2 320")}, {response(5, "STAT", "+OK 2 400")},
                       without(normalisation::added_headers))),
            std::vector<kind>{kind::size});
  EXPECT_EQ(kinds(diff({response(5, "STAT", "+OK 2 320")}, {response(5, "STAT", "+OK 2")})),
            std::vector<kind>{kind::content});
}

TEST(CompareDiff, ListingSizesKeepOneOffsetPerMessage) {
  const std::vector<recorded_response> ref{response(5, "LIST", "+OK", {"1 100", "2 200"}),
                                           response(6, "LIST 2", "+OK 2 200")};
  const auto same_offsets =
      diff(ref, {response(5, "LIST", "+OK", {"1 120", "2 230"}), response(6, "LIST 2", "+OK 2 230")});
  EXPECT_TRUE(same_offsets.divergences.empty()) << all(same_offsets);
  EXPECT_EQ(hidden(same_offsets, normalisation::added_headers), 3u);
  const auto changed =
      diff(ref, {response(5, "LIST", "+OK", {"1 120", "2 230"}), response(6, "LIST 2", "+OK 2 231")});
  ASSERT_EQ(kinds(changed), std::vector<kind>{kind::size}) << all(changed);
  EXPECT_NE(changed.divergences[0].what.find("by 31 octets, where it differed by 30"), std::string::npos);
}

TEST(CompareDiff, ListingsWithOtherMessagesDiffer) {
  const auto c =
      diff({response(5, "LIST", "+OK", {"1 100", "2 200"})}, {response(5, "LIST", "+OK", {"1 100"})});
  EXPECT_EQ(kinds(c), std::vector<kind>{kind::line_count});
  const auto numbers = diff({response(5, "LIST", "+OK", {"1 100", "2 200"})},
                            {response(5, "LIST", "+OK", {"1 100", "3 200"})});
  EXPECT_EQ(kinds(numbers), std::vector<kind>{kind::content});
}

TEST(CompareDiff, UniqueIdsArePairedByMessage) {
  const std::vector<recorded_response> ref{response(5, "UIDL", "+OK", {"1 ref-a", "2 ref-b"}),
                                           response(6, "UIDL 2", "+OK 2 ref-b")};
  const auto paired =
      diff(ref, {response(5, "UIDL", "+OK", {"1 sut-x", "2 sut-y"}), response(6, "UIDL 2", "+OK 2 sut-y")});
  EXPECT_TRUE(paired.divergences.empty()) << all(paired);
  EXPECT_EQ(hidden(paired, normalisation::unique_ids), 3u);
  // The same message under another unique-id later on.
  const auto changed =
      diff(ref, {response(5, "UIDL", "+OK", {"1 sut-x", "2 sut-y"}), response(6, "UIDL 2", "+OK 2 sut-z")});
  EXPECT_EQ(kinds(changed), std::vector<kind>{kind::unique_id});
  // Two messages sharing one unique-id on the server under test only.
  const auto shared = diff({ref[0]}, {response(5, "UIDL", "+OK", {"1 sut-x", "2 sut-x"})});
  EXPECT_EQ(kinds(shared), std::vector<kind>{kind::unique_id});
  const auto literal =
      diff(ref, {response(5, "UIDL", "+OK", {"1 sut-x", "2 ref-b"}), response(6, "UIDL 2", "+OK 2 ref-b")},
           without(normalisation::unique_ids));
  ASSERT_EQ(kinds(literal), std::vector<kind>{kind::unique_id});
  EXPECT_EQ(literal.divergences[0].under_test, "sut-x");
}

TEST(CompareDiff, AddedHeaderFieldsAreSetAsideInMessages) {
  const std::vector<std::string> message{"From: a@b", "Subject: s", "", "body", ".."};
  std::vector<std::string> stored{"Return-Path: <a@b>",
                                  "Received: from x",
                                  "\tby y; Mon, 1 Jan 2024",
                                  "From: a@b",
                                  "Subject: s",
                                  "Status: RO",
                                  "",
                                  "body",
                                  ".."};
  const auto on = diff({response(5, "RETR 1", "+OK", message)}, {response(5, "RETR 1", "+OK", stored)});
  EXPECT_TRUE(on.divergences.empty()) << all(on);
  EXPECT_EQ(hidden(on, normalisation::added_headers), 1u);
  EXPECT_EQ(kinds(diff({response(5, "TOP 1 0", "+OK", message)}, {response(5, "TOP 1 0", "+OK", stored)},
                       without(normalisation::added_headers))),
            std::vector<kind>{kind::line_count});
  // A field that is not in the list, or a changed body, is a divergence all the same.
  stored[4] = "Subject: changed";
  EXPECT_EQ(kinds(diff({response(5, "RETR 1", "+OK", message)}, {response(5, "RETR 1", "+OK", stored)})),
            std::vector<kind>{kind::content});
  const auto unstuffed = diff({response(5, "RETR 1", "+OK", message)},
                              {response(5, "RETR 1", "+OK", {"From: a@b", "Subject: s", "", "body", "."})});
  ASSERT_EQ(kinds(unstuffed), std::vector<kind>{kind::content});
  EXPECT_NE(unstuffed.divergences[0].what.find("data line 5"), std::string::npos);
}

TEST(CompareDiff, MoreAddedHeaderNamesCanBeConfigured) {
  compare_options o;
  const auto ref = response(5, "RETR 1", "+OK", {"From: a", "", "b"});
  const auto sut = response(5, "RETR 1", "+OK", {"X-Spam: no", "From: a", "", "b"});
  EXPECT_EQ(kinds(diff({ref}, {sut}, o)), std::vector<kind>{kind::line_count});
  o.added_headers.push_back("x-spam");
  EXPECT_TRUE(diff({ref}, {sut}, o).divergences.empty());
}

TEST(CompareDiff, CapabilitiesAreComparedAsSets) {
  const auto ref =
      response(5, "CAPA", "+OK", {"TOP", "USER", "SASL PLAIN CRAM-MD5", "EXPIRE NEVER", "IMPLEMENTATION a"});
  const auto reordered =
      response(5, "CAPA", "+OK", {"user", "SASL cram-md5 PLAIN", "TOP", "EXPIRE never", "IMPLEMENTATION b"});
  const auto same = diff({ref}, {reordered});
  EXPECT_TRUE(same.divergences.empty()) << all(same);
  EXPECT_EQ(hidden(same, normalisation::implementation), 1u);
  EXPECT_EQ(kinds(diff({ref}, {reordered}, without(normalisation::implementation))),
            std::vector<kind>{kind::capabilities});
  const auto other =
      response(5, "CAPA", "+OK", {"USER", "SASL PLAIN LOGIN", "EXPIRE 30", "UIDL", "IMPLEMENTATION a"});
  const auto c = diff({ref}, {other});
  ASSERT_EQ(kinds(c), (std::vector<kind>{kind::capabilities, kind::capabilities, kind::capabilities,
                                         kind::capabilities}))
      << all(c);
  EXPECT_EQ(c.divergences[0].what, "TOP is advertised by the reference only");
  EXPECT_EQ(c.divergences[1].what, "the SASL mechanisms differ");
  EXPECT_EQ(c.divergences[2].what, "the parameters of EXPIRE differ");
  EXPECT_EQ(c.divergences[3].what, "UIDL is advertised by the server under test only");
}

TEST(CompareDiff, ARepeatedCapabilityDifferenceIsReportedOnce) {
  const auto ref = response(5, "CAPA", "+OK", {"TOP", "USER"});
  const auto sut = response(5, "CAPA", "+OK", {"USER"});
  auto later_ref = ref, later_sut = sut;
  later_ref.where.line = later_sut.where.line = 9;
  const auto c = diff({ref, later_ref}, {sut, later_sut});
  EXPECT_EQ(kinds(c), std::vector<kind>{kind::capabilities});
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("1 repeated capability divergence"), std::string::npos);
}

TEST(CompareDiff, CapabilityDivergencesTheProbeFoundAreOnlyCounted) {
  server_profile ref, sut;
  ref.before_login = protocol::capability_set::parse(std::vector<std::string>{"TOP", "USER"});
  sut.before_login = protocol::capability_set::parse(std::vector<std::string>{"USER"});
  const auto probe = compare_runs(profile_recording(ref), profile_recording(sut), {});
  ASSERT_EQ(kinds(probe), std::vector<kind>{kind::capabilities});
  const auto c = compare_runs(run_of({response(5, "CAPA", "+OK", {"TOP", "USER"})}),
                              run_of({response(5, "CAPA", "+OK", {"USER", "X-NEW"})}), {}, &probe);
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::capabilities}) << all(c);
  EXPECT_EQ(c.divergences[0].what, "X-NEW is advertised by the server under test only");
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0],
            "1 capability divergence(s) already reported by compare/capabilities are not listed again");
}

TEST(CompareDiff, ASilentServerEndsTheComparisonOfThatConnection) {
  const auto c = diff({response(5, "NOOP", "+OK"), response(6, "STAT", "+OK 1 2")},
                      {ended(5, "NOOP", recorded_response::kind::timeout)});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::silence}) << all(c);
  EXPECT_EQ(c.divergences[0].what, "the reference answered, the server under test sent nothing in time");
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("went silent on it at line 5"), std::string::npos) << c.notes[0];
}

TEST(CompareDiff, AConnectionEndedOnOneSideIsOneDivergenceAndTheRestANote) {
  const std::vector<recorded_response> ref{response(5, "USER a", "+OK"), response(6, "PASS X", "-ERR"),
                                           response(7, "USER a", "+OK"), response(8, "PASS X", "-ERR")};
  const std::vector<recorded_response> sut{response(5, "USER a", "+OK"), response(6, "PASS X", "-ERR"),
                                           ended(7, "USER a", recorded_response::kind::closed)};
  const auto c = diff(ref, sut);
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::connection}) << all(c);
  EXPECT_EQ(c.divergences[0].what, "the reference answered, the server under test closed the connection");
  EXPECT_EQ(c.divergences[0].under_test, "<closed>");
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(
      c.notes[0],
      "1 later response(s) on the connection were not compared: the server under test closed it at line 7");
  // Both closing at the same point is no divergence.
  EXPECT_TRUE(diff({ended(7, "QUIT", recorded_response::kind::closed)},
                   {ended(7, "QUIT", recorded_response::kind::closed)})
                  .divergences.empty());
}

TEST(CompareDiff, ASendTheServerBrokeIsAConnectionDivergence) {
  const auto c = diff({response(6, "NOOP", "+OK"), response(7, "NOOP", "+OK")},
                      {ended(6, "", recorded_response::kind::closed)});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::connection}) << all(c);
  EXPECT_EQ(c.notes.size(), 1u);
}

TEST(CompareDiff, AReadOnlyOneSideMadeIsOrderedByItsStep) {
  // The handshake at line 11 failed on the server under test only: the reference's later reads
  // on that connection are not compared, whatever their lines.
  auto failed = ended(11, "tls", recorded_response::kind::failed);
  failed.status = "the TLS handshake failed";
  const auto c =
      diff({ended(12, "", recorded_response::kind::timeout), response(14, "CAPA", "+OK", {"TOP"})}, {failed});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::connection}) << all(c);
  EXPECT_EQ(
      describe(c.divergences[0]),
      "t.pop3:11: tls: connection: the server under test ended the connection here, the other side went on");
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("2 later response(s)"), std::string::npos);
}

TEST(CompareDiff, ExpectedSilenceOnOneSideDoesNotEndTheComparison) {
  auto quiet = ended(5, "NOOP", recorded_response::kind::timeout);
  quiet.ended = false;  // the step allowed <silence>
  const auto c = diff({response(5, "NOOP", "+OK"), response(6, "STAT", "+OK 1 2")},
                      {quiet, response(6, "STAT", "-ERR")});
  EXPECT_EQ(kinds(c), (std::vector<kind>{kind::silence, kind::status})) << all(c);
  EXPECT_TRUE(c.notes.empty());
}

TEST(CompareDiff, FramingIsCompared) {
  auto sut = response(5, "NOOP", "+OK");
  sut.framing = "bare LF";
  const auto c = diff({response(5, "NOOP", "+OK")}, {sut});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::framing});
  EXPECT_EQ(c.divergences[0].reference, "CRLF");
}

TEST(CompareDiff, DataCutShortIsAConnectionDivergence) {
  auto sut = response(5, "LIST", "+OK", {"1 100"});
  sut.complete = false;
  EXPECT_EQ(kinds(diff({response(5, "LIST", "+OK", {"1 100"})}, {sut})), std::vector<kind>{kind::connection});
}

TEST(CompareDiff, SaslChallengesAreFreeTextButEmptinessCounts) {
  EXPECT_TRUE(diff({response(5, "AUTH CRAM-MD5", "+ PDEyMz4=")}, {response(5, "AUTH CRAM-MD5", "+ PDQ1Nj4=")})
                  .divergences.empty());
  EXPECT_EQ(kinds(diff({response(5, "AUTH PLAIN", "+ ")}, {response(5, "AUTH PLAIN", "+ PDQ1Nj4=")})),
            std::vector<kind>{kind::content});
}

TEST(CompareDiff, DifferentPathsAreSessionDivergences) {
  const auto commands = diff({response(5, "USER X", "+OK")}, {response(5, "AUTH PLAIN X", "+OK")});
  EXPECT_EQ(kinds(commands), std::vector<kind>{kind::session});
  const auto extra =
      diff({response(5, "NOOP", "+OK")}, {response(5, "NOOP", "+OK"), response(5, "NOOP", "+OK")});
  ASSERT_EQ(kinds(extra), std::vector<kind>{kind::session});
  EXPECT_EQ(extra.divergences[0].reference, "(nothing read here)");
}

TEST(CompareDiff, ADifferenceTheScenarioAllowsIsMarked) {
  auto ref = response(5, "PASS X", "-ERR [IN-USE] locked");
  auto sut = ended(5, "PASS X", recorded_response::kind::closed);
  ref.origin = sut.origin = "";  // a written S: -ERR | <closed>, met on both sides
  auto c = diff({ref}, {sut});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::connection});
  EXPECT_TRUE(c.divergences[0].scenario_accepts_both);
  EXPECT_NE(describe(c.divergences[0]).find("(the scenario accepts both)"), std::string::npos);
  sut.mismatch = "t.pop3:5: expected -ERR, got <closed>";
  EXPECT_FALSE(diff({ref}, {sut}).divergences[0].scenario_accepts_both);
  ref.origin = sut.origin = std::string(reference_defined_origin);
  sut.mismatch.clear();
  EXPECT_FALSE(diff({ref}, {sut}).divergences[0].scenario_accepts_both);
}

TEST(CompareDiff, ConnectionsArePairedByName) {
  const auto c = diff({response(5, "NOOP", "+OK", {}, "a"), response(6, "NOOP", "+OK", {}, "b")},
                      {response(5, "NOOP", "+OK", {}, "a"), response(6, "NOOP", "-ERR", {}, "b")});
  ASSERT_EQ(kinds(c), std::vector<kind>{kind::status});
  EXPECT_EQ(c.divergences[0].conn, "b");
  EXPECT_EQ(describe(c.divergences[0]),
            "t.pop3:6: b: NOOP: status: the reference answered +OK, the server under test -ERR");
}

TEST(CompareDiff, ProbesAreComparedLikeResponses) {
  server_profile ref, sut;
  ref.greeting = "+OK ready <1@ref>";
  sut.greeting = "+OK other <2@sut>";
  const std::vector<std::string> ref_caps{"TOP", "USER", "SLEEPING"}, sut_caps{"TOP", "USER"};
  ref.before_login = ref.after_login = protocol::capability_set::parse(ref_caps);
  sut.before_login = protocol::capability_set::parse(sut_caps);
  const auto c = compare_runs(profile_recording(ref), profile_recording(sut), {});
  // SLEEPING before login, and the CAPA after login that failed on the server under test.
  EXPECT_EQ(kinds(c), (std::vector<kind>{kind::capabilities, kind::status})) << all(c);
  EXPECT_EQ(c.divergences[0].where.file, "(capability probe)");
  EXPECT_EQ(c.divergences[1].where.line, 3);
}

TEST(CompareNames, EveryNormalisationHasANameThatReadsBack) {
  for (const normalisation n : all_normalisations) {
    EXPECT_EQ(normalisation_from_name(name_of(n)), n);
    EXPECT_FALSE(description_of(n).empty());
  }
  EXPECT_EQ(normalisation_from_name("free text"), std::nullopt);
  EXPECT_EQ(name_of(divergence::kind::response_code), "response-code");
}

}  // namespace
}  // namespace pop3::harness
