// What the harness knows about POP3 commands: which answers are multi-line, and the login macros.
#include <algorithm>
#include <array>

#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness {

bool is_builtin_name(std::string_view name) noexcept {
  return std::find(builtin_names.begin(), builtin_names.end(), name) != builtin_names.end();
}

std::optional<qualified_name> split_qualified_name(std::string_view name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return qualified_name{std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))};
}

namespace detail {

std::optional<bool> multiline_on_success(std::string_view command_line) {
  const std::size_t sp = command_line.find(' ');
  const std::string keyword = to_upper(command_line.substr(0, sp));
  const bool has_args = sp != std::string_view::npos && !trim(command_line.substr(sp + 1)).empty();
  // RFC 1939 §5/§7, RFC 2449 §5, RFC 6856 §3 (LANG), the XTND framework draft, and the AUTH
  // mechanism listing some servers give (A34): multi-line on +OK.
  if (keyword == "CAPA" || keyword == "RETR" || keyword == "TOP") return true;
  if (keyword == "LIST" || keyword == "UIDL" || keyword == "LANG" || keyword == "XTND" || keyword == "AUTH")
    return !has_args;
  static constexpr std::array single{"USER", "PASS", "APOP", "STLS", "QUIT", "STAT", "DELE", "NOOP",
                                     "RSET", "SLEE", "WAKE", "CORE", "DELI", "UTF8", "LAST", "QAUT"};
  for (const char* k : single) {
    if (keyword == k) return false;
  }
  return std::nullopt;
}

std::optional<login_method> parse_login_method(std::string_view text) noexcept {
  if (text == "user") return login_method::user;
  if (text == "apop") return login_method::apop;
  if (text == "plain") return login_method::plain;
  return std::nullopt;
}

std::string_view login_method_name(login_method m) noexcept {
  switch (m) {
    case login_method::user:
      return "user";
    case login_method::apop:
      return "apop";
    case login_method::plain:
      return "plain";
  }
  return "user";
}

std::string_view login_script(login_method m) noexcept {
  switch (m) {
    case login_method::user:
      return "C: USER $user\nS: +OK\nC: PASS $password\nS: +OK\n";
    case login_method::apop:
      return "C: APOP $user $apop_digest\nS: +OK\n";
    case login_method::plain:
      return "C: AUTH PLAIN $sasl_plain\nS: +OK\n";
  }
  return {};
}

std::vector<step> login_steps(login_method m, const std::string& conn, const source_location& where,
                              const std::string& origin) {
  // The same path as a written login: line, so both behave identically.
  scenario s;
  s.file = where.file;
  std::vector<diagnostic> ignored;
  diagnostics_sink sink(ignored);
  const lexed_scenario lexed = lex_scenario(login_script(m), where.file, {}, sink);
  build_steps(lexed.steps, s, {}, sink);
  for (step& st : s.steps) {
    st.where = where;
    st.conn = conn;
    st.origin = origin;
  }
  return std::move(s.steps);
}

}  // namespace detail
}  // namespace pop3::harness
