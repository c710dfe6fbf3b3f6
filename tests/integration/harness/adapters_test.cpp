// Fixture adapters: what lands in the Maildir / mbox / script / MTA, and how failures show.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "fake_server.hpp"
#include "pop3/harness/net/fixture_adapter.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using harness::fixture_error;
using harness::make_fixture_adapter;
using harness::mailbox_owner;

const mailbox_owner alice{"alice", ""};
const std::string first = "Subject: one\r\n\r\nFrom the start\r\n.\r\n..two\r\n";
const std::string second = "Subject: two\r\n\r\nbody\r\n";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MaildirAdapter, ReplaceLeavesExactlyTheMessagesInOrder) {
  temp_maildir dir;
  dir.deliver("alice", "Subject: old\r\n\r\nold\r\n");
  const auto maildir = dir.maildir("alice");
  fs::create_directories(maildir / "cur");
  std::ofstream(maildir / "cur" / "1.old:2,S") << "Subject: seen\n\nseen\n";
  std::ofstream(maildir / "pop3refd-uidlist") << "kept";

  auto adapter = make_fixture_adapter("maildir:" + (dir.root() / "{user}").string(), 5s);
  EXPECT_TRUE(adapter->can_clear());
  const std::vector<std::string> messages{first, second};
  adapter->replace(alice, messages);

  EXPECT_TRUE(files_in(maildir / "cur").empty());
  EXPECT_TRUE(files_in(maildir / "tmp").empty());
  const auto delivered = files_in(maildir / "new");
  ASSERT_EQ(delivered.size(), 2u);
  // Maildir stores LF line ends; the name order is the delivery order.
  EXPECT_EQ(read_file(delivered[0]), "Subject: one\n\nFrom the start\n.\n..two\n");
  EXPECT_EQ(read_file(delivered[1]), "Subject: two\n\nbody\n");
  EXPECT_EQ(read_file(maildir / "pop3refd-uidlist"), "kept");  // the server's own files stay
}

// A server process still finishing an earlier session renames messages while the next scenario
// provisions the mailbox (Courier marks a retrieved message seen, X:2, -> X:2,S, after sending
// it). A file renamed between the adapter's listing and its unlink must not survive.
TEST(MaildirAdapter, ReplaceRemovesMessagesRenamedWhileItSweeps) {
  temp_maildir dir;
  const auto maildir = dir.maildir("alice");
  fs::create_directories(maildir / "cur");
  fs::create_directories(maildir / "new");
  constexpr int old_messages = 400;
  for (int i = 0; i < old_messages; ++i) {
    std::ofstream(maildir / "cur" / (std::to_string(i) + ".old:2,")) << "Subject: old\n\nold\n";
    std::ofstream(maildir / "new" / (std::to_string(i) + ".new")) << "Subject: new\n\nnew\n";
  }
  std::atomic<bool> go{false};
  std::thread lingering_server([&] {
    while (!go.load()) std::this_thread::yield();
    // Each old message is renamed once, as a server marks it seen or moves it to cur/.
    for (int i = 0; i < old_messages; ++i) {
      const auto name = std::to_string(i);
      std::error_code ignored;
      fs::rename(maildir / "cur" / (name + ".old:2,"), maildir / "cur" / (name + ".old:2,S"), ignored);
      fs::rename(maildir / "new" / (name + ".new"), maildir / "cur" / (name + ".new:2,"), ignored);
    }
  });
  auto adapter = make_fixture_adapter("maildir:" + maildir.string(), 5s);
  const std::vector<std::string> messages{first};
  go = true;
  adapter->replace(alice, messages);
  lingering_server.join();
  // Whatever the thread renamed after the adapter's last sweep found nothing it could still rename.
  EXPECT_TRUE(files_in(maildir / "cur").empty()) << files_in(maildir / "cur").size() << " old messages survived";
  const auto delivered = files_in(maildir / "new");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(read_file(delivered[0]), "Subject: one\n\nFrom the start\n.\n..two\n");
}

