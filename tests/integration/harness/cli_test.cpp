// The pop3spec program end to end: exit codes 0/1/2/3, reports (JUnit valid against the schema),
// selection, baseline, external targets with env credentials and config files.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "fake_server.hpp"
#include "pop3/harness/net/embedded_server.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;

const fs::path data = POP3SPEC_HARNESS_TEST_DATA;

struct cli_result {
  int code = -1;
  std::string output;  // stdout and stderr
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs pop3spec with a hard time limit (coreutils timeout), so a hang fails instead of blocking.
cli_result pop3spec(const std::vector<std::string>& args, const std::string& env = "") {
  static int counter = 0;
  const fs::path out = fs::temp_directory_path() / ("pop3spec-cli-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::string command = env + " timeout 120 " + quote(POP3SPEC_CLI);
  for (const auto& a : args) command += " " + quote(a);
  command += " > " + quote(out.string()) + " 2>&1";
  const int status = std::system(command.c_str());
  cli_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out);
  r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  fs::remove(out);
  return r;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path junit_schema() {
  const fs::path repo_copy = fs::path(POP3SPEC_SOURCE_DIR) / "tests" / "data" / "junit-10.xsd";
  return fs::exists(repo_copy) ? repo_copy : fs::path(POP3SPEC_SOURCE_DIR) / ".." / "shared" / "schemas" / "junit-10.xsd";
}

TEST(Pop3specCli, PassingRunExitsZeroAndWritesValidReports) {
  temp_maildir dir;
  const auto junit = dir.base() / "junit.xml", json = dir.base() / "report.json", md = dir.base() / "matrix.md";
  const auto r = pop3spec({"run", (data / "pass").string(), "--junit", junit.string(), "--json", json.string(),
                           "--markdown", md.string(), "--jobs", "2"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("PASS  clitest/pass/noop"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("PASS  clitest/pass/stat"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Summary:"), std::string::npos);
  EXPECT_EQ(r.output.find("\x1b["), std::string::npos) << "colour on a pipe";
  ASSERT_TRUE(fs::exists(junit));
  const auto lint = std::system(("xmllint --noout --schema " + quote(junit_schema().string()) + " " + quote(junit.string()) +
                                 " > /dev/null 2>&1").c_str());
  EXPECT_EQ(WEXITSTATUS(lint), 0) << read_text(junit);
  EXPECT_NE(read_text(json).find("\"clitest/pass/stat\""), std::string::npos);
  EXPECT_NE(read_text(md).find("clitest/pass/noop"), std::string::npos);
}

TEST(Pop3specCli, MustFailureExitsOneWithTheMessage) {
  const auto r = pop3spec({"run", (data / "fail").string(), "--verbose"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL  clitest/fail/noop-err"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("noop-err.pop3:8"), std::string::npos) << r.output;  // file:line of the S: line
  EXPECT_NE(r.output.find("C: NOOP"), std::string::npos) << "--verbose prints the transcript: " << r.output;
  EXPECT_NE(r.output.find("C: PASS ****"), std::string::npos) << r.output;
}

TEST(Pop3specCli, ShouldFailureIsAWarningUnlessStrict) {
  const auto relaxed = pop3spec({"run", (data / "should").string()});
  EXPECT_EQ(relaxed.code, 0) << relaxed.output;
  EXPECT_NE(relaxed.output.find("WARN  clitest/should/noop"), std::string::npos) << relaxed.output;
  const auto strict = pop3spec({"run", (data / "should").string(), "--strict"});
  EXPECT_EQ(strict.code, 1) << strict.output;
}

TEST(Pop3specCli, BaselineMakesKnownFailuresPassAndFlagsUnexpectedPasses) {
  temp_maildir dir;
  const auto baseline = dir.write_file("baseline", "# known\nclitest/fail/*\n");
  const auto known = pop3spec({"run", (data / "fail").string(), "--baseline", baseline.string()});
  EXPECT_EQ(known.code, 0) << known.output;
  EXPECT_NE(known.output.find("XFAIL"), std::string::npos) << known.output;

  const auto stale = dir.write_file("stale", "clitest/pass/noop\n");
  const auto unexpected = pop3spec({"run", (data / "pass" / "noop.pop3").string(), "--baseline", stale.string()});
  EXPECT_EQ(unexpected.code, 1) << unexpected.output;
  EXPECT_NE(unexpected.output.find("XPASS"), std::string::npos) << unexpected.output;
}

TEST(Pop3specCli, MinWaitSelectsWhatMaxWaitSkips) {
  const auto idle = pop3spec({"run", (data / "waits").string(), "--min-wait", "0.5"});
  EXPECT_EQ(idle.code, 0) << idle.output;
  EXPECT_NE(idle.output.find("PASS  clitest/waits/idle"), std::string::npos) << idle.output;
  EXPECT_EQ(idle.output.find("clitest/waits/busy"), std::string::npos) << idle.output;
  EXPECT_NE(idle.output.find("1 scenario against"), std::string::npos) << idle.output;
  const auto busy = pop3spec({"run", (data / "waits").string(), "--max-wait", "0.5"});
  EXPECT_EQ(busy.code, 0) << busy.output;
  EXPECT_NE(busy.output.find("SKIP  clitest/waits/idle"), std::string::npos) << busy.output;
  EXPECT_NE(busy.output.find("PASS  clitest/waits/busy"), std::string::npos) << busy.output;
}

TEST(Pop3specCli, EmbeddedRunSendsConfigurationScenariosToAVariant) {
  // Each needs a pop3refd configured otherwise than the default embedded one: they pass, not skip.
  const auto r = pop3spec({"run", "rfc1939/noop/ok", "rfc2449/expire/smallest-zero",
                           "rfc2449/login-delay/exact-announced", "stls/cleartext/refused-before-tls"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("4 passed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("variant: EXPIRE 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("variant: LOGIN-DELAY 5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("variant: cleartext logins refused before TLS"), std::string::npos) << r.output;
}

TEST(Pop3specCli, LintErrorsInTheScenariosToRunExitTwo) {
  const auto r = pop3spec({"run", (data / "broken").string()});
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.pop3:3:"), std::string::npos) << r.output;
}

TEST(Pop3specCli, UsageErrorsExitTwo) {
  EXPECT_EQ(pop3spec({"run", "--shard", "3/2", (data / "pass").string()}).code, 2);
  EXPECT_EQ(pop3spec({"run", "--no-such-option"}).code, 2);
  EXPECT_EQ(pop3spec({"run", "--tls", "--stls", (data / "pass").string()}).code, 2);
  EXPECT_EQ(pop3spec({"run", "--server", "127.0.0.1:1", (data / "pass").string()}, "env -u POP3SPEC_USER").code, 2);
  EXPECT_EQ(pop3spec({"run", "nothing/matches/this/*", "--scenarios", data.string()}).code, 2);
  EXPECT_EQ(pop3spec({}).code, 2);
}

TEST(Pop3specCli, UnreachableServerExitsThree) {
  std::uint16_t port = 0;
  {
    fake_server gone([](fake_peer&) {});
    port = gone.port();
  }
  const auto r = pop3spec({"run", (data / "pass").string(), "--server", "127.0.0.1:" + std::to_string(port), "--user",
                           "alice", "--timeout", "2"},
                          "POP3SPEC_PASS=secret");
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("cannot reach"), std::string::npos) << r.output;
}

TEST(Pop3specCli, SilentServerExitsThreeWithinTheTimeout) {
  fake_server silent([](fake_peer& peer) { peer.read_line(std::chrono::seconds(30)); });
  const auto start = std::chrono::steady_clock::now();
  const auto r = pop3spec({"run", (data / "pass").string(), "--server", "127.0.0.1:" + std::to_string(silent.port()),
                           "--user", "alice", "--pass", "x", "--timeout", "1"});
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Pop3specCli, QuitWithoutAnswerIsAFailureWithReports) {
  // A server that never answers QUIT, before or after login, and keeps the connection open: the
  // probe's QUIT must not abort the run; the QUIT scenarios fail with their transcript.
  fake_server mute_quit(fake_pop3::with([](fake_peer& peer, const std::string& command) -> std::optional<bool> {
    if (command == "QUIT") return true;  // no answer; keep reading
    if (command.starts_with("PASS ")) return peer.send(command == "PASS secret" ? "+OK\r\n" : "-ERR [AUTH] no\r\n");
    return std::nullopt;
  }));
  temp_maildir dir;
  const auto junit = dir.base() / "junit.xml", json = dir.base() / "report.json";
  const auto r = pop3spec({"run", "rfc1939/quit/authorization", "rfc1939/update/reply-and-close-nothing-marked",
                           "--server", "127.0.0.1:" + std::to_string(mute_quit.port()), "--user", "alice", "--timeout",
                           "1", "--junit", junit.string(), "--json", json.string()},
                          "POP3SPEC_PASS=secret");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL  rfc1939/quit/authorization"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  rfc1939/update/reply-and-close-nothing-marked"), std::string::npos) << r.output;
  ASSERT_TRUE(fs::exists(junit)) << r.output;
  ASSERT_TRUE(fs::exists(json)) << r.output;
  const std::string report = read_text(json);
  EXPECT_NE(report.find("\"rfc1939/quit/authorization\""), std::string::npos);
  EXPECT_NE(report.find("<timeout>"), std::string::npos) << "the transcript of the failure: " << report;
  EXPECT_NE(read_text(junit).find("QUIT"), std::string::npos) << read_text(junit);
}

TEST(Pop3specCli, ExternalServerWithEnvCredentialsAndMaildirFixtures) {
  harness::embedded_server server(1);  // stands in for a server pop3spec does not own
  const auto where = server.target_for(harness::tls_mode::none);
  const auto& account = server.accounts()[0];
  const auto r = pop3spec({"run", (data / "pass").string(), "--server", "127.0.0.1:" + std::to_string(where.port),
                           "--fixtures", "maildir:" + (server.root() / "maildirs" / "{user}").string()},
                          "POP3SPEC_USER=" + account.user + " POP3SPEC_PASS=" + quote(account.password));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find(account.password), std::string::npos) << "password on the console";

  // Without a fixture adapter the scenario that needs one is skipped, the other still runs.
  const auto bare = pop3spec({"run", (data / "pass").string(), "--server", "127.0.0.1:" + std::to_string(where.port)},
                             "POP3SPEC_USER=" + account.user + " POP3SPEC_PASS=" + quote(account.password));
  EXPECT_EQ(bare.code, 0) << bare.output;
  EXPECT_NE(bare.output.find("SKIP  clitest/pass/stat"), std::string::npos) << bare.output;
}

TEST(Pop3specCli, ConfigFileAccountsImplicitTlsAndParallelJobs) {
  harness::embedded_server server(2);
  const auto tls = server.target_for(harness::tls_mode::implicit);
  temp_maildir dir;
  std::string accounts;
  for (const auto& a : server.accounts()) {
    accounts += std::string(accounts.empty() ? "" : ",") + R"({"user": ")" + a.user + R"(", "pass": ")" + a.password +
                R"(", "fixtures": "maildir:)" + (server.root() / "maildirs" / "{user}").string() + R"(", "disposable": true})";
  }
  const auto config = dir.write_file("pop3spec.json", R"({"server": "127.0.0.1:)" + std::to_string(tls.port) +
                                                          R"(", "tls": "implicit", "ca": ")" + tls.ca_file +
                                                          R"(", "accounts": [)" + accounts + "]}");
  const auto r = pop3spec({"run", (data / "pass").string(), "--config", config.string(), "--jobs", "2"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 at a time"), std::string::npos) << r.output;
}

TEST(Pop3specCli, LintCommand) {
  const auto bad = pop3spec({"lint", (data / "broken").string()});
  EXPECT_EQ(bad.code, 1) << bad.output;
  EXPECT_NE(bad.output.find("bad.pop3:3:1: error:"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("hint:"), std::string::npos) << bad.output;
  const auto good = pop3spec({"lint", (data / "pass").string(), (data / "fail").string()});
  EXPECT_EQ(good.code, 0) << good.output;
  EXPECT_NE(good.output.find("3 scenario files checked, 0 errors"), std::string::npos) << good.output;
}

TEST(Pop3specCli, ListShowsStaticSkipsAndShardsPartition) {
  const auto with_broken = pop3spec({"list", "--scenarios", data.string()});
  EXPECT_EQ(with_broken.code, 2) << with_broken.output;
  const auto without_broken = pop3spec({"list", "--scenarios", data.string(), "--exclude", "clitest/broken/*"});
  EXPECT_EQ(without_broken.code, 0) << without_broken.output;
  EXPECT_NE(without_broken.output.find("6 scenarios selected, 6 can run"), std::string::npos) << without_broken.output;

  const auto external = pop3spec({"list", (data / "pass").string(), "--server", "127.0.0.1:110", "--user", "u"});
  EXPECT_EQ(external.code, 0) << external.output;
  EXPECT_NE(external.output.find("clitest/pass/stat  skip: needs a fixture adapter"), std::string::npos) << external.output;
  EXPECT_NE(external.output.find("clitest/pass/noop  run"), std::string::npos) << external.output;

  std::multiset<std::string> union_of_shards;
  for (const char* shard : {"1/2", "2/2"}) {
    const auto part = pop3spec({"list", (data / "pass").string(), (data / "fail").string(), (data / "should").string(),
                                "--shard", shard});
    ASSERT_EQ(part.code, 0) << part.output;
    std::istringstream lines(part.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("clitest/")) union_of_shards.insert(line.substr(0, line.find(' ')));
    }
  }
  const std::multiset<std::string> expected{"clitest/fail/noop-err", "clitest/pass/noop", "clitest/pass/stat",
                                            "clitest/should/noop"};
  EXPECT_EQ(union_of_shards, expected);
}

TEST(Pop3specCli, FilterSelectsByIdGlob) {
  const auto r = pop3spec({"list", "--scenarios", (data / "pass").string(), "--filter", "*/stat"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("clitest/pass/stat"), std::string::npos);
  EXPECT_EQ(r.output.find("clitest/pass/noop"), std::string::npos) << r.output;
}

TEST(Pop3specCli, RulesCommandCountsCoverage) {
  temp_maildir dir;
  dir.write_file("rules.tsv",
                 "id\tlevel\tsource\tsummary\tnotes\n"
                 "rfc1939/noop/ok\tMUST\tRFC 1939 §5 NOOP\tNOOP answers +OK\t\n"
                 "rfc1939/quit/ok\tMUST\tRFC 1939 §6 QUIT\tQUIT answers +OK\t\n");
  fs::copy_file(data / "pass" / "noop.pop3", dir.base() / "noop.pop3");
  const auto r = pop3spec({"rules", "--scenarios", dir.base().string()});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("rfc1939/noop/ok  MUST            1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("UNCOVERED MUST"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 rules: 1 covered, 1 uncovered (1 MUST)"), std::string::npos) << r.output;

  // With ids (or globs): each rule in full, with the scenarios that check it.
  const auto one = pop3spec({"rules", "--scenarios", dir.base().string(), "rfc1939/*"});
  EXPECT_EQ(one.code, 0) << one.output;
  EXPECT_NE(one.output.find("rfc1939/noop/ok  MUST  RFC 1939 §5 NOOP\n  NOOP answers +OK\n  checked by clitest/pass/noop\n"),
            std::string::npos)
      << one.output;
  EXPECT_NE(one.output.find("rfc1939/quit/ok  MUST  RFC 1939 §6 QUIT\n  QUIT answers +OK\n  no scenario checks it yet\n"),
            std::string::npos)
      << one.output;
  EXPECT_EQ(pop3spec({"rules", "--scenarios", dir.base().string(), "rfc9999/*"}).code, 2);
}

TEST(Pop3specCli, HelpDocumentsTheExitCodes) {
  const auto r = pop3spec({"run", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("Exit codes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("3  the server could not be reached"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pop3::testing
