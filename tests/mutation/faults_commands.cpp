// Faults against RFC 1939's TRANSACTION commands: DELE, LIST, NOOP, RETR, RSET, STAT, TOP, UIDL.
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "fault_catalogue.hpp"
#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;

// Remembers what DELE marked in this session. Before passing DELE n on, it asks the upstream (on
// its own account) for LIST n and UIDL n, so that a fault can pretend the message is still there.
class deletion_tracker : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    const auto n = message_number(c);
    if (c.keyword == "DELE" && n && c.state == pop3_state::transaction) {
      out.inject("LIST " + std::to_string(*n));
      out.inject("UIDL " + std::to_string(*n));
    }
    out.forward(c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    const auto n = l.answers ? message_number(*l.answers) : std::nullopt;
    if (l.injected) {
      if (n && l.k == kind::status && l.ok()) {
        (l.answers->keyword == "LIST" ? sizes_ : uids_)[*n] = std::string(word(l.text, 2));
      }
      return;
    }
    if (n && l.status_of("DELE") && l.ok()) deleted_[*n] = marked{sizes_[*n], uids_[*n]};
    if (l.status_of("RSET") && l.ok()) deleted_.clear();
    edit(l, out);
  }

 protected:
  struct marked {
    std::string size, uid;
  };
  std::map<std::uint64_t, marked> deleted_;
  [[nodiscard]] bool is_deleted(std::optional<std::uint64_t> n) const { return n && deleted_.contains(*n); }
  virtual void edit(const server_line& l, fault_actions& out) { out.to_client_raw(l.raw); }

 private:
  std::map<std::uint64_t, std::string> sizes_, uids_;
};

// Answers +OK (with forged content) for messages marked deleted.
class deleted_still_there final : public deletion_tracker {
  void edit(const server_line& l, fault_actions& out) override {
    if (l.k == kind::status && l.err() && l.answers && is_deleted(message_number(*l.answers))) {
      for (const auto& line : forged_ok(*l.answers)) out.to_client(line);
      return;
    }
    out.to_client_raw(l.raw);
  }
};

// Keeps messages marked deleted in the LIST (or UIDL) listing, in number order.
class deleted_still_listed final : public deletion_tracker {
 public:
  explicit deleted_still_listed(std::string keyword) : keyword_(std::move(keyword)) {}

 private:
  void edit(const server_line& l, fault_actions& out) override {
    if (!l.answers || l.answers->keyword != keyword_ || l.answers->has_args()) return out.to_client_raw(l.raw);
    if (l.k == kind::status) next_ = deleted_.begin();
    if (l.k == kind::data || l.k == kind::end) {
      const auto number = l.k == kind::data ? std::stoull("0" + std::string(word(l.text, 0))) : UINT64_MAX;
      for (; next_ != deleted_.end() && next_->first < number; ++next_) {
        out.to_client(std::to_string(next_->first) + " " + (keyword_ == "LIST" ? next_->second.size : next_->second.uid));
      }
    }
    out.to_client_raw(l.raw);
  }
  std::string keyword_;
  std::map<std::uint64_t, marked>::const_iterator next_;
};

// Counts messages marked deleted in STAT.
class deleted_still_counted final : public deletion_tracker {
  void edit(const server_line& l, fault_actions& out) override {
    if (!l.status_of("STAT") || !l.ok() || deleted_.empty()) return out.to_client_raw(l.raw);
    std::int64_t octets = 0;
    for (const auto& [n, m] : deleted_) octets += std::stoll("0" + m.size);
    auto text = replace_word(l.text, 1, add_to_number(word(l.text, 1), static_cast<std::int64_t>(deleted_.size())));
    out.to_client(replace_word(text, 2, add_to_number(word(text, 2), octets)));
  }
};

// Leaves out the last data line of multi-line answers to one command.
class drops_last_line final : public fault {
 public:
  explicit drops_last_line(std::string keyword) : keyword_(std::move(keyword)) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (l.injected || !l.answers || l.answers->keyword != keyword_) return fault::on_server_line(l, out);
    if (l.k == kind::data) {
      out.to_client_raw(held_);
      held_ = l.raw;
      return;
    }
    held_.clear();  // at the end: the last data line is dropped
    out.to_client_raw(l.raw);
  }

 private:
  std::string keyword_, held_;
};

