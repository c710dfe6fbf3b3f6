// Faults against RFC 1939's session rules: APOP, AUTHORIZATION, PASS, QUIT, UPDATE, autologout.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "broken_stores.hpp"
#include "fault_catalogue.hpp"
#include "fault_kit.hpp"
#include "pop3/protocol/auth.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;
using steady = std::chrono::steady_clock;

// True for the final answer of a login command: PASS, APOP, or the end of an AUTH exchange.
bool ends_login(const server_line& l) {
  if (l.k != kind::status || !l.answers) return false;
  const auto& k = l.answers->keyword;
  return k == "PASS" || k == "APOP" || k == "AUTH" || l.answers->sasl_response;
}

std::string password_of(const client_line& pass) {
  const auto sp = pass.text.find(' ');
  return sp == std::string::npos ? std::string() : pass.text.substr(sp + 1);
}

// Greets with the same APOP timestamp on every connection, and translates APOP digests made for
// it into digests for the upstream's real timestamp, so that APOP itself keeps working.
class fixed_timestamp final : public fault {
 public:
  static constexpr const char* fixed = "<1.1@pop3spec.mutation>";
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_server_line(const server_line& l, fault_actions& out) override {
    const auto ts = l.k == kind::greeting ? protocol::find_apop_timestamp(l.text) : std::nullopt;
    if (!ts) return fault::on_server_line(l, out);
    real_ = *ts;
    std::string greeting = l.text;
    greeting.replace(greeting.find(*ts), ts->size(), fixed);
    out.to_client(greeting);
  }
  void on_client_line(const client_line& c, fault_actions& out) override {
    const auto& secret = out.account().apop_secret;
    if (c.keyword == "APOP" && c.args.size() == 2 && c.args[1] == protocol::apop_digest(fixed, secret)) {
      out.forward("APOP " + c.args[0] + " " + protocol::apop_digest(real_, secret));
      return;
    }
    out.forward(c.raw);
  }

 private:
  std::string real_;
};

// Accepts an APOP digest already sent on an earlier connection (logging in with USER/PASS).
struct seen_digests {
  std::set<std::string> digests;
};
class replay_accepted final : public fault {
 public:
  explicit replay_accepted(std::shared_ptr<seen_digests> seen) : seen_(std::move(seen)) {}
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword == "APOP" && c.args.size() == 2 && c.args[0] == out.account().user) {
      if (seen_->digests.contains(c.args[1]) && !mine_.contains(c.args[1])) {
        out.inject("USER " + out.account().user);
        out.forward("PASS " + out.account().password);
        return;
      }
      seen_->digests.insert(c.args[1]);
      mine_.insert(c.args[1]);
    }
    out.forward(c.raw);
  }

 private:
  std::shared_ptr<seen_digests> seen_;
  std::set<std::string> mine_;
};

// After login, quietly marks message 1 deleted.
class marks_at_login final : public fault {
 public:
  void on_server_line(const server_line& l, fault_actions& out) override {
    fault::on_server_line(l, out);
    if (!l.injected && ends_login(l) && l.ok() && l.state == pop3_state::authorization) out.inject("DELE 1");
  }
};

// A connection whose login was rejected keeps the maildrop "locked" until it ends.
struct reject_holders {
  int open = 0;
};
class lock_kept_on_reject final : public fault {
 public:
  explicit lock_kept_on_reject(std::shared_ptr<reject_holders> holders) : holders_(std::move(holders)) {}
  ~lock_kept_on_reject() override {
    if (holding_) --holders_->open;
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && ends_login(l) && l.state == pop3_state::authorization) {
      if (l.err() && !holding_) {
        holding_ = true;
        ++holders_->open;
      } else if (l.ok() && !holding_ && holders_->open > 0) {
        out.to_client("-ERR [IN-USE] maildrop locked by another session");
        return;
      }
    }
    fault::on_server_line(l, out);
  }

 private:
  std::shared_ptr<reject_holders> holders_;
  bool holding_ = false;
};

// PASS with the right password gets +OK, but the upstream saw a wrong one: no TRANSACTION.
class pass_without_login final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    const bool right = c.keyword == "PASS" && password_of(c) == out.account().password;
    out.forward(right ? "PASS not-" + out.account().password : c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.status_of("PASS") && l.err() && password_of(*l.answers) == out.account().password) {
      out.to_client("+OK maildrop ready");
      return;
    }
    fault::on_server_line(l, out);
  }
};

