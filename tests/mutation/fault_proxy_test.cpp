// fault_proxy over real sockets, in front of an in-process pop3refd: transparent by default, a
// fault changes exactly what it says, STLS passes through end to end, and stop() never hangs.
#include "fault_proxy.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "broken_stores.hpp"
#include "fault_kit.hpp"
#include "pop3/testing/loopback_client.hpp"
#include "pop3/testing/refd_instance.hpp"

namespace pop3::mutation {
namespace {

using testing::alice;
using testing::loopback_client;
using testing::refd_instance;

const credentials account{alice.name, alice.password, alice.apop_secret};

fault_factory transparent() {
  return [] { return std::make_unique<fault>(); };
}

void login(loopback_client& c) {
  ASSERT_EQ(c.read_line().substr(0, 3), "+OK");
  ASSERT_EQ(c.command("USER alice").substr(0, 3), "+OK");
  ASSERT_EQ(c.command("PASS alice-pass").substr(0, 3), "+OK");
}

TEST(FaultProxy, TransparentSessionIsUnchanged) {
  refd_instance refd;
  refd.maildir().deliver("alice", "Subject: a\r\n\r\n.hidden dot\r\n");
  fault_proxy proxy(refd.port(), account, transparent());
  loopback_client c(proxy.port());
  login(c);
  EXPECT_EQ(c.command("STAT").substr(0, 5), "+OK 1");
  c.send("RETR 1\r\n");
  EXPECT_EQ(c.read_line().substr(0, 3), "+OK");
  EXPECT_EQ(c.read_multiline(), "Subject: a\r\n\r\n..hidden dot\r\n.\r\n");
  c.send("NOOP\r\nNOOP\r\n");  // a pipelined batch
  EXPECT_EQ(c.read_line().substr(0, 3), "+OK");
  EXPECT_EQ(c.read_line().substr(0, 3), "+OK");
  EXPECT_EQ(c.command("QUIT").substr(0, 3), "+OK");
  c.read_until_closed();
  EXPECT_TRUE(c.peer_closed());
}

TEST(FaultProxy, FaultChangesOnlyWhatItTargets) {
  refd_instance refd;
  fault_proxy proxy(refd.port(), account, edit_responses([](const server_line& l) -> replacement {
                      if (!l.status_of("STAT") || !l.ok()) return std::nullopt;
                      return std::vector<std::string>{"+ok" + l.text.substr(3)};
                    }));
  loopback_client c(proxy.port());
  login(c);
  EXPECT_EQ(c.command("STAT").substr(0, 3), "+ok");
  EXPECT_EQ(c.command("NOOP").substr(0, 3), "+OK");
}

TEST(FaultProxy, StlsRunsEndToEnd) {
  refd_instance refd;
  fault_proxy proxy(refd.port(), account, transparent());
  loopback_client c(proxy.port());
  ASSERT_EQ(c.read_line().substr(0, 3), "+OK");
  ASSERT_EQ(c.command("STLS").substr(0, 3), "+OK");
  c.start_tls(testing::test_cert_file());
  EXPECT_EQ(c.command("USER alice").substr(0, 3), "+OK");
}

TEST(FaultProxy, ClientDropEndsTheUpstreamSession) {
  refd_instance refd;
  refd.maildir().deliver("alice", "Subject: a\r\n\r\nbody\r\n");
  fault_proxy proxy(refd.port(), account, transparent());
  {
    loopback_client c(proxy.port());
    login(c);
    EXPECT_EQ(c.command("DELE 1").substr(0, 3), "+OK");
    c.abort();
  }
  // The lock goes with the upstream session (as soon as the proxy has passed the drop on):
  // a new login works, and nothing was deleted.
  for (int attempt = 0;; ++attempt) {
    loopback_client again(proxy.port());
    ASSERT_EQ(again.read_line().substr(0, 3), "+OK");
    ASSERT_EQ(again.command("USER alice").substr(0, 3), "+OK");
    if (again.command("PASS alice-pass").starts_with("+OK")) {
      EXPECT_EQ(again.command("STAT").substr(0, 5), "+OK 1");
      break;
    }
    ASSERT_LT(attempt, 50) << "the dropped session kept the maildrop locked";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST(FaultProxy, StopWithOpenConnectionsReturns) {
  refd_instance refd;
  auto proxy = std::make_unique<fault_proxy>(refd.port(), account, transparent());
  loopback_client c(proxy->port());
  ASSERT_EQ(c.read_line().substr(0, 3), "+OK");
  proxy->stop();
  c.read_until_closed();
  EXPECT_TRUE(c.peer_closed());
}

TEST(BrokenStores, LingeringLockHoldsAfterRelease) {
  testing::temp_maildir dir;
  dir.create_user("alice");
  const auto store = make_lingering_lock_store(dir.root(), std::chrono::milliseconds(300));
  refd::store_errc err{};
  auto first = store->try_lock("alice", err);
  ASSERT_TRUE(first);
  first.reset();
  EXPECT_FALSE(store->try_lock("alice", err));
  EXPECT_EQ(err, refd::store_errc::in_use);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(store->try_lock("alice", err));
}

TEST(BrokenStores, LocklessStoreLetsEveryoneIn) {
  testing::temp_maildir dir;
  const auto store = make_lockless_store(dir.root());
  refd::store_errc err{};
  const auto first = store->try_lock("alice", err);
  const auto second = store->try_lock("alice", err);
  EXPECT_TRUE(first && second);
}

}  // namespace
}  // namespace pop3::mutation
