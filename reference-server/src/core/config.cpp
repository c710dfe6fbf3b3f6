// The config file ("key = value" lines) and the users file ("name:password[:apop-secret]" lines).
// Every key is documented in docs/reference-server.md; errors name the file and line.
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>
#include <vector>

#include "config_parsing.hpp"
#include "pop3/refd/config.hpp"

namespace pop3::refd {

namespace {

[[noreturn]] void fail_at(const std::filesystem::path& file, std::size_t line, const std::string& message) {
  throw std::runtime_error(file.string() + ":" + std::to_string(line) + ": " + message);
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open file");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (in.bad()) throw std::runtime_error(file.string() + ": read error");
  return lines;
}

bool is_comment_or_blank(std::string_view line) {
  const auto t = detail::trim(line);
  return t.empty() || t.front() == '#';
}

std::filesystem::path resolve_path(const std::filesystem::path& config_file, std::string_view value) {
  std::filesystem::path p{std::string(value)};
  return p.is_absolute() ? p : config_file.parent_path() / p;
}

// "user.<name>.<field> = value": applied after the whole file is read, because the users_file
// key that defines <name> may come later in the file.
struct user_override {
  std::size_t line;
  std::string user, field, value;
};

// Flow: read() splits each non-comment line at the first '=', apply() hands the value to the
// key's setter (which validates it), then the user.<name>.* overrides are applied in file order.
class config_reader {
 public:
  explicit config_reader(std::filesystem::path file) : file_(std::move(file)) {}

  server_config read() {
    const auto lines = read_lines(file_);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      line_ = i + 1;
      if (is_comment_or_blank(lines[i])) continue;
      const auto eq = lines[i].find('=');
      if (eq == std::string::npos) fail("expected 'key = value'");
      const std::string key(detail::trim(std::string_view(lines[i]).substr(0, eq)));
      const std::string_view value = detail::trim(std::string_view(lines[i]).substr(eq + 1));
      if (key.empty()) fail("empty key");
      apply(key, value);
    }
    for (const auto& o : overrides_) apply_user_override(o);
    return std::move(config_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { fail_at(file_, line_, message); }

  std::uint64_t number(std::string_view value, std::uint64_t min, std::uint64_t max) const {
    const auto n = detail::parse_unsigned(value, max);
    if (!n || *n < min) {
      fail("expected a number in " + std::to_string(min) + ".." + std::to_string(max) + ", got '" + std::string(value) + "'");
    }
    return *n;
  }
  bool boolean(std::string_view value) const {
    const auto b = detail::parse_bool(value);
    if (!b) fail("expected yes/no, got '" + std::string(value) + "'");
    return *b;
  }
  std::string text(std::string_view value) const {
    if (value.empty()) fail("empty value");
    return std::string(value);
  }
  int expire(std::string_view value) const {
    const auto days = parse_expire_days(value);
    if (!days) fail("expected a number of days or 'never', got '" + std::string(value) + "'");
    return *days;
  }
  std::chrono::seconds seconds(std::string_view value, std::uint64_t min) const {
    constexpr std::uint64_t one_year = 366ULL * 24 * 3600;
    return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(number(value, min, one_year)));
  }
  void add_user(const user_account& account) {
    if (!config_.users.emplace(account.name, account).second) fail("duplicate user '" + account.name + "'");
  }

