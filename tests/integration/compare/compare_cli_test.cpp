// The compare command as the program runs it (options parsed by CLI11, in-process): exit codes,
// the console's readable diff, JUnit valid against the schema, the JSON report, the baseline.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/compare_command.hpp"
#include "cli/exit_codes.hpp"
#include "compare_test_support.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;

struct cli_result {
  int code = -1;
  std::string out, err;
};

// Parses the arguments as `pop3spec compare ...` does and runs the command.
cli_result compare(std::vector<std::string> args) {
  args.insert(args.begin(), "compare");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  CLI::App app;
  harness::cli::compare_cli_options options;
  add_compare_options(app, options);
  cli_result r;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    std::ostringstream out, err;
    r.code = harness::cli::compare_command(options, out, err);
    r.out = out.str();
    r.err = err.str();
  } catch (const harness::cli::usage_error& e) {
    r.code = harness::cli::exit_usage;
    r.err = e.what();
  } catch (const CLI::ParseError& e) {
    r.code = harness::cli::exit_usage;
    r.err = e.what();
  }
  return r;
}

const std::string ops = (fs::path(POP3SPEC_COMPARE_TEST_DATA) / "ops").string();

std::vector<std::string> against(std::uint16_t port, std::vector<std::string> more) {
  std::vector<std::string> args{"--server",
                                "127.0.0.1:" + std::to_string(port),
                                "--user",
                                alice.name,
                                "--pass",
                                alice.password,
                                "--apop-secret",
                                alice.apop_secret,
                                "--allow-destructive",
                                "--timeout",
                                "2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string fixtures(refd_instance& server) {
  server.maildir().create_user(alice.name);
  return "maildir:" + (server.maildir().root() / "{user}").string();
}

bool valid_junit(const fs::path& file) {
  const fs::path schema = fs::path(POP3SPEC_SOURCE_DIR) / "tests" / "data" / "junit-10.xsd";
  const std::string command =
      "xmllint --noout --schema '" + schema.string() + "' '" + file.string() + "' > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(CompareCli, NoDivergenceExitsZeroWithReports) {
  refd_instance server(refd_setup(false));
  const auto junit = server.maildir().base() / "compare.xml", json = server.maildir().base() / "compare.json";
  const auto r = compare(against(server.port(), {"--fixtures", fixtures(server), "--mirror-capabilities", ops,
                                                 "--junit", junit.string(), "--json", json.string()}));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SAME  cmp/explore"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[reference-defined]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("normalisations needed: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unique-ids"), std::string::npos) << r.out;
  EXPECT_TRUE(valid_junit(junit));
  std::ifstream in(json);
  const auto report = nlohmann::json::parse(in);
  EXPECT_EQ(report.at("schema"), "pop3spec-compare");
  EXPECT_EQ(report.at("summary").at("divergences"), 0);
  EXPECT_EQ(report.at("summary").at("comparisons"), 4);
  EXPECT_EQ(report.at("normalisations").at("unique-ids").at("enabled"), true);
  EXPECT_GT(report.at("normalisations").at("unique-ids").at("differences_hidden").get<int>(), 0);
  EXPECT_FALSE(report.at("mirror_notes").empty());
  const auto& first = report.at("scenarios").at(1);
  EXPECT_EQ(first.at("outcome"), "same");
  EXPECT_FALSE(first.at("reference").at("responses").empty());
  EXPECT_EQ(first.at("reference").at("responses").size(), first.at("under_test").at("responses").size());
}

TEST(CompareCli, DivergencesExitOneWithADiffAndOneJUnitFailureEach) {
  refd_instance server(refd_setup(false));
  rewriting_proxy proxy(server.port(), [](const std::string& c, const std::string& l, bool s) {
    if (c.starts_with("DELE") && s) return std::optional<std::string>("-ERR refused\r\n");
    return same(l);
  });
  const auto junit = server.maildir().base() / "compare.xml", json = server.maildir().base() / "compare.json";
  const auto r = compare(
      against(proxy.port(), {"--fixtures", fixtures(server), "--mirror-capabilities", "-v", ops, "--filter",
                             "cmp/explore", "--junit", junit.string(), "--json", json.string()}));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("DIFF  cmp/explore"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("explore.pop3:18: DELE 3: status: the reference answered +OK, the server under test -ERR"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- reference:         +OK"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+ server under test: -ERR refused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| S: -ERR refused"), std::string::npos) << "side by side with -v:\n" << r.out;
  EXPECT_TRUE(valid_junit(junit));
  std::ifstream xml(junit);
  const std::string text{std::istreambuf_iterator<char>(xml), std::istreambuf_iterator<char>()};
  EXPECT_NE(text.find("name=\"cmp/explore @18 status\""), std::string::npos) << text;
  EXPECT_NE(text.find("<failure message=\""), std::string::npos);
  std::ifstream in(json);
  const auto report = nlohmann::json::parse(in);
  EXPECT_GE(report.at("summary").at("divergences").get<int>(), 1);
  const auto& d = report.at("scenarios").at(1).at("divergences").at(0);
  EXPECT_EQ(d.at("kind"), "status");
  EXPECT_EQ(d.at("line"), 18);
  EXPECT_EQ(d.at("under_test"), "-ERR refused");

  // The same divergence listed in the baseline no longer fails the run.
  const auto baseline = server.maildir().base() / "known.txt";
  std::ofstream(baseline) << "# known\ncmp/explore\n";
  const auto known =
      compare(against(proxy.port(), {"--fixtures", fixtures(server), "--mirror-capabilities", ops, "--filter",
                                     "cmp/explore", "--baseline", baseline.string()}));
  EXPECT_EQ(known.code, 0) << known.out;
  EXPECT_NE(known.out.find("KNOWN cmp/explore"), std::string::npos) << known.out;
}

TEST(CompareCli, ANormalisationCanBeSwitchedOffByName) {
  refd_instance server(refd_setup(false));
  const auto r =
      compare(against(server.port(), {"--fixtures", fixtures(server), "--mirror-capabilities",
                                      "--no-normalise", "unique-ids", ops, "--filter", "cmp/explore"}));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("unique-id: message 1's unique-id differs (normalisation unique-ids is off)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("normalisations switched off: unique-ids"), std::string::npos) << r.out;
}

TEST(CompareCli, UsageErrorsExitTwoAndAnUnreachableServerThree) {
  EXPECT_EQ(compare({ops}).code, harness::cli::exit_usage);
  const auto bad =
      compare({"--server", "127.0.0.1:1", "--user", "a", "--pass", "b", "--no-normalise", "everything", ops});
  EXPECT_EQ(bad.code, harness::cli::exit_usage);
  EXPECT_NE(bad.err.find("unknown normalisation \"everything\""), std::string::npos) << bad.err;
  const auto jobs = compare({"--server", "127.0.0.1:1", "--jobs", "2", ops});
  EXPECT_EQ(jobs.code, harness::cli::exit_usage);
  // A port nobody listens on: bind one, learn its number, close it.
  std::uint16_t port = 0;
  {
    fake_server closed([](fake_peer&) {});
    port = closed.port();
  }
  const auto unreachable =
      compare({"--server", "127.0.0.1:" + std::to_string(port), "--user", "a", "--pass", "b", ops});
  EXPECT_EQ(unreachable.code, harness::cli::exit_unreachable) << unreachable.out << unreachable.err;
}

}  // namespace
}  // namespace pop3::testing
