// The common fault shapes and the line helpers.
#include "fault_kit.hpp"

#include <cctype>
#include <charconv>
#include <utility>

namespace pop3::mutation {
namespace {

class response_editor final : public fault {
 public:
  explicit response_editor(std::function<replacement(const server_line&)> edit) : edit_(std::move(edit)) {}
  void on_server_line(const server_line& line, fault_actions& out) override {
    if (line.injected) return;
    auto lines = edit_(line);
    if (!lines) {
      out.to_client_raw(line.raw);
      return;
    }
    for (const auto& l : *lines) {
      if (l.ends_with('\n')) out.to_client_raw(l);
      else out.to_client(l);
    }
  }

 private:
  std::function<replacement(const server_line&)> edit_;
};

class command_editor final : public fault {
 public:
  explicit command_editor(std::function<replacement(const client_line&, const credentials&)> edit)
      : edit_(std::move(edit)) {}
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& line, fault_actions& out) override {
    auto lines = edit_(line, out.account());
    if (!lines) {
      out.forward(line.raw);
      return;
    }
    for (std::size_t i = 0; i < lines->size(); ++i) {
      if (i + 1 < lines->size()) out.inject((*lines)[i]);
      else out.forward((*lines)[i]);
    }
  }

 private:
  std::function<replacement(const client_line&, const credentials&)> edit_;
};

class local_answerer final : public fault {
 public:
  explicit local_answerer(std::function<replacement(const client_line&)> answer) : answer_(std::move(answer)) {}
  [[nodiscard]] bool holds_client_lines() const noexcept override { return true; }
  void on_client_line(const client_line& line, fault_actions& out) override {
    auto lines = answer_(line);
    if (!lines) {
      out.forward(line.raw);
      return;
    }
    for (const auto& l : *lines) out.to_client(l);
  }

 private:
  std::function<replacement(const client_line&)> answer_;
};

// Once an authentication command failed on a connection, every later login on it fails (or,
// with only_after_auth, once an AUTH exchange failed).
class no_second_chance final : public fault {
 public:
  explicit no_second_chance(bool only_after_auth) : only_after_auth_(only_after_auth) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (l.injected || l.state != pop3_state::authorization || !l.answers) return fault::on_server_line(l, out);
    const auto& k = l.answers->keyword;
    const bool auth_exchange = k == "AUTH" || l.answers->sasl_response;
    const bool auth_command = auth_exchange || k == "USER" || k == "PASS" || k == "APOP";
    if (l.k == server_line::kind::status && auth_command && l.ok() && failed_) {
      out.to_client("-ERR [AUTH] no further attempts on this connection");
      return;
    }
    if (l.k == server_line::kind::status && auth_command && l.err() && (!only_after_auth_ || auth_exchange)) failed_ = true;
    fault::on_server_line(l, out);
  }

 private:
  bool only_after_auth_;
  bool failed_ = false;
};

// The upstream's QUIT +OK and close reach the client as +OK only: the connection stays open.
class stays_open_after_quit final : public fault {
 public:
  explicit stays_open_after_quit(pop3_state state) : state_(state) {}
  void on_server_line(const server_line& l, fault_actions& out) override {
    if (!l.injected && l.status_of("QUIT") && l.ok() && l.state == state_) quit_ok_ = true;
    fault::on_server_line(l, out);
  }
  void on_server_closed(fault_actions& out) override {
    if (!quit_ok_) out.close_client();
  }

 private:
  pop3_state state_;
  bool quit_ok_ = false;
};

}  // namespace

fault_factory edit_responses(std::function<replacement(const server_line&)> edit) {
  return [edit] { return std::unique_ptr<fault>(new response_editor(edit)); };
}

fault_factory edit_commands(std::function<replacement(const client_line&, const credentials&)> edit) {
  return [edit] { return std::unique_ptr<fault>(new command_editor(edit)); };
}

fault_factory answer_commands(std::function<replacement(const client_line&)> answer) {
  return [answer] { return std::unique_ptr<fault>(new local_answerer(answer)); };
}

