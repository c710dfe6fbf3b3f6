// The rule catalogue, the linter across files, the filesystem resolver, and the shipped examples.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "pop3/harness/lint.hpp"

namespace pop3::harness {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> catalogue_errors(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : rule_catalogue::parse(text, "rules.tsv").diagnostics) {
    EXPECT_FALSE(d.hint.empty());
    out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  }
  return out;
}

constexpr const char* tsv_header = "# comment\nid\tlevel\tsource\tsummary\tnotes\n";

TEST(RuleCatalogue, ParsesRulesAndFindsThem) {
  const auto r = rule_catalogue::parse(
      std::string(tsv_header) +
          "rfc1939/dele/not-listed\tMUST\tRFC 1939 §5\tDeleted messages are not listed.\n"
          "\n"
          "rfc1939/apop/no-both\tSHOULD\tRFC 1939 §13\tNot both PASS and APOP.\tuncheckable: config\n",
      "rules.tsv");
  EXPECT_TRUE(r.diagnostics.empty());
  ASSERT_EQ(r.catalogue.rules().size(), 2u);
  const rule* dele = r.catalogue.find("rfc1939/dele/not-listed");
  ASSERT_NE(dele, nullptr);
  EXPECT_EQ(dele->lvl, reports::level::must);
  EXPECT_EQ(dele->source, "RFC 1939 §5");
  EXPECT_EQ(dele->where.line, 3);
  EXPECT_FALSE(dele->uncheckable);
  EXPECT_EQ(r.catalogue.find("rfc1939/apop/no-both")->uncheckable, "config");
  EXPECT_EQ(r.catalogue.find("nope"), nullptr);
}

TEST(RuleCatalogue, ReportsEveryError) {
  const std::string h = tsv_header;
  EXPECT_EQ(catalogue_errors(""), std::vector<std::string>{"1:1: the catalogue is empty"});
  EXPECT_EQ(catalogue_errors("id level\n"),
            std::vector<std::string>{"1:1: the first line must be the header"});
  EXPECT_EQ(catalogue_errors(h + "a/b\tMUST\n"),
            std::vector<std::string>{"3:1: expected 4 or 5 TAB-separated fields, got 2"});
  EXPECT_EQ(catalogue_errors(h + "A/B\tMUST\ts\tx\n"), std::vector<std::string>{"3:1: bad rule id 'A/B'"});
  EXPECT_EQ(catalogue_errors(h + "a/b\tMUST\ts\tx\na/b\tMAY\ts\tx\n"),
            std::vector<std::string>{"4:1: duplicate rule id 'a/b'"});
  EXPECT_EQ(catalogue_errors(h + "a/b\tmust\ts\tx\n"), std::vector<std::string>{"3:5: unknown level 'must'"});
  EXPECT_EQ(catalogue_errors(h + "a/b\tMUST\t\tx\n"),
            std::vector<std::string>{"3:10: empty source or summary"});
  EXPECT_EQ(catalogue_errors(h + "a/b\tMUST\ts\tx\tlater\n"),
            std::vector<std::string>{"3:14: unknown note 'later'"});
}

TEST(RuleCatalogue, Ids) {
  EXPECT_TRUE(is_valid_id("rfc1939/dele/not-listed"));
  EXPECT_TRUE(is_valid_id("a"));
  EXPECT_FALSE(is_valid_id("a/"));
  EXPECT_FALSE(is_valid_id("/a"));
  EXPECT_FALSE(is_valid_id("a//b"));
  EXPECT_FALSE(is_valid_id("a/-b"));
  EXPECT_FALSE(is_valid_id("a b"));
  EXPECT_FALSE(is_valid_id(std::string(129, 'a')));
}

rule_catalogue small_catalogue() {
  return rule_catalogue::parse(
             std::string(tsv_header) +
                 "r/must\tMUST\ts\tx\nr/should\tSHOULD\ts\tx\nr/never\tMAY\ts\tx\tuncheckable: log only\n",
             "rules.tsv")
      .catalogue;
}

TEST(Lint, RulesAgainstTheCatalogue) {
  const auto parsed =
      parse_scenario("id: t/x\nrules: r/should r/gone r/never\nlevel: MUST\nC: NOOP\nS: +OK\n", "t.pop3");
  ASSERT_TRUE(parsed.ok());
  const auto d = lint_rules(parsed.value, small_catalogue());
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].to_string().substr(0, 44), "t.pop3:2:17: error: unknown rule id 'r/gone'");
  EXPECT_EQ(d[1].message, "rule 'r/never' is marked uncheckable (log only)");
  EXPECT_EQ(d[2].message, "level MUST is stronger than every rule listed");
  EXPECT_EQ(d[2].line, 3);
  EXPECT_EQ(d[2].column, 8);
}

class LintFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("pop3spec-lint-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "suite" / "fixtures");
    fs::create_directories(root_ / "preambles");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& rel, const std::string& content) {
    std::ofstream(root_ / rel, std::ios::binary) << content;
  }
  fs::path root_;
};

TEST_F(LintFiles, ResolverLooksBesideThenUpToTheScenariosRoot) {
  write("rules.tsv", std::string(tsv_header) + "r/must\tMUST\ts\tx\n");
  write("preambles/capa.inc", "C: CAPA\nS: +OK\n");
  write("suite/fixtures/m.eml", "Subject: m\n\nbody\n");
  write("suite/a.pop3",
        "id: suite/a\nrules: r/must\nlevel: MUST\nmailbox: fixtures/m.eml\ninclude: preambles/capa.inc\n");
  const auto parsed = parse_scenario_file(root_ / "suite" / "a.pop3");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.diagnostics[0].to_string());
  EXPECT_EQ(parsed.value.mailbox.files.at(0).content, "Subject: m\n\nbody\n");
  EXPECT_EQ(parsed.value.steps.at(0).where.file, (root_ / "preambles" / "capa.inc").string());
  // Nothing is found above the folder that holds rules.tsv.
  const auto resolve = filesystem_resolver();
  EXPECT_FALSE(resolve((root_ / "suite" / "a.pop3").string(), root_.filename().string() + "/rules.tsv"));
  EXPECT_TRUE(resolve((root_ / "suite" / "a.pop3").string(), "rules.tsv"));
  EXPECT_EQ(find_rule_catalogue(root_ / "suite" / "a.pop3"),
            fs::absolute(root_ / "rules.tsv").lexically_normal());
  EXPECT_EQ(find_rule_catalogue(root_ / "suite"), fs::absolute(root_ / "rules.tsv").lexically_normal());
}

TEST_F(LintFiles, DirectoryReportsParseErrorsCatalogueErrorsAndDuplicateIds) {
  write("rules.tsv", std::string(tsv_header) + "r/must\tMUST\ts\tx\n");
  write("suite/a.pop3", "id: suite/a\nrules: r/must\nlevel: MUST\nC: NOOP\nS: +OK\n");
  write("suite/b.pop3", "id: suite/a\nrules: r/other\nlevel: MUST\nC: NOOP\nS: +OK\n");
  write("suite/c.pop3", "id: suite/c\nrules: r/must\nlevel: MUST\nS: +OK\n");
  write("suite/notes.txt", "not a scenario");
  const auto cat = rule_catalogue::load(root_ / "rules.tsv");
  ASSERT_TRUE(cat.diagnostics.empty());
  const auto d = lint_directory(root_, &cat.catalogue);
  std::vector<std::string> got;
  for (const auto& x : d)
    got.push_back(fs::path(x.file).filename().string() + ":" + std::to_string(x.line) + ":" + x.message);
  EXPECT_EQ(got, (std::vector<std::string>{"b.pop3:2:unknown rule id 'r/other'",
                                           "b.pop3:1:scenario id 'suite/a' does not match its path",
                                           "b.pop3:1:duplicate scenario id 'suite/a' (also in " +
                                               (root_ / "suite" / "a.pop3").string() + ":1)",
                                           "c.pop3:4:S: without a preceding C:"}));
  EXPECT_TRUE(lint_file(root_ / "suite" / "a.pop3", &cat.catalogue).empty());
  EXPECT_EQ(lint_file(root_ / "suite" / "missing.pop3").at(0).message, "cannot read the scenario file");
  EXPECT_EQ(lint_directory(root_ / "preambles").at(0).message, "no *.pop3 scenario files below this folder");
  EXPECT_EQ(rule_catalogue::load(root_ / "none.tsv").diagnostics.at(0).message,
            "cannot read the rule catalogue");
  EXPECT_EQ(lint_directory(root_ / "nowhere").at(0).message.substr(0, 24), "cannot list the folder: ");
}

TEST(Examples, EveryShippedScenarioIsCleanUnderLint) {
  const fs::path scenarios = fs::path(POP3SPEC_SOURCE_DIR) / "scenarios";
  const auto cat = rule_catalogue::load(scenarios / "rules.tsv");
  for (const auto& d : cat.diagnostics) ADD_FAILURE() << d.to_string();
  const auto d = lint_directory(scenarios / "examples", &cat.catalogue);
  for (const auto& x : d) ADD_FAILURE() << x.to_string();
  // Every example parses to at least one step, and together they use every step kind.
  std::set<std::size_t> kinds;
  std::size_t files = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(scenarios / "examples", ec)) {
    if (e.path().extension() != ".pop3") continue;
    ++files;
    for (const auto& st : parse_scenario_file(e.path()).value.steps) kinds.insert(st.action.index());
  }
  EXPECT_GE(files, 8u);
  EXPECT_EQ(kinds.size(), std::variant_size_v<decltype(step::action)>);
}

}  // namespace
}  // namespace pop3::harness