// A session dropped in TRANSACTION is committed as if it had sent QUIT.
class update_on_drop final : public fault {
 public:
  void on_client_closed(pop3_state state, fault_actions& out) override {
    if (state == pop3_state::transaction) out.inject("QUIT");
    else out.close_server();
  }
};

// At QUIT, first lists the maildrop (on the fault's account) and deletes the last message
// listed, marked or not; then passes QUIT on.
class removes_one_more final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword != "QUIT" || c.state != pop3_state::transaction) return out.forward(c.raw);
    quit_ = c.raw;
    out.inject("LIST");
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected || !l.answers || l.answers->keyword != "LIST") return fault::on_server_line(l, out);
    if (l.k == kind::data) last_listed_ = std::string(word(l.text, 0));
    if (!l.last) return;
    if (!last_listed_.empty()) out.inject("DELE " + last_listed_);
    out.forward(quit_);
  }

 private:
  std::string quit_, last_listed_;
};

// An autologout on the proxy's clock: after `idle` without a client line, hang up; with
// commit, in TRANSACTION, send QUIT first (an autologout that enters UPDATE).
class early_autologout final : public fault {
 public:
  early_autologout(std::chrono::seconds idle, bool commit) : idle_(idle), commit_(commit) {}
  void on_client_line(const client_line& c, fault_actions&) override {
    last_ = steady::now();
    state_ = c.state;
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && ends_login(l) && l.ok()) state_ = pop3_state::transaction;
    fault::on_server_line(l, out);
  }
  void on_tick(steady::time_point now, fault_actions& out) override {
    if (fired_ || now - last_ < idle_) return;
    fired_ = true;
    if (commit_ && state_ == pop3_state::transaction) out.inject("QUIT");
    else out.close_server();
    out.close_client();
  }

 private:
  std::chrono::seconds idle_;
  bool commit_, fired_ = false;
  pop3_state state_ = pop3_state::authorization;
  steady::time_point last_ = steady::now();
};

replacement login_fails(const server_line& l) {
  if (l.injected || !ends_login(l) || !l.ok() || l.state != pop3_state::authorization) return std::nullopt;
  return std::vector<std::string>{"-ERR [AUTH] authentication failed"};
}

// Never answers QUIT sent in `state`, and keeps both connections open until the client leaves.
fault_factory mute_quit(pop3_state state) {
  return edit_commands([state](const client_line& c, const credentials&) -> replacement {
    if (c.keyword != "QUIT" || c.state != state) return std::nullopt;
    return std::vector<std::string>{};  // swallowed: no answer, no close
  });
}

}  // namespace

