// The per-session invariants: sizes, unique-ids and totals do not change within a session.
#include "session_ledger.hpp"

#include "text.hpp"

namespace pop3::harness::detail {
namespace {

constexpr std::string_view exact_size_rule = "rfc1939/list/exact-size";
constexpr std::string_view persistent_uid_rule = "rfc1939/uidl/persistent";
constexpr std::string_view drop_listing_rule = "rfc1939/stat/drop-listing";

std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const std::size_t sp = line.find(' ');
    if (sp != 0) out.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  return out;
}

std::optional<std::uint64_t> number(std::string_view token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  const auto v = parse_decimal(token);
  if (!v || *v < 0) return std::nullopt;
  return static_cast<std::uint64_t>(*v);
}

// "n value" (a scan listing or a unique-id listing line, or the same after "+OK ").
std::optional<std::pair<std::uint64_t, std::string_view>> numbered(const std::vector<std::string_view>& t,
                                                                  std::size_t first) {
  if (t.size() < first + 2) return std::nullopt;
  const auto n = number(t[first]);
  if (!n) return std::nullopt;
  return std::pair{*n, t[first + 1]};
}

}  // namespace

void session_ledger::command_sent(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  unanswered_.emplace_back(line);
}

void session_ledger::forget_view() {
  listed_size_.clear();
  sent_octets_.clear();
  uid_.clear();
  stat_.reset();
  full_list_.reset();
}

std::optional<invariant_violation> session_ledger::answered(std::string_view status,
                                                            const std::vector<std::string>* data,
                                                            const std::string* content) {
  std::string command;
  if (!unanswered_.empty()) {
    command = std::move(unanswered_.front());
    unanswered_.pop_front();
  }
  if (status.empty()) return std::nullopt;  // silence answered it
  const auto words = tokens(command);
  const std::string verb = words.empty() ? "" : to_upper(words[0]);
  const bool positive = status == "+OK" || status.starts_with("+OK ");
  const bool continuation = status == "+" || status.starts_with("+ ");
  const bool negative = status.starts_with("-ERR");
  errors_in_a_row_ = negative ? errors_in_a_row_ + 1 : 0;
  if (negative) ++errors_;
  if (positive) accepted_verbs_.insert(verb);

  if (in_sasl_exchange_ || verb == "AUTH") {
    // AUTH with a mechanism: a "+ " challenge continues the exchange, +OK ends it logged in.
    in_sasl_exchange_ = continuation && (in_sasl_exchange_ || words.size() > 1);
    if (positive && (verb != "AUTH" || words.size() > 1)) logged_in_ = true;
    return std::nullopt;
  }
  if (positive && (verb == "PASS" || verb == "APOP")) logged_in_ = true;
  if (!logged_in_ || !positive) return std::nullopt;

  const auto status_words = tokens(status);
  if (verb == "LIST" && words.size() == 1 && data) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> listing;
    for (const auto& line : *data) {
      const auto entry = numbered(tokens(line), 0);
      const auto size = entry ? number(entry->second) : std::nullopt;
      if (!size) return std::nullopt;  // malformed: the scenario's own checks say so
      if (auto v = note_size(entry->first, *size, "LIST")) return v;
      listing.emplace_back(entry->first, *size);
    }
    full_list_ = std::move(listing);
    return check_totals();
  }
  if (verb == "LIST" && words.size() == 2) {
    const auto entry = numbered(status_words, 1);
    const auto size = entry ? number(entry->second) : std::nullopt;
    if (size) return note_size(entry->first, *size, "LIST " + std::to_string(entry->first));
    return std::nullopt;
  }
  if (verb == "RETR" && words.size() == 2 && content) {
    if (const auto n = number(words[1])) return note_sent(*n, content->size());
    return std::nullopt;
  }
  if (verb == "UIDL" && words.size() == 1 && data) {
    for (const auto& line : *data) {
      const auto entry = numbered(tokens(line), 0);
      if (!entry) return std::nullopt;
      if (auto v = note_uid(entry->first, std::string(entry->second))) return v;
    }
    return std::nullopt;
  }
  if (verb == "UIDL" && words.size() == 2) {
    if (const auto entry = numbered(status_words, 1)) return note_uid(entry->first, std::string(entry->second));
    return std::nullopt;
  }
  if (verb == "STAT") {
    const auto count = status_words.size() >= 3 ? number(status_words[1]) : std::nullopt;
    const auto total = status_words.size() >= 3 ? number(status_words[2]) : std::nullopt;
    if (count && total) {
      stat_ = std::pair{*count, *total};
      return check_totals();
    }
    return std::nullopt;
  }
  static constexpr std::string_view read_only[] = {"TOP", "NOOP", "CAPA", "LAST", "USER", "PASS", "APOP"};
  for (std::string_view v : read_only) {
    if (verb == v) return std::nullopt;
  }
  if (verb == "DELE" || verb == "RSET") {
    // Marks change what STAT and LIST count, never a message's size or unique-id.
    stat_.reset();
    full_list_.reset();
    return std::nullopt;
  }
  forget_view();  // SLEE/WAKE, CORE, DELI, an unknown command: the maildrop may have been refreshed
  return std::nullopt;
}