fault_factory edit_capa(std::function<replacement(std::string_view line, pop3_state state)> change,
                        std::function<std::vector<std::string>(pop3_state state)> append) {
  return edit_responses([change, append](const server_line& l) -> replacement {
    if (l.injected || !l.answers || l.answers->keyword != "CAPA") return std::nullopt;
    if (l.k == server_line::kind::data && change) return change(l.text, l.state);
    if (l.k == server_line::kind::end && append) {
      auto lines = append(l.state);
      lines.push_back(l.text);
      return lines;
    }
    return std::nullopt;
  });
}

std::string capa_tag(std::string_view line) { return to_upper(line.substr(0, line.find(' '))); }

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

fault_factory refuse(std::string keyword) {
  return answer_commands([keyword](const client_line& c) -> replacement {
    if (c.sasl_response || c.keyword != keyword) return std::nullopt;
    return std::vector<std::string>{"-ERR " + keyword + " is not implemented"};
  });
}

fault_factory drop_capability(std::string tag, bool transaction_only) {
  return edit_capa([tag, transaction_only](std::string_view l, pop3_state state) -> replacement {
    if (capa_tag(l) != tag || (transaction_only && state != pop3_state::transaction)) return std::nullopt;
    return std::vector<std::string>{};
  });
}

fault_factory keep_open_after_quit(pop3_state state) {
  return [state] { return std::unique_ptr<fault>(new stays_open_after_quit(state)); };
}

fault_factory refuse_logins_after_failure(bool only_after_auth) {
  return [only_after_auth] { return std::unique_ptr<fault>(new no_second_chance(only_after_auth)); };
}

std::vector<std::string> forged_ok(const client_line& line) {
  const auto& k = line.keyword;
  const std::string n(line.arg(0).empty() ? "1" : line.arg(0));
  if (k == "RETR" || k == "TOP") {
    return {"+OK 64 octets", "From: forged@example.org", "Subject: forged", "", "This message does not exist.", "."};
  }
  if (k == "LIST") return line.has_args() ? std::vector<std::string>{"+OK " + n + " 64"} : std::vector<std::string>{"+OK", "."};
  if (k == "UIDL") return line.has_args() ? std::vector<std::string>{"+OK " + n + " forged-uid"} : std::vector<std::string>{"+OK", "."};
  if (k == "CAPA") return {"+OK", "USER", "."};
  if (k == "STAT") return {"+OK 0 0"};
  return {"+OK"};
}

std::optional<std::uint64_t> message_number(const client_line& line) {
  const auto& k = line.keyword;
  const bool names = k == "RETR" || k == "DELE" || k == "TOP" || ((k == "LIST" || k == "UIDL") && line.has_args());
  if (!names || line.args.empty()) return std::nullopt;
  std::uint64_t n = 0;
  const auto text = line.arg(0);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

std::string_view word(std::string_view text, std::size_t index) {
  for (std::size_t i = 0;; ++i) {
    const auto sp = text.find(' ');
    if (i == index) return text.substr(0, sp);
    if (sp == std::string_view::npos) return {};
    text.remove_prefix(sp + 1);
  }
}

std::string replace_word(std::string_view text, std::size_t index, std::string_view replacement_word) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) {
    const auto sp = text.find(' ', start);
    if (sp == std::string_view::npos) return std::string(text);
    start = sp + 1;
  }
  const auto end = text.find(' ', start);
  std::string out(text.substr(0, start));
  out += replacement_word;
  if (end != std::string_view::npos) out += text.substr(end);
  return out;
}

std::string add_to_number(std::string_view number, std::int64_t delta) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (ec != std::errc() || end != number.data() + number.size()) return std::string(number);
  return std::to_string(n + delta);
}

std::string with_code(std::string_view status_line, std::string_view code) {
  const auto sp = status_line.find(' ');
  const std::string status(status_line.substr(0, sp));
  std::string_view text = sp == std::string_view::npos ? std::string_view() : status_line.substr(sp + 1);
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close != std::string_view::npos) text.remove_prefix(close + 1);
    while (text.starts_with(' ')) text.remove_prefix(1);
  }
  std::string out = status;
  if (!code.empty()) out += " [" + std::string(code) + "]";
  if (!text.empty()) out += " " + std::string(text);
  return out;
}

}  // namespace pop3::mutation