std::vector<fault_spec> rfc1939_session_faults() {
  std::vector<fault_spec> out;
  out.push_back({"rfc1939/apop/digest-accepted", "rejects every APOP login", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (!l.status_of("APOP")) return std::nullopt;
                   return login_fails(l);
                 })),
                 {}, {}});
  out.push_back({"rfc1939/apop/digest-rejected", "accepts APOP with any digest", "base",
                 stateless(edit_commands([](const client_line& c, const credentials& a) -> replacement {
                   if (c.keyword != "APOP" || c.arg(0) != a.user) return std::nullopt;
                   return std::vector<std::string>{"USER " + a.user, "PASS " + a.password};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/apop/replay-rejected", "accepts an APOP digest replayed on another connection", "base",
                 [] {
                   auto seen = std::make_shared<seen_digests>();
                   return fault_factory([seen] { return std::unique_ptr<fault>(new replay_accepted(seen)); });
                 },
                 {}, {}});
  out.push_back({"rfc1939/apop/timestamp-in-greeting", "leaves the APOP timestamp out of the greeting", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   const auto ts = l.k == kind::greeting ? protocol::find_apop_timestamp(l.text) : std::nullopt;
                   if (!ts) return std::nullopt;
                   std::string text = l.text;
                   text.erase(text.find(*ts), ts->size());
                   return std::vector<std::string>{text};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/apop/timestamp-unique", "greets every connection with the same APOP timestamp", "base",
                 stateless(each_connection<fixed_timestamp>()), {}, {}});
  out.push_back({"rfc1939/authorization/exclusive-access", "takes no maildrop lock: sessions share a maildrop", "base",
                 {}, [](const std::filesystem::path& root) { return make_lockless_store(root); }, {}});
  out.push_back({"rfc1939/authorization/no-messages-marked", "enters TRANSACTION with message 1 already marked deleted",
                 "base", stateless(each_connection<marks_at_login>()), {}, {}});
  out.push_back({"rfc1939/authorization/numbering", "numbers messages 1, 3, 4, ... in multi-line LIST", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::data || !l.answers || l.answers->keyword != "LIST" || word(l.text, 0) == "1")
                     return std::nullopt;
                   return std::vector<std::string>{replace_word(l.text, 0, add_to_number(word(l.text, 0), 1))};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/authorization/one-mechanism", "rejects every login, whatever the mechanism", "base",
                 stateless(edit_responses(login_fails)), {}, {}});
  out.push_back({"rfc1939/authorization/open-failure-err", "answers +OK when the maildrop is locked ([IN-USE])", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (!ends_login(l) || !l.err() || l.text.find("[IN-USE]") == std::string::npos) return std::nullopt;
                   return std::vector<std::string>{"+OK maildrop ready"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/authorization/release-lock-on-reject",
                 "keeps the maildrop locked after a rejected login until that connection ends", "base",
                 [] {
                   auto holders = std::make_shared<reject_holders>();
                   return fault_factory([holders] { return std::unique_ptr<fault>(new lock_kept_on_reject(holders)); });
                 },
                 {}, {}});
  out.push_back({"rfc1939/authorization/retry-after-failure",
                 "rejects every login on a connection after one failed authentication command", "base",
                 stateless(refuse_logins_after_failure(false)), {}, {}});
  out.push_back({"rfc1939/autologout/min-10-minutes", "hangs up after 5 idle minutes", "base",
                 stateless(each_connection<early_autologout>(std::chrono::seconds(300), false)), {}, {}});
  out.push_back({"rfc1939/autologout/no-update", "its autologout (after 10 idle minutes) commits like QUIT", "base",
                 stateless(each_connection<early_autologout>(std::chrono::seconds(600), true)), {},
                 [](refd::server_config& c, const upstream_files&) { c.autologout = std::chrono::minutes(30); }});
  out.push_back({"rfc1939/pass/login", "answers +OK to the right password but stays in AUTHORIZATION", "base",
                 stateless(each_connection<pass_without_login>()), {}, {}});
  out.push_back({"rfc1939/pass/wrong-password", "accepts any password", "base",
                 stateless(edit_commands([](const client_line& c, const credentials& a) -> replacement {
                   if (c.keyword != "PASS" || password_of(c) == a.password) return std::nullopt;
                   return std::vector<std::string>{"PASS " + a.password};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/quit/authorization", "answers QUIT in AUTHORIZATION with +OK but keeps the connection", "base",
                 stateless(answer_commands([](const client_line& c) -> replacement {
                   if (c.keyword != "QUIT" || c.state != pop3_state::authorization) return std::nullopt;
                   return std::vector<std::string>{"+OK bye"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/quit/authorization", "never answers QUIT in AUTHORIZATION and keeps the connection", "base",
                 stateless(mute_quit(pop3_state::authorization)), {}, {}});
  out.push_back({"rfc1939/update/abnormal-end-no-removal", "commits the deletions of a dropped session", "base",
                 stateless(each_connection<update_on_drop>()), {}, {}});
  out.push_back({"rfc1939/update/never-removes-unmarked", "at QUIT also removes the last message, marked or not",
                 "base", stateless(each_connection<removes_one_more>()), {}, {}});
  out.push_back({"rfc1939/update/releases-lock", "keeps the maildrop lock for 5 seconds after the session ends", "base",
                 {}, [](const std::filesystem::path& root) { return make_lingering_lock_store(root, std::chrono::seconds(5)); },
                 {}});
  out.push_back({"rfc1939/update/removes-marked", "unmarks everything before QUIT: nothing is removed", "base",
                 stateless(edit_commands([](const client_line& c, const credentials&) -> replacement {
                   if (c.keyword != "QUIT" || c.state != pop3_state::transaction) return std::nullopt;
                   return std::vector<std::string>{"RSET", "QUIT"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/update/reply-and-close", "answers QUIT in TRANSACTION but keeps the connection open", "base",
                 stateless(keep_open_after_quit(pop3_state::transaction)), {}, {}});
  out.push_back({"rfc1939/update/reply-and-close", "never answers QUIT in TRANSACTION and keeps the connection open",
                 "base", stateless(mute_quit(pop3_state::transaction)), {}, {}});
  return out;
}

}  // namespace pop3::mutation
