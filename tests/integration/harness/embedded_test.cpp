// The embedded reference server as pop3spec's default target: reachable over plain TCP, STLS and
// implicit TLS with its generated certificate, provisioned through its Maildirs, and tidy.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "fake_server.hpp"
#include "harness_test_support.hpp"
#include "pop3/harness/net/certificate.hpp"
#include "pop3/harness/net/embedded_server.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using harness::embedded_server;
using harness::tls_mode;
using reports::verdict;

TEST(HarnessEmbedded, ProbeLogsInOverPlainStlsAndImplicitTls) {
  embedded_server server(2);
  ASSERT_EQ(server.accounts().size(), 2u);
  EXPECT_EQ(server.accounts()[1].user, "alice2");
  // Each account has its RFC 4616 logins: a 255-octet password, and a non-ASCII UTF-8 one.
  const auto& a = server.accounts()[1];
  EXPECT_EQ(a.long_login.password.size(), 255u);
  EXPECT_EQ(a.long_login.user.substr(0, 12), "alice2-long-");
  EXPECT_EQ(a.utf8_login.user, "alice2-utf8");
  EXPECT_EQ(a.utf8_login.password.substr(0, 14), "p\xc3\xa4ssw\xc3\xb6rd-\xc5\x9d-");
  for (const auto mode : {tls_mode::none, tls_mode::stls, tls_mode::implicit}) {
    const auto caps = harness::probe_account(server.target_for(mode), server.accounts()[0], quick(5s));
    EXPECT_TRUE(caps.logged_in) << static_cast<int>(mode);
    EXPECT_TRUE(caps.before_login.has("USER")) << static_cast<int>(mode);
    EXPECT_EQ(caps.before_login.has("STLS"), mode != tls_mode::implicit) << static_cast<int>(mode);
    EXPECT_TRUE(caps.after_login.has("UIDL")) << static_cast<int>(mode);
    // pop3refd implements XTND and LAST, which no CAPA tag announces: probes of them must fail.
    EXPECT_EQ(server.target_for(mode).facts, (std::vector<std::string>{"XTND", "LAST", "APOP"}));
  }
}

TEST(HarnessEmbedded, VariantsServeTheConfigurationsScenariosRequire) {
  auto variant_of = [](const std::string& requires_line) {
    const auto s = parse_valid("id: t/x\nrules: r/a\nlevel: MUST\nrequires: " + requires_line + "\nC: NOOP\nS: +OK\n");
    const auto* v = harness::embedded_variant_for(s);
    return v ? v->name : std::string("default");
  };
  EXPECT_EQ(variant_of("USER expire=0"), "EXPIRE 0");
  EXPECT_EQ(variant_of("LOGIN-DELAY=5"), "LOGIN-DELAY 5");
  EXPECT_EQ(variant_of("STLS fact:cleartext-refused"), "cleartext logins refused before TLS");
  EXPECT_EQ(variant_of("EXPIRE"), "default");
  EXPECT_EQ(variant_of("!EXPIRE=0"), "default");
  EXPECT_EQ(variant_of("LOGIN-DELAY=900"), "default");
  EXPECT_EQ(variant_of("FACT:TLS-ON-CONNECT"), "implicit TLS");
  const auto apop = parse_valid("id: rfc1939/apop/not-with-pass\nrules: r/a\nlevel: SHOULD\nC: NOOP\nS: +OK\n");
  ASSERT_NE(harness::embedded_variant_for(apop), nullptr);
  EXPECT_EQ(harness::embedded_variant_for(apop)->name, "APOP-only accounts");

  // A variant's server really has its configuration: LOGIN-DELAY 5 in CAPA, a refused second login.
  const auto& delay = harness::embedded_variants().front();
  ASSERT_EQ(delay.name, "LOGIN-DELAY 5");
  embedded_server server(1, delay.adjust);
  const auto caps = harness::probe_account(server.target_for(tls_mode::none), server.accounts()[0], quick(5s));
  const auto* login_delay = caps.before_login.find("LOGIN-DELAY");
  ASSERT_NE(login_delay, nullptr);
  EXPECT_EQ(login_delay->params, std::vector<std::string>{"5"});
}

TEST(HarnessEmbedded, WrongCertificateAuthorityIsRefused) {
  embedded_server server(1);
  temp_maildir other;
  const auto foreign = harness::generate_self_signed_certificate(other.base());
  auto where = server.target_for(tls_mode::implicit);
  where.ca_file = foreign.cert.string();
  EXPECT_THROW((void)harness::probe_account(where, server.accounts()[0], quick(5s)), harness::unreachable_error);
  where.insecure = true;
  EXPECT_TRUE(harness::probe_account(where, server.accounts()[0], quick(5s)).logged_in);
}

