#include "refd_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "pop3/protocol/multiline.hpp"

namespace refd_test {

using namespace pop3::refd;

fs::path put_message(const fs::path& root, const std::string& user, const std::string& sub, const std::string& name,
                     std::string_view content) {
  for (const char* d : {"new", "cur", "tmp"}) fs::create_directories(root / user / d);
  const auto path = root / user / sub / name;
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

const std::vector<fixture_message>& standard_messages() {
  static const std::vector<fixture_message> messages = {
      {"new", "1700000001.M1P1.test",
       "From: a@example.org\nSubject: dots\n\nfirst\n.\n..two\n.x\nlast\n",
       "From: a@example.org\r\nSubject: dots\r\n\r\nfirst\r\n.\r\n..two\r\n.x\r\nlast\r\n"},
      {"cur", "1700000002.M2P1.test:2,S",
       "Subject: five\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\nl5\r\n",
       "Subject: five\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\nl5\r\n"},
      {"new", "1700000003.M3P1.test", "Subject: headers only\r\nX-A: b\r\n", "Subject: headers only\r\nX-A: b\r\n"},
      {"cur", "1700000004.M4P1.test:2,", "Subject: no final newline\n\nend", "Subject: no final newline\r\n\r\nend\r\n"},
  };
  return messages;
}

void put_standard_mailbox(const fs::path& root, const std::string& user) {
  for (const auto& m : standard_messages()) put_message(root, user, m.sub, m.name, m.stored);
}

user_account make_account(const std::string& name, const std::string& password, const std::string& apop_secret) {
  user_account account;
  account.name = name;
  account.password = password;
  account.apop_secret = apop_secret;
  return account;
}

server_config base_config(const fs::path& root) {
  server_config config;
  config.maildir_root = root;
  config.users["alice"] = make_account("alice", "alice-pass", "tanstaaf");
  config.users["bob"] = make_account("bob", "b o  b");
  config.users["carol"] = make_account("carol", "carol-pass");
  config.users["carol"].enabled = false;
  return config;
}

session_environment fake_environment::make() {
  session_environment env;
  env.now = [this] { return now; };
  env.make_timestamp = [this] {
    if (!timestamps.empty()) {
      auto t = timestamps.front();
      timestamps.pop_front();
      return t;
    }
    return "<" + std::to_string(++generated) + ".test@host>";
  };
  return env;
}

driver::driver(const server_config& config, maildir_store& store, connection_info conn, session_environment env)
    : session_(config, store, std::move(conn), std::move(env)), framer_(session_.max_line_octets()) {
  greeting_ = session_.greet().bytes;
}

std::string driver::send(std::string_view bytes) {
  std::string written;
  if (closed_) return written;
  framer_.feed(bytes);
  for (;;) {
    framer_.set_max_line(session_.max_line_octets());
    auto line = framer_.next();
    if (!line) break;
    const auto out = session_.on_line(*line);
    written += out.bytes;
    if (out.then == session_output::next::close) {
      closed_ = true;
      break;
    }
    if (out.then == session_output::next::start_tls) {
      tls_requested_ = true;
      framer_.clear();
      break;
    }
  }
  return written;
}

std::string driver::cmd(std::string_view line) { return send(std::string(line) + "\r\n"); }

std::string driver::login(std::string_view user, std::string_view password) {
  cmd("USER " + std::string(user));
  return cmd("PASS " + std::string(password));
}

void driver::complete_tls() {
  tls_requested_ = false;
  session_.on_tls_established();
}

std::unique_ptr<maildrop_lock> faulty_store::try_lock(const std::string& user, store_errc& err) {
  if (fail_lock != store_errc::ok) {
    err = fail_lock;
    return nullptr;
  }
  return maildir_store::try_lock(user, err);
}

std::vector<message_entry> faulty_store::scan(const std::string& user, store_errc& err) {
  if (fail_scan != store_errc::ok) {
    err = fail_scan;
    return {};
  }
  return maildir_store::scan(user, err);
}

std::optional<std::string> faulty_store::read(const message_entry& entry, store_errc& err) {
  if (fail_read != store_errc::ok) {
    err = fail_read;
    return std::nullopt;
  }
  return maildir_store::read(entry, err);
}

std::size_t faulty_store::remove(const std::string& user, const std::vector<message_entry>& entries, store_errc& err) {
  if (entries.size() <= remove_only) return maildir_store::remove(user, entries, err);
  const std::vector<message_entry> some(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(remove_only));
  const auto removed = maildir_store::remove(user, some, err);
  err = store_errc::temporary;
  return removed;
}

std::vector<std::string> maildir_files(const fs::path& root, const std::string& user) {
  std::vector<std::string> names;
  for (const char* sub : {"new", "cur"}) {
    if (!fs::exists(root / user / sub)) continue;
    for (const auto& e : fs::directory_iterator(root / user / sub)) {
      const auto name = e.path().filename().string();
      names.push_back(name.substr(0, name.find(':')));
    }
  }
  std::ranges::sort(names);
  return names;
}

namespace {

pop3::protocol::multiline_decoder decode(std::string_view response) {
  const auto first_end = response.find("\r\n");
  EXPECT_NE(first_end, std::string_view::npos) << "no status line";
  EXPECT_TRUE(response.starts_with("+OK")) << response;
  EXPECT_TRUE(response.ends_with("\r\n.\r\n")) << "unterminated multi-line response: " << response;
  pop3::protocol::multiline_decoder decoder;
  std::string_view rest = response.substr(first_end + 2);
  while (!rest.empty() && !decoder.finished()) {
    const auto eol = rest.find("\r\n");
    if (eol == std::string_view::npos) break;
    decoder.feed(rest.substr(0, eol));
    rest.remove_prefix(eol + 2);
  }
  EXPECT_TRUE(decoder.finished());
  EXPECT_TRUE(rest.empty()) << "bytes after the terminator: " << rest;
  return decoder;
}

}  // namespace

std::vector<std::string> data_lines(std::string_view response) { return decode(response).lines(); }

std::string body_of(std::string_view response) { return decode(response).content(); }

}  // namespace refd_test