TEST(MaildirAdapter, DeliverAddsAfterTheOthersWithUniqueNames) {
  temp_maildir dir;
  auto adapter = make_fixture_adapter("maildir:" + dir.maildir("alice").string(), 5s);
  for (int i = 0; i < 50; ++i) adapter->deliver(alice, "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n");
  const auto delivered = files_in(dir.maildir("alice") / "new");
  ASSERT_EQ(delivered.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(read_file(delivered[static_cast<std::size_t>(i)]), "Subject: " + std::to_string(i) + "\n\nx\n");
  EXPECT_EQ(delivered.front().filename().string().find(':'), std::string::npos);
}

TEST(MaildirAdapter, UnwritablePathIsAFixtureError) {
  auto adapter = make_fixture_adapter("maildir:/proc/pop3spec-no-such/{user}", 5s);
  EXPECT_THROW(adapter->deliver(alice, first), fixture_error);
}

TEST(MboxAdapter, WritesFromLinesAndQuotesFromInBodies) {
  temp_maildir dir;
  const auto path = dir.base() / "alice.mbox";
  auto adapter = make_fixture_adapter("mbox:" + (dir.base() / "{user}.mbox").string(), 5s);
  std::ofstream(path) << "From old@example Mon Jan  1 00:00:00 2024\nSubject: old\n\nold\n\n";
  const std::vector<std::string> messages{"Subject: q\r\n\r\nFrom here\r\n>From there\r\nFromage\r\n", second};
  adapter->replace(alice, messages);
  const auto text = read_file(path);
  EXPECT_EQ(text.find("Subject: old"), std::string::npos) << text;
  EXPECT_NE(text.find("\n>From here\n>>From there\nFromage\n"), std::string::npos) << text;
  EXPECT_TRUE(text.starts_with("From pop3spec@localhost ")) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);

  adapter->deliver(alice, "Subject: three\r\n\r\n3\r\n");
  const auto appended = read_file(path);
  EXPECT_TRUE(appended.starts_with(text));
  EXPECT_NE(appended.find("\n\nFrom pop3spec@localhost ", text.size() - 2), std::string::npos);
  EXPECT_TRUE(appended.ends_with("Subject: three\n\n3\n\n"));
}

// What local delivery writes (an empty line after each message) cannot hold a message with no
// empty line of its own: a reader would take the appended line as its header/body separator.
TEST(MboxAdapter, AHeadersOnlyMessageIsUnrepresentableAndNothingIsWritten) {
  temp_maildir dir;
  const auto path = dir.base() / "alice.mbox";
  auto adapter = make_fixture_adapter("mbox:" + (dir.base() / "{user}.mbox").string(), 5s);
  const std::string headers_only = "From: a@example.org\r\nSubject: no body\r\n";
  EXPECT_EQ(adapter->unrepresentable(headers_only), "mbox cannot represent a message without a header/body separator");
  EXPECT_EQ(adapter->unrepresentable(second), "");
  EXPECT_EQ(adapter->unrepresentable("\r\nbody only\r\n"), "");  // an empty header is still separated
  const std::vector<std::string> messages{second, headers_only};
  EXPECT_THROW(adapter->replace(alice, messages), harness::fixture_unrepresentable);
  EXPECT_THROW(adapter->deliver(alice, headers_only), harness::fixture_unrepresentable);
  EXPECT_FALSE(fs::exists(path));
}

// Solid POP3's dialect: no empty line after a message (Solid serves it as message content), so a
// headers-only message is stored exactly.
TEST(MboxAdapter, NoBlankDialectLeavesOutTheEmptyLineAndHoldsHeadersOnlyMessages) {
  temp_maildir dir;
  const auto path = dir.base() / "alice.mbox";
  auto adapter = make_fixture_adapter("mbox-no-blank:" + (dir.base() / "{user}.mbox").string(), 5s);
  EXPECT_TRUE(adapter->describe().starts_with("mbox-no-blank:"));
  const std::string headers_only = "From: a@example.org\r\nSubject: no body\r\n";
  EXPECT_EQ(adapter->unrepresentable(headers_only), "");
  const std::vector<std::string> messages{headers_only, "Subject: q\r\n\r\nFrom here\r\n"};
  adapter->replace(alice, messages);
  adapter->deliver(alice, second);
  const auto text = read_file(path);
  EXPECT_NE(text.find("\nFrom: a@example.org\nSubject: no body\nFrom pop3spec@localhost "), std::string::npos) << text;
  EXPECT_NE(text.find("\n>From here\nFrom pop3spec@localhost "), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\nSubject: two\n\nbody\n")) << text;
  EXPECT_EQ(text.find("\n\nFrom "), std::string::npos) << text;
}

TEST(ExecAdapter, PassesUserActionAndMessage) {
  temp_maildir dir;
  const auto log = dir.base() / "log";
  auto adapter = make_fixture_adapter(
      "exec:printf '%s %s ' \"$POP3SPEC_USER\" \"$POP3SPEC_ACTION\" >> " + log.string() + " && cat >> " + log.string(),
      5s);
  const std::vector<std::string> messages{"M1\r\n", "M2\r\n"};
  adapter->replace(alice, messages);
  EXPECT_EQ(read_file(log), "alice clear alice deliver M1\r\nalice deliver M2\r\n");
}

TEST(ExecAdapter, FailureStatusAndOutputAreReported) {
  auto adapter = make_fixture_adapter("exec:echo no mailbox for $POP3SPEC_USER >&2; exit 7", 5s);
  try {
    adapter->deliver(alice, first);
    FAIL() << "no fixture_error";
  } catch (const fixture_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("status 7"), std::string::npos) << what;
    EXPECT_NE(what.find("no mailbox for alice"), std::string::npos) << what;
  }
}

