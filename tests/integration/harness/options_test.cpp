// The CLI's pure parts: id globs, shards, baselines, and how options, --config and env combine.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "cli/exit_codes.hpp"
#include "cli/options.hpp"
#include "cli/selection.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

using namespace pop3::harness::cli;

env_lookup fake_env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CliSelection, GlobMatchesAcrossSlashes) {
  EXPECT_TRUE(glob_match("rfc1939/*", "rfc1939/stat/basic"));
  EXPECT_TRUE(glob_match("*/basic", "rfc1939/stat/basic"));
  EXPECT_TRUE(glob_match("rfc1939/st?t/*", "rfc1939/stat/basic"));
  EXPECT_TRUE(glob_match("rfc1939/stat/basic", "rfc1939/stat/basic"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("rfc1939/stat", "rfc1939/stat/basic"));
  EXPECT_FALSE(glob_match("rfc2449/*", "rfc1939/stat/basic"));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_TRUE(glob_match("a*b*c*d", "aXbYcZd"));
  EXPECT_FALSE(glob_match("a*b*c*e", std::string(10000, 'a')));  // no exponential backtracking
}

TEST(CliSelection, ShardsPartitionEveryIdExactlyOnce) {
  const std::size_t n = 4;
  std::set<std::string> seen;
  std::vector<std::size_t> sizes(n);
  for (int i = 0; i < 400; ++i) {
    const std::string id = "suite/scenario-" + std::to_string(i);
    std::size_t owners = 0;
    for (std::size_t k = 1; k <= n; ++k) {
      if (in_shard(id, shard_spec{k, n})) {
        ++owners;
        ++sizes[k - 1];
      }
    }
    EXPECT_EQ(owners, 1u) << id;
  }
  for (const auto size : sizes) EXPECT_GT(size, 50u);  // roughly balanced
  EXPECT_TRUE(in_shard("anything", shard_spec{1, 1}));
}

TEST(CliSelection, ShardSyntax) {
  EXPECT_EQ(parse_shard("2/3").index, 2u);
  EXPECT_EQ(parse_shard("2/3").count, 3u);
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "/", "1/2/3", "-1/2"}) {
    EXPECT_THROW((void)parse_shard(bad), usage_error) << bad;
  }
}

TEST(CliSelection, BaselineSkipsCommentsAndBlanks) {
  temp_maildir dir;
  const auto file = dir.write_file("baseline", "# known failures\nrfc1939/a   # flaky\n\n  rfc2449/*\t\r\n#only\n");
  const std::vector<std::string> expected{"rfc1939/a", "rfc2449/*"};
  EXPECT_EQ(load_baseline(file), expected);
  EXPECT_THROW((void)load_baseline(dir.base() / "missing"), usage_error);
}

TEST(CliSelection, FilterIncludeExcludeAndShard) {
  id_filter f;
  f.include = {"rfc1939/*"};
  f.exclude = {"*/slow"};
  EXPECT_TRUE(f.accepts("rfc1939/stat"));
  EXPECT_FALSE(f.accepts("rfc1939/slow"));
  EXPECT_FALSE(f.accepts("rfc2449/capa"));
}

TEST(CliSetup, NoServerMeansEmbedded) {
  options o;
  o.jobs = 3;
  const auto setup = resolve_setup(o, fake_env({}));
  EXPECT_TRUE(setup.embedded);
  EXPECT_EQ(setup.jobs, 3u);
  EXPECT_EQ(setup.limits.read_timeout, std::chrono::seconds(5));
  o.user = "bob";
  EXPECT_THROW((void)resolve_setup(o, fake_env({})), usage_error);
}

TEST(CliSetup, ExternalServerTakesCredentialsFromTheEnvironment) {
  options o;
  o.server = "mail.example:1110";
  o.fixtures = "maildir:/srv/{user}";
  EXPECT_THROW((void)resolve_setup(o, fake_env({})), usage_error);  // no account
  const auto setup = resolve_setup(o, fake_env({{"POP3SPEC_USER", "u"}, {"POP3SPEC_PASS", "p"}, {"POP3SPEC_APOP_SECRET", "s"}}));
  EXPECT_FALSE(setup.embedded);
  EXPECT_EQ(setup.where.host, "mail.example");
  EXPECT_EQ(setup.where.port, 1110);
  ASSERT_EQ(setup.accounts.size(), 1u);
  EXPECT_EQ(setup.accounts[0].user, "u");
  EXPECT_EQ(setup.accounts[0].password, "p");
  EXPECT_EQ(setup.accounts[0].apop_secret, "s");
  EXPECT_FALSE(setup.accounts[0].disposable);
  ASSERT_NE(setup.accounts[0].fixtures, nullptr);
  EXPECT_EQ(setup.accounts[0].fixtures->describe(), "maildir:/srv/{user}");

  o.user = "cli";  // the command line wins over the environment
  o.allow_destructive = true;
  const auto override = resolve_setup(o, fake_env({{"POP3SPEC_USER", "u"}}));
  EXPECT_EQ(override.accounts[0].user, "cli");
  EXPECT_TRUE(override.accounts[0].disposable);
}