TEST(HarnessEmbedded, TempDirectoryIsRemoved) {
  fs::path root;
  {
    embedded_server server(1);
    root = server.root();
    EXPECT_TRUE(fs::exists(root / "cert.pem"));
    EXPECT_TRUE(fs::is_directory(root / "maildirs" / "alice1"));
  }
  EXPECT_FALSE(fs::exists(root));
}

TEST(HarnessEmbedded, ExampleScenariosPass) {
  const fs::path examples = fs::path(POP3SPEC_SOURCE_DIR) / "scenarios" / "examples";
  ASSERT_TRUE(fs::is_directory(examples)) << examples;
  embedded_server server(1);
  harness::runner run(server.target_for(tls_mode::none), server.accounts(), quick(5s), 1);
  run.probe_all();
  std::vector<harness::scenario> parsed;
  for (const auto& entry : fs::recursive_directory_iterator(examples)) {
    if (entry.path().extension() != harness::scenario_extension) continue;
    auto result = harness::parse_scenario_file(entry.path());
    ASSERT_TRUE(result.ok()) << entry.path() << ": " << result.diagnostics.front().to_string();
    parsed.push_back(std::move(result.value));
  }
  ASSERT_FALSE(parsed.empty());
  std::vector<const harness::scenario*> chosen;
  for (const auto& s : parsed) chosen.push_back(&s);
  std::size_t passed = 0;
  for (const auto& r : run.run(chosen, {})) {
    EXPECT_TRUE(r.outcome == verdict::pass || r.outcome == verdict::skip)
        << r.id << ": " << reports::to_string(r.outcome) << ": " << r.message << "\n" << transcript_of(r);
    passed += r.outcome == verdict::pass;
  }
  EXPECT_GT(passed, parsed.size() / 2) << "most examples should run against the reference server";
}

TEST(HarnessEmbedded, ParallelJobsProvisionTheirOwnAccounts) {
  embedded_server server(3);
  harness::runner run(server.target_for(tls_mode::none), server.accounts(), quick(5s), 3);
  EXPECT_EQ(run.effective_jobs(), 3u);
  run.probe_all();
  std::vector<harness::scenario> parsed;
  for (int i = 0; i < 9; ++i) {
    parsed.push_back(parse_valid("id: embedded/dele-" + std::to_string(i) + R"(
rules: rfc1939/dele/commit
level: MUST
state: transaction
mailbox: 2 messages
destructive: yes

C: STAT
S: +OK 2 *
C: DELE 1
S: +OK ...
C: QUIT
S: +OK ...
)"));
  }
  std::vector<const harness::scenario*> chosen;
  for (const auto& s : parsed) chosen.push_back(&s);
  std::size_t callbacks = 0;
  const auto results = run.run(chosen, [&](const reports::scenario_result&) { ++callbacks; });
  EXPECT_EQ(callbacks, 9u);
  ASSERT_EQ(results.size(), 9u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].id, "embedded/dele-" + std::to_string(i));  // in the order given
    EXPECT_EQ(results[i].outcome, verdict::pass) << results[i].message << "\n" << transcript_of(results[i]);
  }
}

TEST(HarnessEmbedded, DeliverStepGoesThroughTheAdapter) {
  temp_maildir dir;
  dir.write_file("new.eml", "Subject: late\r\n\r\narrived mid-scenario\r\n");
  const auto file = dir.write_file("deliver.pop3", R"(id: embedded/deliver
rules: rfc1939/stat/count
level: MUST
state: authorization
mailbox: 1 message
destructive: yes

C: USER $user
S: +OK ...
C: PASS $password
S: +OK ...
C: STAT
S: +OK 1 *
C: QUIT
S: +OK ...
deliver: new.eml
)");
  auto parsed = harness::parse_scenario_file(file);
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.front().to_string();
  embedded_server server(1);
  harness::account_context who{server.accounts()[0], {}, {}};
  who.caps = harness::probe_account(server.target_for(tls_mode::none), who.acct, quick(5s));
  const auto r = harness::run_scenario(parsed.value, server.target_for(tls_mode::none), who, quick(5s));
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
  std::size_t files = 0;
  for (const char* sub : {"new", "cur"}) {
    for (const auto& e : fs::directory_iterator(server.root() / "maildirs" / "alice1" / sub)) files += e.is_regular_file();
  }
  EXPECT_EQ(files, 2u);
}