// An empty LIST gets a data line anyway.
class empty_listing_padded final : public fault {
 public:
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (l.injected || !l.answers || l.answers->keyword != "LIST" || l.answers->has_args()) {
      return fault::on_server_line(l, out);
    }
    if (l.k == kind::status) lines_ = 0;
    if (l.k == kind::data) ++lines_;
    if (l.k == kind::end && lines_ == 0) out.to_client("0 0");
    out.to_client_raw(l.raw);
  }

 private:
  std::size_t lines_ = 0;
};

// Rewrites the unique-ids of UIDL answers (single-line and listing).
replacement with_uids(const server_line& l, const std::function<std::string(std::string_view uid)>& change) {
  if (l.injected || !l.answers || l.answers->keyword != "UIDL") return std::nullopt;
  if (l.k == kind::status && l.ok() && l.answers->has_args())
    return std::vector<std::string>{replace_word(l.text, 2, change(word(l.text, 2)))};
  if (l.k == kind::data) return std::vector<std::string>{replace_word(l.text, 1, change(word(l.text, 1)))};
  return std::nullopt;
}

fault_factory edit_uids(std::function<std::string(std::string_view uid)> change) {
  return edit_responses([change](const server_line& l) -> replacement { return with_uids(l, change); });
}

// Sends another command upstream in place of `keyword` in TRANSACTION (its answer is the client's).
fault_factory swap_command(std::string keyword, std::string instead) {
  return edit_commands([keyword, instead](const client_line& c, const credentials&) -> replacement {
    if (c.keyword != keyword || c.state != pop3_state::transaction) return std::nullopt;
    return std::vector<std::string>{instead};
  });
}

// LIST sizes (single-line and listing) plus one.
replacement list_size_plus_one(const server_line& l) {
  if (l.injected || !l.answers || l.answers->keyword != "LIST") return std::nullopt;
  if (l.k == kind::status && l.ok() && l.answers->has_args())
    return std::vector<std::string>{replace_word(l.text, 2, add_to_number(word(l.text, 2), 1))};
  if (l.k == kind::data) return std::vector<std::string>{replace_word(l.text, 1, add_to_number(word(l.text, 1), 1))};
  return std::nullopt;
}

// Once UIDL has run on the connection, adds an X-UIDL header to every message RETR sends, without
// counting it in LIST (what GNU Mailutils does): the sizes no longer match within the session.
class uidl_header_in_retr final : public fault {
 public:
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (l.injected) return;
    if (l.status_of("UIDL") && l.ok()) uidl_ran_ = true;
    out.to_client_raw(l.raw);
    const auto n = l.answers ? message_number(*l.answers) : std::nullopt;
    if (uidl_ran_ && n && l.status_of("RETR") && l.ok()) out.to_client("X-UIDL: pop3spec-" + std::to_string(*n));
  }

 private:
  bool uidl_ran_ = false;
};

// Every UIDL command after the first one of a session answers with other unique-ids.
fault_factory uids_per_command() {
  return [] {
    auto uidls = std::make_shared<int>(0);
    return edit_responses([uidls](const server_line& l) -> replacement {
      if (l.status_of("UIDL") && !l.injected && l.ok()) ++*uidls;
      if (*uidls < 2) return std::nullopt;
      const std::string suffix = "-" + std::to_string(*uidls);
      return with_uids(l, [&suffix](std::string_view uid) { return std::string(uid) + suffix; });
    })();
  };
}

}  // namespace