TEST(CliSetup, TlsPortsAndModes) {
  options o;
  o.server = "pop.example";
  o.user = "u";
  o.tls = true;
  auto setup = resolve_setup(o, fake_env({}));
  EXPECT_EQ(setup.where.port, 995);
  EXPECT_EQ(setup.where.tls, harness::tls_mode::implicit);
  o.stls = true;
  EXPECT_THROW((void)resolve_setup(o, fake_env({})), usage_error);
  o.tls = false;
  setup = resolve_setup(o, fake_env({}));
  EXPECT_EQ(setup.where.port, 110);
  EXPECT_EQ(setup.where.tls, harness::tls_mode::stls);
  EXPECT_EQ(parse_host_port("[::1]:2110", 110), (std::pair<std::string, std::uint16_t>{"::1", 2110}));
  EXPECT_THROW((void)parse_host_port("host:0", 110), usage_error);
  EXPECT_THROW((void)parse_host_port(":110", 110), usage_error);
}

TEST(CliSetup, ConfigFileWithAccountsAndTimeouts) {
  temp_maildir dir;
  options o;
  o.config_file = dir.write_file("pop3spec.json", R"({
    "server": "127.0.0.1:2110", "tls": "stls", "insecure": true,
    "accounts": [
      {"user": "t1", "pass": "p1", "fixtures": "exec:deliver-to t1", "disposable": true,
       "long_user": "t1-long", "long_pass": "L", "utf8_user": "t1-utf8", "utf8_pass": "\u00e4"},
      {"user": "t2", "apop_secret": "s2", "address": "t2@example.org"}
    ],
    "timeouts": {"read": 2.5, "scale": 3, "scenario": 30}
  })").string();
  o.fixtures = "maildir:/default/{user}";
  const auto setup = resolve_setup(o, fake_env({{"POP3SPEC_USER", "ignored"}}));
  EXPECT_EQ(setup.where.port, 2110);
  EXPECT_EQ(setup.where.tls, harness::tls_mode::stls);
  EXPECT_TRUE(setup.where.insecure);
  ASSERT_EQ(setup.accounts.size(), 2u);
  EXPECT_EQ(setup.accounts[0].fixtures->describe(), "exec:deliver-to t1");
  EXPECT_TRUE(setup.accounts[0].disposable);
  EXPECT_EQ(setup.accounts[0].long_login.user, "t1-long");
  EXPECT_EQ(setup.accounts[0].long_login.password, "L");
  EXPECT_EQ(setup.accounts[0].utf8_login.password, "\xc3\xa4");
  EXPECT_TRUE(setup.accounts[1].utf8_login.empty());
  EXPECT_EQ(setup.accounts[1].fixtures->describe(), "maildir:/default/{user}");
  EXPECT_EQ(setup.accounts[1].address, "t2@example.org");
  EXPECT_FALSE(setup.accounts[1].disposable);
  EXPECT_EQ(setup.limits.read_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(setup.limits.scaled_read(), std::chrono::milliseconds(7500));
  EXPECT_EQ(setup.limits.scaled_limit(), std::chrono::seconds(90));

  o.timeout = 1;  // the command line wins
  EXPECT_EQ(resolve_setup(o, fake_env({})).limits.read_timeout, std::chrono::seconds(1));
  o.user = "u";
  EXPECT_THROW((void)resolve_setup(o, fake_env({})), usage_error);  // accounts twice
}

TEST(CliSetup, FactsFromTheConfigAndTheCommandLine) {
  temp_maildir dir;
  options o;
  o.config_file = dir.write_file("facts.json", R"({"server": "127.0.0.1", "facts": ["xtnd", "Cleartext-Refused"],
    "accounts": [{"user": "t1", "pass": "p1"}]})").string();
  o.facts = {"last"};
  EXPECT_EQ(resolve_setup(o, fake_env({})).where.facts,
            (std::vector<std::string>{"XTND", "CLEARTEXT-REFUSED", "LAST"}));
  options embedded;
  embedded.facts = {"privacy-mode"};  // the embedded server's run takes extra facts too
  EXPECT_EQ(resolve_setup(embedded, fake_env({})).where.facts, std::vector<std::string>{"PRIVACY-MODE"});
  embedded.client_cert = "cert.pem";  // a certificate without its key
  EXPECT_THROW((void)resolve_setup(embedded, fake_env({})), usage_error);
  embedded.client_key = "key.pem";
  EXPECT_EQ(resolve_setup(embedded, fake_env({})).where.client_key, "key.pem");
  for (const char* bad : {"FACT:XTND", "", "two words"}) {
    embedded.facts = {bad};
    EXPECT_THROW((void)resolve_setup(embedded, fake_env({})), usage_error) << bad;
  }
}

TEST(CliSetup, ConfigFileMistakesAreUsageErrors) {
  temp_maildir dir;
  options o;
  for (const char* text : {R"({"server": "h", "acounts": []})", R"({"server": 7})", R"({"accounts": [{"pass": "x"}]})",
                           R"({"tls": "maybe", "server": "h"})", R"({"timeouts": {"read": 0}})", "not json",
                           R"({"server": "h", "accounts": [{"user": "u", "fixtures": "ftp://x"}]})",
                           R"({"server": "h", "facts": "XTND"})",
                           R"({"server": "h", "accounts": [{"user": "u", "long_user": "u-long"}]})", R"({"server": "h", "facts": ["a b"]})"}) {
    o.config_file = dir.write_file("bad.json", text).string();
    EXPECT_THROW((void)resolve_setup(o, fake_env({})), usage_error) << text;
  }
}

}  // namespace
}  // namespace pop3::testing
