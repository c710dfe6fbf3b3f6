// Arbitrary client bytes through line_framer into a pop3::refd::session over a temporary Maildir
// holding 3 messages, driven the way the network driver drives it. Never crashes; and checks:
//   - every write is a sequence of CRLF-terminated lines, starting with "+OK", "-ERR" or "+ ",
//     whose first line fits in 512 octets (RFC 1939 §3, RFC 2449 §4);
//   - no message is lost unless the session ended with QUIT in TRANSACTION (RFC 1939 §6);
//   - the maildrop lock is always released when the session ends.
// The first input byte picks a configuration variant; the rest is fed in 64-byte reads.
#include <strings.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "pop3/protocol/line_framer.hpp"
#include "pop3/refd/config.hpp"
#include "pop3/refd/maildir_store.hpp"
#include "pop3/refd/session.hpp"
// The fuzz targets get no include path of the test helpers; this header needs only the standard library.
#include "../common/include/pop3/testing/temp_maildir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace pop3::refd;

constexpr std::string_view messages[3][2] = {
    {"1700000001.A.fuzz", "Subject: a\n\nline\n.\n..x\n"},
    {"1700000002.B.fuzz", "Subject: b\r\n\r\n1\r\n2\r\n3\r\n"},
    {"1700000003.C.fuzz", "Subject: c (headers only)\n"},
};

[[noreturn]] void violation(const char* what, std::string_view detail) {
  std::fprintf(stderr, "invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// A Maildir with the 3 messages of `messages` for user "u".
struct fixture {
  pop3::testing::temp_maildir dir;

  // Puts back whatever a committed session removed, so every input starts from 3 messages.
  void restore() const {
    const auto user = dir.create_user("u");
    for (const auto& m : messages) {
      const auto path = user / "new" / std::string(m[0]);
      if (!fs::exists(path)) std::ofstream(path, std::ios::binary) << m[1];
    }
  }
  [[nodiscard]] std::size_t count() const {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir.maildir("u") / "new")) n += e.path().filename().string().front() != '.';
    return n;
  }
};

server_config variant(const fs::path& root, std::uint8_t flags) {
  server_config config;
  config.maildir_root = root;
  user_account u;
  u.name = "u";
  u.password = "p";
  config.users["u"] = u;
  config.strict_syntax = (flags & 1) == 0;
  config.require_tls_for_plaintext_auth = (flags & 2) != 0;
  config.expire_days = (flags & 4) != 0 ? 0 : -1;
  config.max_auth_failures = (flags & 8) != 0 ? 0 : 3;
  config.max_sasl_response_octets = 1024;
  if ((flags & 32) != 0) {
    auto& caps = config.caps;
    caps.sleeping = caps.core = caps.deli = caps.uid_param = caps.xtnd = caps.last = true;
  }
  return config;
}

void check_output(const session_output& out) {
  std::string_view bytes = out.bytes;
  if (bytes.empty()) return;
  if (!bytes.starts_with("+OK") && !bytes.starts_with("-ERR") && !bytes.starts_with("+ ")) violation("status", bytes);
  if (!bytes.ends_with("\r\n")) violation("unterminated output", bytes);
  const auto first_end = bytes.find("\r\n");
  if (first_end + 2 > 512) violation("first line over 512 octets", bytes.substr(0, first_end));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) violation("bare LF in output", bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fixture fx;
  fx.restore();
  if (size == 0) return 0;
  const auto config = variant(fx.dir.root(), data[0]);
  maildir_store store(fx.dir.root());
  connection_info conn;
  conn.tls_available = (data[0] & 16) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  bool committed = false;
  {
    session s(config, store, conn);
    pop3::protocol::line_framer framer(s.max_line_octets());
    check_output(s.greet());
    bool open = true;
    for (std::size_t offset = 0; open && offset < input.size(); offset += 64) {
      framer.feed(input.substr(offset, 64));
      for (;;) {
        framer.set_max_line(s.max_line_octets());
        const auto line = framer.next();
        if (!line) break;
        const auto before = s.state();
        const auto out = s.on_line(*line);
        check_output(out);
        // SLEE, CORE and DELI commit removals without QUIT: only their +OK may lose a message.
        const auto keyword = line->text.substr(0, 4);
        for (const char* commits : {"SLEE", "CORE", "DELI"}) {
          if (out.bytes.starts_with("+OK") && strncasecmp(keyword.c_str(), commits, 4) == 0) committed = true;
        }
        if (out.then == session_output::next::close) {
          committed = committed || before == session_state::transaction;
          open = false;
          break;
        }
        if (out.then == session_output::next::start_tls) {
          framer.clear();  // RFC 2595 §4: nothing pipelined after STLS is acted on
          s.on_tls_established();
          break;
        }
      }
    }
    if (open) s.on_disconnect();
    if (s.state() != session_state::closed) violation("session not closed", "");
  }

  if (!committed && fx.count() != 3) violation("message lost without QUIT", std::to_string(fx.count()));
  store_errc err = store_errc::ok;
  if (!store.try_lock("u", err)) violation("lock still held after the session ended", "");
  return 0;
}
