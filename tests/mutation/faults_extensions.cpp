// Faults against the extensions pop3refd implements behind switches (profile "extensions"):
// SLEEPING (SLEE/WAKE), CORE, DELI, UID-PARAM, XTND and LAST.
#include <algorithm>
#include <set>

#include "fault_catalogue.hpp"
#include "broken_stores.hpp"
#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;

// After +OK to `keyword`, quietly marks message 1 deleted (a new session that is not fresh).
class marks_after final : public fault {
 public:
  explicit marks_after(std::string keyword) : keyword_(std::move(keyword)) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    fault::on_server_line(l, out);
    if (!l.injected && l.status_of(keyword_) && l.ok()) out.inject("DELE 1");
  }

 private:
  std::string keyword_;
};

// Hangs up right after answering `keyword` (after +OK, or after -ERR).
class hangs_up_after final : public fault {
 public:
  hangs_up_after(std::vector<std::string> keywords, bool after_ok) : keywords_(std::move(keywords)), after_ok_(after_ok) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    fault::on_server_line(l, out);
    const bool named = l.answers && std::find(keywords_.begin(), keywords_.end(), l.answers->keyword) != keywords_.end();
    if (!l.injected && l.k == kind::status && named && (after_ok_ ? l.ok() : l.err())) {
      out.close_client();
      out.close_server();
    }
  }

 private:
  std::vector<std::string> keywords_;
  bool after_ok_;
};

// Once WAKE failed on a connection, every later WAKE on it is refused.
class wake_once final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword == "WAKE" && failed_) out.to_client("-ERR [IN-USE] WAKE cannot be retried");
    else out.forward(c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.status_of("WAKE") && l.err()) failed_ = true;
    fault::on_server_line(l, out);
  }

 private:
  bool failed_ = false;
};

// UID: arguments are refused until the session has sent UIDL.
class uids_after_uidl final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword == "UIDL") listed_ = true;
    if (!listed_ && !c.sasl_response && c.arg(0).starts_with("UID:")) out.to_client("-ERR [UID] send UIDL first");
    else out.forward(c.raw);
  }

 private:
  bool listed_ = false;
};

// Answers LAST from its own bookkeeping, with one of RFC 1725's inputs missing: the value the
// session starts with (asked of the upstream at login, unless `from_server` is off), RETR n
// and DELE n raising it (each can be ignored), RSET setting it to 0.
class last_emulator final : public fault {
 public:
  last_emulator(bool from_server, bool retr_raises, bool dele_raises)
      : from_server_(from_server), retr_raises_(retr_raises), dele_raises_(dele_raises) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    const auto n = l.answers ? message_number(*l.answers) : std::nullopt;
    if (l.injected) {
      if (l.status_of("LAST") && l.ok()) value_ = std::stoull("0" + std::string(word(l.text, 1)));
      return;
    }
    if (l.status_of("LAST") && l.ok()) return out.to_client("+OK " + std::to_string(value_));
    fault::on_server_line(l, out);
    if (l.k != kind::status || !l.ok() || !l.answers) return;
    const auto& k = l.answers->keyword;
    const bool login = k == "PASS" || k == "APOP" || k == "AUTH" || l.answers->sasl_response;
    if (login && l.state == pop3_state::authorization && from_server_) out.inject("LAST");
    if (n && ((k == "RETR" && retr_raises_) || (k == "DELE" && dele_raises_))) value_ = std::max(value_, *n);
    if (k == "RSET") value_ = 0;
  }

 private:
  bool from_server_, retr_raises_, dele_raises_;
  std::uint64_t value_ = 0;
};

// DELI also commits the session's DELE marks: before passing DELI m on, it unmarks every message
// marked with DELE and removes each at once with DELI of its own (pop3refd refuses DELI of a
// marked message, and never renumbers after DELI, so the numbers stay valid).
class deli_commits_marks final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    const std::string named(c.arg(0));
    if (c.keyword == "DELI" && c.state == pop3_state::transaction && !marked_.empty() && !marked_.contains(named)) {
      out.inject("RSET");
      for (const auto& n : marked_) out.inject("DELI " + n);
      marked_.clear();
    }
    out.forward(c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.status_of("DELE") && l.ok()) marked_.insert(std::string(l.answers->arg(0)));
    if (!l.injected && l.status_of("RSET") && l.ok()) marked_.clear();
    fault::on_server_line(l, out);
  }

 private:
  std::set<std::string> marked_;
};