  void apply(const std::string& key, std::string_view value) {
    if (key.starts_with("capability.")) {
      if (!set_capability_switch(config_.caps, key.substr(11), boolean(value))) fail("unknown capability '" + key.substr(11) + "'");
      return;
    }
    if (key.starts_with("user.")) {
      const auto dot = key.rfind('.');
      if (dot <= 5) fail("expected user.<name>.<field>");
      overrides_.push_back({line_, key.substr(5, dot - 5), key.substr(dot + 1), std::string(value)});
      return;
    }
    using setter = std::function<void(config_reader&, std::string_view)>;
    static const std::map<std::string, setter, std::less<>> setters = {
        {"listen", [](config_reader& r, std::string_view v) { r.add_listen(v, false); }},
        {"listen_tls", [](config_reader& r, std::string_view v) { r.add_listen(v, true); }},
        {"maildir_root", [](config_reader& r, std::string_view v) { r.config_.maildir_root = resolve_path(r.file_, r.text(v)); }},
        {"users_file", [](config_reader& r, std::string_view v) { r.load_users(resolve_path(r.file_, r.text(v))); }},
        {"user", [](config_reader& r, std::string_view v) { r.add_inline_user(v); }},
        {"hostname", [](config_reader& r, std::string_view v) { r.config_.hostname = r.host(v); }},
        {"implementation", [](config_reader& r, std::string_view v) { r.config_.implementation = r.implementation(v); }},
        {"autologout", [](config_reader& r, std::string_view v) { r.config_.autologout = r.seconds(v, 1); }},
        {"sleep_autologout", [](config_reader& r, std::string_view v) { r.config_.sleep_autologout = r.seconds(v, 1); }},
        {"login_delay", [](config_reader& r, std::string_view v) { r.config_.login_delay = r.seconds(v, 0); }},
        {"login_delay_on_wake", [](config_reader& r, std::string_view v) { r.config_.login_delay_on_wake = r.boolean(v); }},
        {"expire", [](config_reader& r, std::string_view v) { r.config_.expire_days = r.expire(v); }},
        {"tls_cert", [](config_reader& r, std::string_view v) { r.config_.tls_cert = resolve_path(r.file_, r.text(v)); }},
        {"tls_key", [](config_reader& r, std::string_view v) { r.config_.tls_key = resolve_path(r.file_, r.text(v)); }},
        {"require_tls_for_plaintext_auth", [](config_reader& r, std::string_view v) { r.config_.require_tls_for_plaintext_auth = r.boolean(v); }},
        {"apop_only", [](config_reader& r, std::string_view v) { r.config_.apop_only = r.boolean(v); }},
        {"max_command_octets", [](config_reader& r, std::string_view v) { r.config_.max_command_octets = r.number(v, 255, 65536); }},
        {"max_sasl_response_octets", [](config_reader& r, std::string_view v) { r.config_.max_sasl_response_octets = r.number(v, 255, 1U << 24); }},
        {"max_sessions", [](config_reader& r, std::string_view v) { r.config_.max_sessions = r.number(v, 1, 1U << 20); }},
        {"max_auth_failures", [](config_reader& r, std::string_view v) { r.config_.max_auth_failures = static_cast<int>(r.number(v, 0, 1000)); }},
        {"strict_syntax", [](config_reader& r, std::string_view v) { r.config_.strict_syntax = r.boolean(v); }},
        {"sasl_mechanisms", [](config_reader& r, std::string_view v) { r.config_.sasl_mechanisms = r.mechanisms(v); }},
    };
    const auto it = setters.find(key);
    if (it == setters.end()) fail("unknown key '" + key + "'");
    it->second(*this, value);
  }

  void add_listen(std::string_view value, bool implicit_tls) {
    const auto endpoint = parse_listen_endpoint(value, implicit_tls);
    if (!endpoint) fail("expected ADDR:PORT, got '" + std::string(value) + "'");
    // The first listen line replaces the built-in default endpoint.
    if (!listen_seen_) config_.listen.clear();
    listen_seen_ = true;
    config_.listen.push_back(*endpoint);
  }

  std::string host(std::string_view value) const {
    // The host name goes into the APOP msg-id, so it must not break "<...@host>".
    for (const char c : value) {
      if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '@') fail("invalid character in hostname");
    }
    return text(value);
  }

  std::string implementation(std::string_view value) const {
    // "IMPLEMENTATION <text>\r\n" must fit a 512-octet CAPA line (RFC 2449 §4).
    if (value.size() > 400) fail("implementation text longer than 400 characters");
    return text(value);
  }

  std::vector<std::string> mechanisms(std::string_view value) const {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < value.size()) {
      const auto end = std::min(value.find(' ', pos), value.size());
      if (end > pos) {
        std::string mech = detail::upper_ascii(value.substr(pos, end - pos));
        if (mech != "PLAIN" && mech != "CRAM-MD5") fail("unsupported SASL mechanism '" + mech + "' (PLAIN, CRAM-MD5)");
        out.push_back(std::move(mech));
      }
      pos = end + 1;
    }
    return out;
  }

  void add_inline_user(std::string_view value) {
    user_account account;
    if (const auto error = detail::parse_user_line(value, account); !error.empty()) fail(error);
    add_user(account);
  }

  void load_users(const std::filesystem::path& users_file) {
    for (const auto& [name, account] : load_users_file(users_file)) add_user(account);
  }

  void apply_user_override(const user_override& o) {
    line_ = o.line;
    const auto it = config_.users.find(o.user);
    if (it == config_.users.end()) fail("unknown user '" + o.user + "'");
    if (o.field == "login_delay") {
      it->second.login_delay = seconds(o.value, 0);
    } else if (o.field == "expire") {
      it->second.expire_days = expire(o.value);
    } else if (o.field == "enabled") {
      it->second.enabled = boolean(o.value);
    } else {
      fail("unknown user field '" + o.field + "' (login_delay, expire, enabled)");
    }
  }

  std::filesystem::path file_;
  std::size_t line_ = 0;
  server_config config_;
  bool listen_seen_ = false;
  std::vector<user_override> overrides_;
};

}  // namespace

server_config load_config_file(const std::filesystem::path& file) { return config_reader(file).read(); }

std::map<std::string, user_account> load_users_file(const std::filesystem::path& file) {
  const auto lines = read_lines(file);
  std::map<std::string, user_account> users;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // Only whole-line comments: a password may contain '#' or spaces.
    if (is_comment_or_blank(lines[i])) continue;
    user_account account;
    if (const auto error = detail::parse_user_line(lines[i], account); !error.empty()) fail_at(file, i + 1, error);
    if (!users.emplace(account.name, account).second) fail_at(file, i + 1, "duplicate user '" + account.name + "'");
  }
  return users;
}

}  // namespace pop3::refd