std::vector<fault_spec> rfc1939_command_faults() {
  std::vector<fault_spec> out;
  auto add = [&out](std::string rule, std::string how, fault_factory make) {
    out.push_back({std::move(rule), std::move(how), "base", stateless(std::move(make)), {}, {}});
  };
  add("rfc1939/dele/later-reference-err", "answers +OK (with forged content) for messages marked deleted",
      each_connection<deleted_still_there>());
  add("rfc1939/dele/marks", "answers DELE +OK without marking anything", swap_command("DELE", "NOOP"));
  add("rfc1939/dele/not-listed", "keeps messages marked deleted in LIST", each_connection<deleted_still_listed>("LIST"));
  add("rfc1939/list/empty-maildrop", "sends a \"0 0\" line in the LIST of an empty maildrop",
      each_connection<empty_listing_padded>());
  add("rfc1939/list/exact-size", "reports every LIST size one octet too large", edit_responses(list_size_plus_one));
  add("rfc1939/list/exact-size", "adds an X-UIDL header to RETR once UIDL ran, not counted in LIST (GNU Mailutils)",
      each_connection<uidl_header_in_retr>());
  add("rfc1939/list/multi-line", "leaves the last message out of LIST", each_connection<drops_last_line>("LIST"));
  add("rfc1939/list/scan-listing", "answers LIST n with \"+OK size n\"",
      edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("LIST") || !l.ok() || !l.answers->has_args()) return std::nullopt;
        return std::vector<std::string>{"+OK " + std::string(word(l.text, 2)) + " " + std::string(word(l.text, 1))};
      }));
  add("rfc1939/noop/ok", "performs RSET when asked for NOOP", swap_command("NOOP", "RSET"));
  add("rfc1939/retr/whole-message", "leaves the last line out of RETR", each_connection<drops_last_line>("RETR"));
  add("rfc1939/rset/unmarks", "answers RSET +OK without unmarking anything", swap_command("RSET", "NOOP"));
  add("rfc1939/stat/drop-listing", "reports the maildrop size in STAT one octet too large",
      edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("STAT") || !l.ok()) return std::nullopt;
        return std::vector<std::string>{replace_word(l.text, 2, add_to_number(word(l.text, 2), 1))};
      }));
  add("rfc1939/stat/drop-listing", "leaves one octet per message out of STAT's total (a CRLF counted as LF)",
      edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("STAT") || !l.ok()) return std::nullopt;
        const auto count = std::string(word(l.text, 1));
        return std::vector<std::string>{replace_word(l.text, 2, add_to_number(word(l.text, 2), -std::strtoll(count.c_str(), nullptr, 10)))};
      }));
  add("rfc1939/stat/excludes-deleted", "counts messages marked deleted in STAT", each_connection<deleted_still_counted>());
  add("rfc1939/top/headers-and-lines", "sends one body line more than TOP asked for",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "TOP" || c.args.size() != 2) return std::nullopt;
        return std::vector<std::string>{"TOP " + c.args[0] + " " + add_to_number(c.args[1], 1)};
      }));
  add("rfc1939/top/non-negative-lines", "treats a missing or negative TOP line count as 0",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "TOP" || c.args.empty() || (c.args.size() == 2 && !c.args[1].starts_with('-'))) return std::nullopt;
        return std::vector<std::string>{"TOP " + c.args[0] + " 0"};
      }));
  add("rfc1939/top/whole-message", "sends at most 3 body lines for TOP, however many were asked for",
      edit_commands([](const client_line& c, const credentials&) -> replacement {
        if (c.keyword != "TOP" || c.args.size() != 2 || add_to_number(c.args[1], -3).starts_with('-')) return std::nullopt;
        return std::vector<std::string>{"TOP " + c.args[0] + " 3"};
      }));
  add("rfc1939/uidl/charset", "sends unique-ids of more than 70 characters",
      edit_uids([](std::string_view uid) { return std::string(uid) + std::string(71, 'x'); }));
  add("rfc1939/uidl/multi-line", "leaves the last message out of UIDL", each_connection<drops_last_line>("UIDL"));
  add("rfc1939/uidl/not-listed", "keeps messages marked deleted in UIDL", each_connection<deleted_still_listed>("UIDL"));
  add("rfc1939/uidl/nothing-after-uid", "sends text after the unique-id",
      edit_uids([](std::string_view uid) { return std::string(uid) + " (uid)"; }));
  add("rfc1939/uidl/single", "answers UIDL n with \"+OK unique-id\" (no message number)",
      edit_responses([](const server_line& l) -> replacement {
        if (!l.status_of("UIDL") || !l.ok() || !l.answers->has_args()) return std::nullopt;
        return std::vector<std::string>{"+OK " + std::string(word(l.text, 2))};
      }));
  add("rfc1939/uidl/unique", "gives every message the same unique-id", edit_uids([](std::string_view) { return "same-uid"; }));
  add("rfc1939/uidl/persistent", "answers every UIDL after the first of a session with other unique-ids",
      uids_per_command());
  out.push_back({"rfc1939/uidl/persistent", "gives messages new unique-ids in every session", "base",
                 [] {
                   auto sessions = std::make_shared<int>(0);
                   return fault_factory([sessions] {
                     const std::string prefix = "s" + std::to_string(++*sessions) + "-";
                     return edit_uids([prefix](std::string_view uid) { return prefix + std::string(uid); })();
                   });
                 },
                 {}, {}});
  return out;
}

}  // namespace pop3::mutation
