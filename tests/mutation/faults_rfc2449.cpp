// Faults against RFC 2449 (CAPA, its capabilities, response codes, grammar, lengths,
// pipelining) and RFC 3206 (the AUTH and SYS response codes).
#include <set>

#include "fault_catalogue.hpp"
#include "fault_kit.hpp"

namespace pop3::mutation {
namespace {

using kind = server_line::kind;

// Answers commands that arrive while an earlier one is unanswered... by never answering them;
// with a window, only once `window` commands are already unanswered.
class pipeline_limit final : public fault {
 public:
  explicit pipeline_limit(std::size_t window) : window_(window) {}
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (window_ == 0 ? c.pipelined : unanswered_ >= window_) return;  // swallowed
    ++unanswered_;
    out.forward(c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.last && l.k != kind::greeting && unanswered_ > 0) --unanswered_;
    fault::on_server_line(l, out);
  }

 private:
  std::size_t window_, unanswered_ = 0;
};

// Hangs up, without an answer, on command lines longer than `octets`.
class long_line_hangup final : public fault {
 public:
  explicit long_line_hangup(std::size_t octets) : octets_(octets) {}
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (!c.sasl_response && c.raw.size() > octets_) out.close_client();
    else out.forward(c.raw);
  }

 private:
  std::size_t octets_;
};

// The capability line with tag `tag`, in TRANSACTION, replaced by `line`.
fault_factory transaction_capability(std::string tag, std::function<std::string(std::string_view)> line) {
  return edit_capa([tag, line](std::string_view l, pop3_state state) -> replacement {
    if (state != pop3_state::transaction || capa_tag(l) != tag) return std::nullopt;
    return std::vector<std::string>{line(l)};
  });
}

// The -ERR answer to a wrong PASS (or any failed login) carries `code` instead of [AUTH].
fault_factory failed_login_code(std::string code) {
  return edit_responses([code](const server_line& l) -> replacement {
    if (l.injected || !l.answers || l.k != kind::status || !l.err() || l.state != pop3_state::authorization)
      return std::nullopt;
    const auto& k = l.answers->keyword;
    if (k != "PASS" && k != "APOP" && k != "AUTH" && !l.answers->sasl_response) return std::nullopt;
    if (l.text.find("[IN-USE]") != std::string::npos || l.text.find("[LOGIN-DELAY]") != std::string::npos)
      return std::nullopt;
    return std::vector<std::string>{with_code(l.text, code)};
  });
}

// Deletes at QUIT every message RETR fetched in the session, as EXPIRE 0 may, while announcing
// the configured retention (EXPIRE NEVER).
class expires_at_once final : public fault {
 public:
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& c, fault_actions& out) override {
    if (c.keyword == "QUIT" && c.state == pop3_state::transaction) {
      for (const auto& n : fetched_) out.inject("DELE " + n);
    }
    out.forward(c.raw);
  }
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.status_of("RETR") && l.ok()) fetched_.insert(std::string(l.answers->arg(0)));
    fault::on_server_line(l, out);
  }

 private:
  std::set<std::string> fetched_;
};

bool is_login_command(const client_line& c) {
  return c.sasl_response || c.keyword == "USER" || c.keyword == "PASS" || c.keyword == "APOP" || c.keyword == "AUTH";
}

}  // namespace

