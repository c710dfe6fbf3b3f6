// pop3refd compared with itself: nothing diverges, whether configured like the embedded reference
// or mirrored from a differently configured one; only the allowed differences are counted.
#include <gtest/gtest.h>

#include "compare_test_support.hpp"
#include "pop3/harness/compare_mirror.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;
using harness::compare_outcome;
using harness::normalisation;

std::vector<harness::scenario> scenarios_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".pop3") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<harness::scenario> out;
  for (const auto& f : files) {
    auto parsed = harness::parse_scenario_file(f);
    EXPECT_TRUE(parsed.ok()) << f;
    out.push_back(std::move(parsed.value));
  }
  return out;
}

const fs::path examples = fs::path(POP3SPEC_SOURCE_DIR) / "scenarios" / "examples";
const fs::path ops = fs::path(POP3SPEC_COMPARE_TEST_DATA) / "ops";

TEST(CompareSelf, TheExamplesAndTheTestScenariosDoNotDiverge) {
  refd_instance server(refd_setup(true));
  auto where = loopback(server.port());
  where.ca_file = test_cert_file().string();
  harness::comparison_runner runner(setup_for(where, alice_on(server), false));
  const auto probe = runner.capabilities();
  EXPECT_EQ(probe.outcome, compare_outcome::same) << explain(probe);
  std::size_t same = 0;
  std::array<std::size_t, harness::normalisation_count> hidden{};
  auto all = scenarios_in(examples);
  for (auto& s : scenarios_in(ops)) all.push_back(std::move(s));
  for (const auto& s : all) {
    const auto c = runner.compare(s);
    EXPECT_TRUE(c.outcome == compare_outcome::same || c.outcome == compare_outcome::skip)
        << s.id << ": " << explain(c);
    EXPECT_TRUE(c.warnings.empty()) << s.id << ": " << explain(c);
    if (c.outcome == compare_outcome::same) ++same;
    for (std::size_t i = 0; i < hidden.size(); ++i) hidden[i] += c.diff.normalised[i];
  }
  EXPECT_GE(same, all.size() - 1) << "at most one skip (apop needs the server's own secret)";
  // Two pop3refd instances still differ where any two servers may: timestamps, unique-ids, the
  // IMPLEMENTATION text. Nothing else needs a normalisation.
  EXPECT_GT(hidden[static_cast<std::size_t>(normalisation::apop_timestamp)], 0u);
  EXPECT_GT(hidden[static_cast<std::size_t>(normalisation::unique_ids)], 0u);
  EXPECT_GT(hidden[static_cast<std::size_t>(normalisation::implementation)], 0u);
  EXPECT_EQ(hidden[static_cast<std::size_t>(normalisation::free_text)], 0u);
  EXPECT_EQ(hidden[static_cast<std::size_t>(normalisation::added_headers)], 0u);
}

TEST(CompareSelf, MirroringHidesCapabilitiesTheServerUnderTestLacks) {
  refd_instance server(refd_setup(false));  // no extensions, no TLS
  const auto where = loopback(server.port());
  const auto plain = harness::comparison_runner(setup_for(where, alice_on(server), false)).capabilities();
  EXPECT_EQ(plain.outcome, compare_outcome::divergent);
  bool sleeping = false;
  for (const auto& d : plain.diff.divergences)
    sleeping = sleeping || d.what == "SLEEPING is advertised by the reference only";
  EXPECT_TRUE(sleeping) << explain(plain);

  harness::comparison_runner mirrored(setup_for(where, alice_on(server), true));
  const auto probe = mirrored.capabilities();
  EXPECT_EQ(probe.outcome, compare_outcome::same) << explain(probe);
  EXPECT_NE(mirrored.reference_description().find("capabilities mirrored"), std::string::npos);
  ASSERT_FALSE(mirrored.mirror_notes().empty());
  EXPECT_NE(mirrored.mirror_notes()[0].find("SLEEPING"), std::string::npos);
  EXPECT_NE(mirrored.mirror_notes()[0].find("STLS"), std::string::npos);
  for (const auto& s : scenarios_in(ops)) {
    const auto c = mirrored.compare(s);
    EXPECT_EQ(c.outcome, compare_outcome::same) << s.id << ": " << explain(c);
  }
  // A scenario that needs SLEEPING is skipped on the server under test, not reported.
  const auto wake =
      mirrored.compare(scenario_from("id: cmp/wake\nrules: r\nlevel: MUST\nrequires: SLEEPING\n\nC: NOOP\n"));
  EXPECT_EQ(wake.outcome, compare_outcome::skip);
  EXPECT_EQ(wake.message.rfind("server under test: requires SLEEPING", 0), 0u) << wake.message;
}

TEST(CompareSelf, AnAnyMailboxIsCopiedToTheReference) {
  refd_instance server(refd_setup(false));
  auto who = alice_on(server);
  server.maildir().deliver(alice.name, make_message(1, "kept", "one\r\n"));
  server.maildir().deliver(alice.name, make_message(2, "kept", "two\r\n.\r\n"));
  harness::comparison_runner runner(setup_for(loopback(server.port()), who, true));
  const auto c = runner.compare(scenario_from(R"(id: cmp/any
rules: r
level: MUST
state: transaction

C: STAT
C: RETR 2
)"));
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  ASSERT_EQ(c.reference.responses.size(), 5u);
  EXPECT_EQ(c.reference.responses[3].status.rfind("+OK 2 ", 0), 0u) << c.reference.responses[3].status;
  EXPECT_TRUE(c.reference_defined);
}

}  // namespace
}  // namespace pop3::testing
