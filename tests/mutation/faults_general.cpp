// Faults against RFC 1939's general rules (§3 framing, status indicators, syntax, states) and
// the greeting.
#include <algorithm>
#include <set>
#include <sstream>

#include "fault_catalogue.hpp"
#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;

bool is_known_keyword(std::string_view k) {
  static const std::set<std::string_view> known{"USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "QUIT", "STAT",
                                                "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP",  "UIDL", "UTF8",
                                                "LANG", "SLEE", "WAKE", "CORE", "DELI", "XTND", "LAST"};
  return known.contains(k);
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// What RFC 1939 calls a syntax error: a required argument missing, a message number that is not
// a number, or an argument to a command that takes none.
bool invalid_syntax(const client_line& c) {
  const auto& k = c.keyword;
  if (c.sasl_response) return false;
  if (k == "RETR" || k == "DELE") return c.args.size() != 1 || !all_digits(c.arg(0));
  if (k == "TOP") return c.args.size() != 2 || !all_digits(c.arg(0)) || !all_digits(c.arg(1));
  if (k == "LIST" || k == "UIDL") return c.args.size() > 1 || (c.has_args() && !all_digits(c.arg(0)));
  if (k == "STAT" || k == "NOOP" || k == "RSET" || k == "QUIT") return c.has_args();
  if (k == "USER" || k == "PASS") return !c.has_args();
  return false;
}

// Hangs up, without an answer, on any command with an argument longer than 32 characters.
class short_arguments final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& line, fault_actions& out) override {
    const bool too_long = !line.sasl_response && line.keyword != "AUTH" &&
                          std::any_of(line.args.begin(), line.args.end(), [](const auto& a) { return a.size() > 32; });
    if (too_long) out.close_client();
    else out.forward(line.raw);
  }
};

// Forges +OK for message numbers that do not exist (0, n+1), but not for deleted ones.
class accepts_any_number final : public fault {
 public:
  void on_server_line(const server_line& line, fault_actions& out) override {
    if (line.injected) return;
    const auto n = line.answers ? message_number(*line.answers) : std::nullopt;
    if (line.k == kind::status && n && line.answers->keyword == "DELE" && line.ok()) deleted_.insert(*n);
    if (line.k == kind::status && line.answers && line.answers->keyword == "RSET" && line.ok()) deleted_.clear();
    if (line.k == kind::status && n && line.err() && !deleted_.contains(*n) && line.state == pop3_state::transaction) {
      for (const auto& l : forged_ok(*line.answers)) out.to_client(l);
      return;
    }
    out.to_client_raw(line.raw);
  }

 private:
  std::set<std::uint64_t> deleted_;
};

std::string hex_number(std::string_view decimal) {
  if (!all_digits(decimal)) return std::string(decimal);
  std::ostringstream out;
  out << "0x" << std::hex << std::stoull(std::string(decimal));
  return out.str();
}

}  // namespace

std::vector<fault_spec> rfc1939_general_faults() {
  std::vector<fault_spec> out;
  out.push_back({"rfc1939/general/argument-40-chars", "hangs up on a command argument longer than 32 characters",
                 "base", stateless(each_connection<short_arguments>()), {}, {}});
  out.push_back({"rfc1939/general/byte-stuffing", "sends data lines that begin with \".\" unstuffed", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::data || !l.text.starts_with("..")) return std::nullopt;
                   return std::vector<std::string>{l.text.substr(1)};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/crlf-line-ends", "ends the data lines of multi-line answers with a bare LF", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::data) return std::nullopt;
                   return std::vector<std::string>{l.text + "\n"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/decimal-numbers", "writes message sizes in STAT and LIST in hexadecimal", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (!l.answers || l.injected) return std::nullopt;
                   const auto& k = l.answers->keyword;
                   if (l.k == kind::status && l.ok() && (k == "STAT" || (k == "LIST" && l.answers->has_args())))
                     return std::vector<std::string>{replace_word(l.text, 2, hex_number(word(l.text, 2)))};
                   if (l.k == kind::data && k == "LIST")
                     return std::vector<std::string>{replace_word(l.text, 1, hex_number(word(l.text, 1)))};
                   return std::nullopt;
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/invalid-syntax",
                 "answers +OK to commands with a missing, non-numeric or superfluous argument", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::status || !l.err() || !l.answers || !invalid_syntax(*l.answers)) return std::nullopt;
                   return forged_ok(*l.answers);
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/keyword-case-insensitive", "does not recognise command keywords in lower or mixed case",
                 "base", stateless(edit_commands([](const client_line& c, const credentials&) -> replacement {
                   const auto keyword = word(c.text, 0);
                   if (c.sasl_response || keyword == c.keyword) return std::nullopt;
                   return std::vector<std::string>{"XBAD"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/multi-line-termination", "ends multi-line answers with \". \" instead of \".\"",
                 "base", stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::end) return std::nullopt;
                   return std::vector<std::string>{". "};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/no-such-message", "answers +OK (with forged content) for message numbers that do not exist",
                 "base", stateless(each_connection<accepts_any_number>()), {}, {}});
  out.push_back({"rfc1939/general/one-response-per-command", "answers NOOP and STAT twice", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (!(l.status_of("NOOP") || l.status_of("STAT"))) return std::nullopt;
                   return std::vector<std::string>{l.text, l.text};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/response-line-512", "pads every -ERR line to 600 octets", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::status || !l.err()) return std::nullopt;
                   return std::vector<std::string>{l.text + " " + std::string(600, 'x')};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/status-upper-case", "answers STAT with \"+ok\"", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (!l.status_of("STAT") || !l.ok()) return std::nullopt;
                   return std::vector<std::string>{"+ok" + l.text.substr(3)};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/unknown-command", "answers +OK to commands it does not know", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::status || !l.err() || !l.answers || l.answers->sasl_response ||
                       is_known_keyword(l.answers->keyword))
                     return std::nullopt;
                   return std::vector<std::string>{"+OK"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/wrong-state-authorization",
                 "answers the TRANSACTION commands with (forged) +OK before login", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   static const std::set<std::string> commands{"STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL"};
                   if (l.k != kind::status || !l.err() || !l.answers || l.state != pop3_state::authorization ||
                       !commands.contains(l.answers->keyword))
                     return std::nullopt;
                   return forged_ok(*l.answers);
                 })),
                 {}, {}});
  out.push_back({"rfc1939/general/wrong-state-transaction", "answers USER, PASS and APOP with +OK after login", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::status || !l.err() || !l.answers || l.state != pop3_state::transaction) return std::nullopt;
                   const auto& k = l.answers->keyword;
                   if (k != "USER" && k != "PASS" && k != "APOP") return std::nullopt;
                   return std::vector<std::string>{"+OK"};
                 })),
                 {}, {}});
  out.push_back({"rfc1939/greeting/positive", "greets with -ERR", "base",
                 stateless(edit_responses([](const server_line& l) -> replacement {
                   if (l.k != kind::greeting || !l.ok()) return std::nullopt;
                   return std::vector<std::string>{"-ERR" + l.text.substr(3)};
                 })),
                 {}, {}});
  return out;
}

}  // namespace pop3::mutation