std::vector<fault_spec> rfc2449_faults() {
  std::vector<fault_spec> out;
  auto add = [&out](std::string rule, std::string how, fault_factory make) {
    out.push_back({std::move(rule), std::move(how), "base", stateless(std::move(make)), {}, {}});
  };
  add("rfc2449/capa/auth-subset-of-trans", "leaves TOP out of CAPA after login", drop_capability("TOP", true));
  add("rfc2449/capa/both-states", "answers CAPA with -ERR after login",
      edit_responses([](const server_line& l) -> replacement {
        if (l.injected || !l.answers || l.answers->keyword != "CAPA" || l.state != pop3_state::transaction) return std::nullopt;
        if (l.k == kind::status && l.ok()) return std::vector<std::string>{"-ERR not in this state"};
        return l.k == kind::status ? std::nullopt : replacement(std::vector<std::string>{});
      }));
  add("rfc2449/capa/response-format", "ends every capability line with a space",
      edit_capa([](std::string_view l, pop3_state) -> replacement { return std::vector<std::string>{std::string(l) + " "}; }));
  add("rfc2449/expire/smallest-in-authorization", "announces EXPIRE 5 after login (a shorter period than before it)",
      transaction_capability("EXPIRE", [](std::string_view) { return "EXPIRE 5"; }));
  add("rfc2449/expire/retained-after-retr", "announces EXPIRE NEVER but deletes what RETR fetched at QUIT",
      each_connection<expires_at_once>());
  add("rfc2449/expire/syntax", "adds USER to EXPIRE after login",
      transaction_capability("EXPIRE", [](std::string_view l) { return std::string(l) + " USER"; }));
  add("rfc2449/grammar/bracket-is-resp-code", "starts -ERR texts with an unterminated \"[\"",
      edit_responses([](const server_line& l) -> replacement {
        if (l.k != kind::status || !l.err() || l.text.starts_with("-ERR [")) return std::nullopt;
        return std::vector<std::string>{"-ERR [unterminated" + l.text.substr(4)};
      }));
  add("rfc2449/grammar/greeting", "puts a stray \"<\" into the greeting text",
      edit_responses([](const server_line& l) -> replacement {
        if (l.k != kind::greeting || !l.ok()) return std::nullopt;
        return std::vector<std::string>{"+OK <<<" + l.text.substr(3)};
      }));
  add("rfc2449/grammar/status-line", "separates +OK from its text with a TAB after login",
      edit_responses([](const server_line& l) -> replacement {
        if (l.injected || l.k != kind::status || !l.ok() || !l.last || l.state != pop3_state::transaction) return std::nullopt;
        const auto sp = l.text.find(' ');
        return std::vector<std::string>{sp == std::string::npos ? l.text + "\t" : l.text.substr(0, sp) + "\t" + l.text.substr(sp + 1)};
      }));
  add("rfc2449/length/command-255", "hangs up on command lines longer than 200 octets",
      each_connection<long_line_hangup>(std::size_t{200}));
  add("rfc2449/login-delay/largest-in-authorization", "announces LOGIN-DELAY 900 after login (more than before it)",
      transaction_capability("LOGIN-DELAY", [](std::string_view) { return "LOGIN-DELAY 900"; }));
  // The LOGIN-DELAY 5 configuration with enforcement switched off, announcing 10 s in both states.
  out.push_back({"rfc2449/login-delay/enforce", "announces LOGIN-DELAY 10 but accepts logins at any interval",
                 "LOGIN-DELAY 5",
                 stateless(edit_capa([](std::string_view l, pop3_state) -> replacement {
                   if (capa_tag(l) != "LOGIN-DELAY") return std::nullopt;
                   return std::vector<std::string>{"LOGIN-DELAY 10"};
                 })),
                 {}, [](refd::server_config& c, const upstream_files&) { c.login_delay = std::chrono::seconds(0); }});
  add("rfc2449/login-delay/syntax", "adds USER to LOGIN-DELAY after login",
      transaction_capability("LOGIN-DELAY", [](std::string_view l) { return std::string(l) + " USER"; }));
  add("rfc2449/pipelining/in-order", "never answers a command sent before the previous answer arrived",
      each_connection<pipeline_limit>(std::size_t{0}));
  add("rfc2449/pipelining/window", "stops answering once 16 commands are waiting for an answer",
      each_connection<pipeline_limit>(std::size_t{16}));
  add("rfc2449/resp-codes/announced", "sends response codes without announcing RESP-CODES",
      drop_capability("RESP-CODES", false));
  out.push_back({"rfc2449/resp-codes/announced", "announces neither RESP-CODES nor AUTH-RESP-CODE, yet says [AUTH]",
                 "base", stateless(edit_responses([](const server_line& l) -> replacement {
                   if (!l.status_of("PASS") || !l.err() || l.text.starts_with("-ERR [")) return std::nullopt;
                   return std::vector<std::string>{"-ERR [AUTH]" + l.text.substr(4)};
                 })),
                 {}, [](refd::server_config& c, const upstream_files&) { c.caps.resp_codes = c.caps.auth_resp_code = false; }});
  add("rfc2449/resp-codes/in-use", "says [IN-USE] when the password is wrong", failed_login_code("IN-USE"));
  add("rfc2449/resp-codes/login-delay", "says [LOGIN-DELAY] when the password is wrong", failed_login_code("LOGIN-DELAY"));
  add("rfc2449/sasl/capability", "refuses AUTH with an initial response",
      answer_commands([](const client_line& c) -> replacement {
        if (c.keyword != "AUTH" || c.args.size() < 2) return std::nullopt;
        return std::vector<std::string>{"-ERR initial responses are not supported"};
      }));
  add("rfc2449/top/capability", "announces TOP but does not implement it", refuse("TOP"));
  add("rfc2449/uidl/capability", "announces UIDL but does not implement it", refuse("UIDL"));
  add("rfc2449/user/capability", "announces USER but does not implement it", refuse("USER"));
  return out;
}

std::vector<fault_spec> rfc3206_faults() {
  std::vector<fault_spec> out;
  auto add = [&out](std::string rule, std::string how, fault_factory make) {
    out.push_back({std::move(rule), std::move(how), "base", stateless(std::move(make)), {}, {}});
  };
  add("rfc3206/auth-resp-code/every-credential-error", "leaves [AUTH] out when the password is wrong",
      failed_login_code(""));
  add("rfc3206/auth-resp-code/syntax", "announces AUTH-RESP-CODE before login only", drop_capability("AUTH-RESP-CODE", true));
  add("rfc3206/auth/commands", "puts [AUTH] on -ERR answers to TRANSACTION commands",
      edit_responses([](const server_line& l) -> replacement {
        if (l.injected || l.k != kind::status || !l.err() || !l.answers || is_login_command(*l.answers) ||
            l.state != pop3_state::transaction)
          return std::nullopt;
        return std::vector<std::string>{with_code(l.text, "AUTH")};
      }));
  add("rfc3206/auth/credentials-only", "says [AUTH] when the maildrop is locked or a login delay applies",
      edit_responses([](const server_line& l) -> replacement {
        if (l.k != kind::status || !l.err()) return std::nullopt;
        if (l.text.find("[IN-USE]") == std::string::npos && l.text.find("[LOGIN-DELAY]") == std::string::npos &&
            l.text.find("[SYS") == std::string::npos)
          return std::nullopt;
        return std::vector<std::string>{with_code(l.text, "AUTH")};
      }));
  add("rfc3206/sys/err-only", "puts [SYS/TEMP] on +OK answers to NOOP, DELE and RSET",
      edit_responses([](const server_line& l) -> replacement {
        if (!(l.status_of("NOOP") || l.status_of("DELE") || l.status_of("RSET")) || !l.ok()) return std::nullopt;
        return std::vector<std::string>{with_code(l.text, "SYS/TEMP")};
      }));
  add("rfc3206/sys/not-credentials", "says [SYS/PERM] when the password is wrong", failed_login_code("SYS/PERM"));
  return out;
}

}  // namespace pop3::mutation