// Before passing `keyword` on, unmarks everything (the deletions are never committed).
fault_factory unmark_before(std::string keyword) {
  return edit_commands([keyword](const client_line& c, const credentials&) -> replacement {
    if (c.keyword != keyword || c.state != pop3_state::transaction) return std::nullopt;
    return std::vector<std::string>{"RSET", c.text};
  });
}

// Answers in the proxy, in one state: `keyword` gets `answer`.
fault_factory answer_in_state(std::string keyword, pop3_state state, std::string answer) {
  return answer_commands([=](const client_line& c) -> replacement {
    if (c.keyword != keyword || c.state != state) return std::nullopt;
    return std::vector<std::string>{answer};
  });
}

}  // namespace

std::vector<fault_spec> extension_faults() {
  std::vector<fault_spec> out;
  auto add = [&out](std::string rule, std::string how, fault_factory make) {
    out.push_back({std::move(rule), std::move(how), "extensions", stateless(std::move(make)), {}, {}});
  };
  // SLEEPING (draft-billpg-pop3-sleeping)
  add("sleeping/capa/announced-both-states", "announces SLEEPING before login only", drop_capability("SLEEPING", true));
  add("sleeping/capa/commands-supported", "announces SLEEPING but refuses SLEE", refuse("SLEE"));
  add("sleeping/quit/ok-and-close", "answers QUIT in SLEEP but keeps the connection open",
      keep_open_after_quit(pop3_state::sleep));
  add("sleeping/slee/commits-deletes", "unmarks everything before SLEE: nothing is deleted", unmark_before("SLEE"));
  add("sleeping/state/connection-kept", "hangs up after SLEE +OK",
      each_connection<hangs_up_after>(std::vector<std::string>{"SLEE"}, true));
  add("sleeping/state/err-means-unchanged", "hangs up after -ERR to SLEE or WAKE",
      each_connection<hangs_up_after>(std::vector<std::string>{"SLEE", "WAKE"}, false));
  add("sleeping/state/ok-means-done", "answers SLEE +OK without going to sleep",
      answer_in_state("SLEE", pop3_state::transaction, "+OK sleeping"));
  add("sleeping/state/required-commands", "refuses NOOP in SLEEP",
      answer_in_state("NOOP", pop3_state::sleep, "-ERR not while sleeping"));
  add("sleeping/wake/failure-stays-asleep", "refuses every WAKE after a failed one", each_connection<wake_once>());
  add("sleeping/wake/new-session", "wakes up with message 1 marked deleted", each_connection<marks_after>("WAKE"));
  // CORE
  add("core/activity/truthful", "swaps [ACTIVITY/NEW] and [ACTIVITY/NONE] on CORE",
      edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("CORE") || !l.ok()) return std::nullopt;
        if (l.text.find("[ACTIVITY/NEW]") != std::string::npos) return std::vector<std::string>{with_code(l.text, "ACTIVITY/NONE")};
        if (l.text.find("[ACTIVITY/NONE]") != std::string::npos) return std::vector<std::string>{with_code(l.text, "ACTIVITY/NEW")};
        return std::nullopt;
      }));
  add("core/capa/command-supported", "announces CORE but refuses it", refuse("CORE"));
  add("core/command/commits-deletes", "unmarks everything before CORE: nothing is deleted", unmark_before("CORE"));
  add("core/command/new-session", "starts the new session after CORE with message 1 marked deleted",
      each_connection<marks_after>("CORE"));
  add("core/command/refresh", "answers CORE without starting a new session (no new mail, no renumbering)",
      answer_in_state("CORE", pop3_state::transaction, "+OK [ACTIVITY/NONE]"));
  // DELI
  add("deli/capa/announced-both-states", "announces DELI before login only", drop_capability("DELI", true));
  add("deli/capa/command-supported", "announces DELI but refuses it", refuse("DELI"));
  add("deli/command/committed-at-once", "treats DELI like DELE (deleted only at QUIT)",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "DELI" || c.state != pop3_state::transaction) return std::nullopt;
        return std::vector<std::string>{"DELE " + std::string(c.arg(0))};
      }));
  add("rfc1939/update/abnormal-end-no-removal", "DELI also commits the DELE marks made before it",
      each_connection<deli_commits_marks>());
  // UID-PARAM
  add("uid-param/not-found/err", "answers +OK (with forged content) for unique-ids that do not exist",
      edit_responses([](const server_line& l) -> replacement {
        if (l.k != kind::status || !l.err() || !l.answers || !l.answers->arg(0).starts_with("UID:")) return std::nullopt;
        return forged_ok(*l.answers);
      }));
  add("uid-param/param/equivalent", "refuses UID: arguments", answer_commands([](const client_line& c) -> replacement {
        if (c.sasl_response || !c.arg(0).starts_with("UID:")) return std::nullopt;
        return std::vector<std::string>{"-ERR [UID] unknown unique-id"};
      }));
  add("uid-param/param/delimited", "reads a UID: argument up to the end of the line",
      answer_commands([](const client_line& c) -> replacement {
        if (c.args.size() < 2 || !c.arg(0).starts_with("UID:")) return std::nullopt;
        return std::vector<std::string>{"-ERR [UID] unknown unique-id"};
      }));
  add("uid-param/param/without-uidl", "accepts UID: arguments only after UIDL", each_connection<uids_after_uidl>());
  out.push_back({"uid-param/uids/no-reuse", "numbers its unique-ids by position: a new message gets a gone one's id",
                 "extensions", {}, [](const std::filesystem::path& root) { return make_uid_store(root, uid_scheme::by_position); },
                 {}});
  out.push_back({"uid-param/uids/no-shared", "derives unique-ids from the content: identical messages share one",
                 "extensions", {}, [](const std::filesystem::path& root) { return make_uid_store(root, uid_scheme::by_content); },
                 {}});
  add("uid-param/param/numeric-unchanged", "reads an all-digit argument as a unique-id",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (!message_number(c) || c.state != pop3_state::transaction) return std::nullopt;
        return std::vector<std::string>{replace_word(c.text, 1, "UID:" + std::string(c.arg(0)))};
      }));
  // XTND
  add("xtnd/command/any-state", "refuses XTND before login", answer_in_state("XTND", pop3_state::authorization, "-ERR not yet"));
  // A command the suite knows (an unknown keyword's behaviour cannot be judged from outside):
  // LAST is switched off upstream, so it is -ERR, yet XTND lists it.
  out.push_back({"xtnd/command/listed-work", "lists LAST in XTND but does not implement it", "extensions",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::end || !l.answers || l.answers->keyword != "XTND" || l.injected) return std::nullopt;
                   return std::vector<std::string>{"LAST", "."};
                 })),
                 {}, [](refd::server_config& c, const upstream_files&) { c.caps.last = false; }});
  add("xtnd/command/lists-extensions", "announces nothing with XTND", refuse("XTND"));
  // LAST (RFC 1725)
  add("last/command/highest-accessed", "reports LAST one too high", edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("LAST") || !l.ok()) return std::nullopt;
        return std::vector<std::string>{replace_word(l.text, 1, add_to_number(word(l.text, 1), 1))};
      }));
  add("last/command/initial-value", "starts every session at LAST 0", each_connection<last_emulator>(false, true, true));
  add("last/retr/raises", "does not raise LAST at RETR", each_connection<last_emulator>(true, false, true));
  add("last/dele/raises", "does not raise LAST at DELE", each_connection<last_emulator>(true, true, false));
  add("last/rset/resets", "does not reset LAST at RSET (answers 1 after it)", edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("LAST") || !l.ok() || word(l.text, 1) != "0") return std::nullopt;
        return std::vector<std::string>{replace_word(l.text, 1, "1")};
      }));
  return out;
}

}  // namespace pop3::mutation