TEST(ExecAdapter, ScriptThatNeverEndsIsKilledAtTheTimeout) {
  auto adapter = make_fixture_adapter("exec:sleep 30", 300ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(adapter->deliver(alice, std::string(1 << 20, 'x')), fixture_error);  // stdin never read
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(ExecAdapter, ScriptThatIgnoresStdinDoesNotKillTheHarness) {
  auto adapter = make_fixture_adapter("exec:exit 0", 5s);
  EXPECT_NO_THROW(adapter->deliver(alice, std::string(4 << 20, 'x')));  // SIGPIPE must not escape
}

// A minimal SMTP/LMTP server recording the dialogue.
struct recording_mta {
  std::mutex mutex;
  std::vector<std::string> commands;
  std::string data;

  fake_server::script script(bool lmtp, std::string rcpt_reply = "250 ok") {
    return [this, lmtp, rcpt_reply](fake_peer& peer) {
      peer.send("220 fake ESMTP\r\n");
      bool in_data = false;
      while (auto line = peer.read_line(5s)) {
        const std::scoped_lock lock(mutex);
        if (in_data) {
          if (*line == ".") {
            in_data = false;
            peer.send("250 queued\r\n");
          } else {
            data += *line + "\n";
          }
          continue;
        }
        commands.push_back(*line);
        if (line->starts_with(lmtp ? "LHLO" : "EHLO")) peer.send("250-fake\r\n250 PIPELINING\r\n");
        else if (line->starts_with("RCPT")) peer.send(rcpt_reply + "\r\n");
        else if (*line == "DATA") {
          in_data = true;
          peer.send("354 go\r\n");
        } else if (*line == "QUIT") {
          peer.send("221 bye\r\n");
          return;
        } else {
          peer.send("250 ok\r\n");
        }
      }
    };
  }
};

TEST(MailTransferAdapter, SmtpDialogueWithDotStuffing) {
  recording_mta mta;
  fake_server server(mta.script(false));
  auto adapter = make_fixture_adapter("smtp://127.0.0.1:" + std::to_string(server.port()), 5s);
  EXPECT_FALSE(adapter->can_clear());
  adapter->deliver(alice, first);
  const std::scoped_lock lock(mta.mutex);
  const std::vector<std::string> expected{"EHLO pop3spec.localhost", "MAIL FROM:<pop3spec@localhost>",
                                          "RCPT TO:<alice@localhost>", "DATA", "QUIT"};
  EXPECT_EQ(mta.commands, expected);
  // On the wire the "." line is "..", "..two" is "...two"; the fake keeps the stuffed form.
  EXPECT_EQ(mta.data, "Subject: one\n\nFrom the start\n..\n...two\n");
}

TEST(MailTransferAdapter, LmtpUsesLhloAndTheAccountAddress) {
  recording_mta mta;
  fake_server server(mta.script(true));
  auto adapter = make_fixture_adapter("lmtp://127.0.0.1:" + std::to_string(server.port()), 5s);
  adapter->deliver(mailbox_owner{"alice", "alice@example.org"}, second);
  const std::scoped_lock lock(mta.mutex);
  ASSERT_GE(mta.commands.size(), 3u);
  EXPECT_EQ(mta.commands[0], "LHLO pop3spec.localhost");
  EXPECT_EQ(mta.commands[2], "RCPT TO:<alice@example.org>");
}

TEST(MailTransferAdapter, RefusedRecipientIsAFixtureErrorWithTheReply) {
  recording_mta mta;
  fake_server server(mta.script(false, "550 5.1.1 no such user"));
  auto adapter = make_fixture_adapter("smtp://127.0.0.1:" + std::to_string(server.port()), 5s);
  try {
    adapter->deliver(alice, first);
    FAIL() << "no fixture_error";
  } catch (const fixture_error& e) {
    EXPECT_NE(std::string(e.what()).find("550 5.1.1 no such user"), std::string::npos) << e.what();
  }
}

TEST(MailTransferAdapter, CannotReplace) {
  auto adapter = make_fixture_adapter("smtp://127.0.0.1:25", 1s);
  const std::vector<std::string> none;
  EXPECT_THROW(adapter->replace(alice, none), fixture_error);
}

TEST(MailTransferAdapter, SilentMtaTimesOut) {
  fake_server server([](fake_peer& peer) { peer.read_line(30s); });
  auto adapter = make_fixture_adapter("smtp://127.0.0.1:" + std::to_string(server.port()), 300ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(adapter->deliver(alice, first), fixture_error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(FixtureAdapterSpec, BadSpecsAreRejectedWithTheForms) {
  for (const char* spec : {"", "maildir:", "ftp://x", "smtp://host:0", "smtp://host:99999", "smtp://:25"}) {
    EXPECT_THROW((void)make_fixture_adapter(spec, 1s), std::invalid_argument) << spec;
  }
  try {
    (void)make_fixture_adapter("nfs:/x", 1s);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("maildir:PATH"), std::string::npos);
  }
  EXPECT_EQ(make_fixture_adapter("lmtp://[::1]", 1s)->describe(), "lmtp://::1:24");
  EXPECT_EQ(harness::expand_user("/m/{user}/Maildir/{user}", "bob"), "/m/bob/Maildir/bob");
}

}  // namespace
}  // namespace pop3::testing
