#pragma once
// The wire transcript of a scenario run, with secrets masked (internal).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/executor.hpp"
#include "pop3/protocol/line_framer.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness::detail {

/// base64(NUL user NUL password): the AUTH PLAIN message for a login (RFC 4616).
[[nodiscard]] std::string plain_token(std::string_view user, std::string_view password);

/// Flow: client() for every send, server() for every line read, note() for everything else
/// (connects, TLS, waits, skipped steps). Masking: PASS arguments, AUTH initial responses, client
/// lines answering a SASL "+ " challenge, and the run's password, secret and PLAIN token anywhere.
class transcript_recorder {
 public:
  transcript_recorder(const run_context& ctx, std::vector<reports::transcript_line>& out);

  void client(const std::string& conn, std::string_view bytes, bool raw);
  void server(const std::string& conn, const protocol::framed_line& line);
  void note(const std::string& conn, std::string text);
  /// The text with the run's password, APOP secret and PLAIN token replaced by "****" (what
  /// every transcript line gets; also for the executor's record mode).
  [[nodiscard]] std::string redact(std::string text) const;

 private:
  void add(const std::string& conn, reports::transcript_line::direction dir, std::string text);
  [[nodiscard]] std::string mask(const std::string& conn, std::string line);

  const run_context& ctx_;
  std::vector<reports::transcript_line>& out_;
  std::vector<std::string> secrets_;
  std::map<std::string, bool> in_sasl_;  // per connection: the server sent "+ " and awaits a response
};

}  // namespace pop3::harness::detail