std::optional<invariant_violation> session_ledger::note_size(std::uint64_t n, std::uint64_t size,
                                                             std::string_view from) {
  if (const auto it = listed_size_.find(n); it != listed_size_.end() && it->second != size) {
    return invariant_violation{std::string(exact_size_rule),
                               "message " + std::to_string(n) + ": size changed from " + std::to_string(it->second) +
                                   " to " + std::to_string(size) + " octets within the session (" +
                                   std::string(from) + ")"};
  }
  listed_size_[n] = size;
  if (const auto it = sent_octets_.find(n); it != sent_octets_.end()) return note_sent(n, it->second);
  return std::nullopt;
}

std::optional<invariant_violation> session_ledger::note_sent(std::uint64_t n, std::uint64_t octets) {
  if (const auto it = sent_octets_.find(n); it != sent_octets_.end() && it->second != octets) {
    return invariant_violation{std::string(exact_size_rule),
                               "message " + std::to_string(n) + ": RETR sent " + std::to_string(it->second) +
                                   " octets, then " + std::to_string(octets) + " octets within the session"};
  }
  sent_octets_[n] = octets;
  const auto listed = listed_size_.find(n);
  if (listed == listed_size_.end() || listed->second == octets) return std::nullopt;
  // A stored message without a final line end may be sent with CRLF added (RFC 1939 §3 needs one
  // before the terminator); a size that leaves those two octets out is allowed for it.
  if (unterminated_.contains(n) && octets == listed->second + 2) return std::nullopt;
  return invariant_violation{std::string(exact_size_rule),
                             "message " + std::to_string(n) + ": LIST said " + std::to_string(listed->second) +
                                 " octets, RETR sent " + std::to_string(octets) +
                                 " (unstuffed, CRLF line ends) within the session"};
}

std::optional<invariant_violation> session_ledger::note_uid(std::uint64_t n, const std::string& uid) {
  if (const auto it = uid_.find(n); it != uid_.end() && it->second != uid) {
    return invariant_violation{std::string(persistent_uid_rule),
                               "message " + std::to_string(n) + ": unique-id changed from \"" +
                                   printable(it->second, 80) + "\" to \"" + printable(uid, 80) +
                                   "\" within the session"};
  }
  uid_[n] = uid;
  return std::nullopt;
}

std::optional<invariant_violation> session_ledger::check_totals() {
  if (!stat_ || !full_list_) return std::nullopt;
  std::uint64_t sum = 0;
  for (const auto& [n, size] : *full_list_) sum += size;
  if (stat_->first == full_list_->size() && stat_->second == sum) return std::nullopt;
  return invariant_violation{std::string(drop_listing_rule),
                             "STAT says " + std::to_string(stat_->first) + " messages, " +
                                 std::to_string(stat_->second) + " octets; LIST lists " +
                                 std::to_string(full_list_->size()) + " messages totalling " + std::to_string(sum) +
                                 " octets within the session"};
}

}  // namespace pop3::harness::detail