// An MTA that queues: it accepts the message, and puts it into the Maildir only after QUIT.
fake_server::script queueing_mta(std::shared_ptr<harness::fixture_adapter> mailbox) {
  return [mailbox](fake_peer& peer) {
    peer.send("220 fake ESMTP\r\n");
    std::string message;
    bool in_data = false;
    while (auto line = peer.read_line(5s)) {
      if (in_data) {
        if (*line == ".") {
          in_data = false;
          peer.send("250 queued\r\n");
        } else {
          message += (line->starts_with("..") ? line->substr(1) : *line) + "\r\n";
        }
      } else if (*line == "DATA") {
        in_data = true;
        peer.send("354 go\r\n");
      } else if (*line == "QUIT") {
        peer.send("221 bye\r\n");
        std::this_thread::sleep_for(300ms);
        mailbox->deliver(harness::mailbox_owner{"alice1", ""}, message);
        return;
      } else {
        peer.send(line->starts_with("EHLO") ? "250-fake\r\n250 OK\r\n" : "250 ok\r\n");
      }
    }
  };
}

TEST(HarnessEmbedded, SmtpFixturesEmptyTheMailboxOverPop3OnlyWhenDisposable) {
  embedded_server server(1);
  auto maildir = harness::make_fixture_adapter("maildir:" + (server.root() / "maildirs" / "{user}").string(), 5s);
  for (int i = 0; i < 3; ++i) maildir->deliver(harness::mailbox_owner{"alice1", ""}, "Subject: old\r\n\r\nold\r\n");
  fake_server mta(queueing_mta(maildir));
  const auto scenario = parse_valid(R"(id: embedded/smtp-fixture
rules: rfc1939/stat/count
level: MUST
state: transaction
mailbox: 2 messages

C: STAT
S: +OK 2 *
)");
  harness::account_context who{server.accounts()[0], {}, {}};
  who.acct.fixtures = harness::make_fixture_adapter("smtp://127.0.0.1:" + std::to_string(mta.port()), 5s);
  const auto where = server.target_for(tls_mode::none);
  who.caps = harness::probe_account(where, who.acct, quick(5s));

  who.acct.disposable = false;
  const auto refused = harness::run_scenario(scenario, where, who, quick(5s));
  EXPECT_EQ(refused.outcome, verdict::skip);
  EXPECT_NE(refused.message.find("--allow-destructive"), std::string::npos) << refused.message;

  who.acct.disposable = true;
  const auto r = harness::run_scenario(scenario, where, who, quick(5s));
  EXPECT_EQ(r.outcome, verdict::pass) << r.message << "\n" << transcript_of(r);
}

// A fixture the store cannot hold (a headers-only message in an mbox as MDAs write it) skips its
// scenario with the reason, before anything is written or sent: neither an error of the run nor a
// failure of the server. The messages of deliver: steps are judged the same way.
TEST(HarnessEmbedded, AFixtureTheStoreCannotHoldSkipsTheScenarioWithTheReason) {
  embedded_server server(1);
  temp_maildir dir;
  auto scenario = parse_valid(R"(id: embedded/unrepresentable
rules: rfc1939/list/exact-size
level: MUST
state: transaction
mailbox: 1 messages

C: LIST 1
S: +OK 1 *
)");
  const std::string headers_only = "From: a@example.org\r\nSubject: no body\r\n";
  scenario.mailbox.k = harness::mailbox_fixture::kind::files;
  scenario.mailbox.files = {{"fixtures/headers-only.eml", headers_only}};
  harness::account_context who{server.accounts()[0], {}, {}};
  const auto mbox = dir.base() / "alice1.mbox";
  who.acct.fixtures = harness::make_fixture_adapter("mbox:" + mbox.string(), 5s);
  const auto where = server.target_for(tls_mode::none);
  const std::string why = ": mbox cannot represent a message without a header/body separator";

  const auto r = harness::run_scenario(scenario, where, who, quick(5s));
  EXPECT_EQ(r.outcome, verdict::skip) << r.message;
  EXPECT_EQ(r.message, "the fixture fixtures/headers-only.eml cannot be stored through mbox:" + mbox.string() + why);
  EXPECT_TRUE(r.transcript.empty());
  EXPECT_FALSE(fs::exists(mbox));

  scenario.mailbox = {};
  scenario.steps.insert(scenario.steps.begin(), harness::step{{}, "", "", harness::deliver_step{"late.eml", headers_only}});
  const auto delivered = harness::run_scenario(scenario, where, who, quick(5s));
  EXPECT_EQ(delivered.outcome, verdict::skip) << delivered.message;
  EXPECT_EQ(delivered.message, "the fixture late.eml cannot be stored through mbox:" + mbox.string() + why);
  EXPECT_FALSE(fs::exists(mbox));
}

TEST(HarnessCertificate, GeneratesAKeyOnlyTheOwnerCanRead) {
  temp_maildir dir;
  const auto files = harness::generate_self_signed_certificate(dir.base());
  std::ifstream cert(files.cert);
  std::string first_line;
  std::getline(cert, first_line);
  EXPECT_EQ(first_line, "-----BEGIN CERTIFICATE-----");
  struct stat info {};
  ASSERT_EQ(::stat(files.key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace pop3::testing
