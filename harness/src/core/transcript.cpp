// The wire transcript of a scenario run, with secrets masked.
#include "transcript.hpp"

#include "pop3/protocol/auth.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {
constexpr std::string_view masked = "****";
}

transcript_recorder::transcript_recorder(const run_context& ctx, std::vector<reports::transcript_line>& out)
    : ctx_(ctx), out_(out) {
  for (const std::string& s :
       {ctx.password, ctx.apop_secret, plain_token(ctx.user, ctx.password), ctx.long_login.password,
        ctx.utf8_login.password}) {
    if (!s.empty()) secrets_.push_back(s);
  }
  for (const extra_login* l : {&ctx.long_login, &ctx.utf8_login}) {
    if (!l->empty()) secrets_.push_back(plain_token(l->user, l->password));
  }
}

std::string plain_token(std::string_view user, std::string_view password) {
  return protocol::base64_encode(std::string(1, '\0') + std::string(user) + '\0' + std::string(password));
}

void transcript_recorder::add(const std::string& conn, reports::transcript_line::direction dir,
                              std::string text) {
  reports::transcript_line l;
  l.connection = conn;
  l.dir = dir;
  l.text = std::move(text);
  l.at_seconds = ctx_.clock ? ctx_.clock() : 0.0;
  out_.push_back(std::move(l));
}

std::string transcript_recorder::mask(const std::string& conn, std::string line) {
  const std::size_t sp = line.find(' ');
  const std::string keyword = to_upper(std::string_view(line).substr(0, sp));
  if (in_sasl_[conn] && trim(line) != "*") {
    line = masked;
  } else if (keyword == "PASS" && sp != std::string::npos) {
    line = line.substr(0, sp + 1) + std::string(masked);
  } else if (keyword == "AUTH" && sp != std::string::npos) {
    // AUTH mechanism [initial-response]: keep the mechanism, hide the response.
    const std::size_t second = line.find(' ', sp + 1);
    if (second != std::string::npos) line = line.substr(0, second + 1) + std::string(masked);
  }
  return redact(std::move(line));
}

std::string transcript_recorder::redact(std::string text) const {
  for (const std::string& secret : secrets_) {
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + masked.size())) {
      text.replace(at, secret.size(), masked);
    }
  }
  return text;
}

void transcript_recorder::client(const std::string& conn, std::string_view bytes, bool raw) {
  while (!bytes.empty()) {
    const std::size_t lf = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, lf == std::string_view::npos ? bytes.size() : lf + 1);
    bytes.remove_prefix(piece.size());
    std::string_view text = piece;
    const std::size_t terminator = text.ends_with("\r\n") ? 2 : text.ends_with('\n') ? 1 : 0;
    text.remove_suffix(terminator);
    // Raw sends are shown with their exact terminators; C: lines without their CRLF.
    std::string shown = mask(conn, std::string(text));
    if (raw || terminator != 2) shown += piece.substr(piece.size() - terminator);
    add(conn, reports::transcript_line::direction::client, printable(shown));
  }
}

void transcript_recorder::server(const std::string& conn, const protocol::framed_line& line) {
  const std::string_view t = line.text;
  if (t == "+" || t.starts_with("+ ")) {
    in_sasl_[conn] = true;
  } else if (t.starts_with("+OK") || t.starts_with("-ERR")) {
    in_sasl_[conn] = false;
  }
  std::string text = printable(t);
  if (line.too_long) text += " [line too long: cut]";
  if (!line.too_long && line.end == protocol::framed_line::ending::bare_lf) text += " [bare LF]";
  if (!line.too_long && line.end == protocol::framed_line::ending::none) text += " [no line ending]";
  add(conn, reports::transcript_line::direction::server, std::move(text));
}

void transcript_recorder::note(const std::string& conn, std::string text) {
  add(conn, reports::transcript_line::direction::note, std::move(text));
}

}  // namespace pop3::harness::detail
