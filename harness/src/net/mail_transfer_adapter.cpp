// smtp://host:port and lmtp://host:port: deliver fixtures through the server's MTA or MDA.
// Neither protocol can delete mail, so can_clear() is false (see fixture_adapter.hpp).
#include <cctype>

#include "adapters.hpp"
#include "blocking_client.hpp"
#include "pop3/protocol/multiline.hpp"

namespace pop3::harness::detail {
namespace {

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets.
constexpr std::size_t max_reply_octets = 512;

struct reply {
  int code = 0;
  std::string text;   // the last line
};

class mail_transfer_adapter final : public fixture_adapter {
 public:
  mail_transfer_adapter(bool lmtp, std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
      : lmtp_(lmtp), host_(std::move(host)), port_(port), timeout_(timeout) {}

  [[nodiscard]] bool can_clear() const noexcept override { return false; }

  void replace(const mailbox_owner&, std::span<const std::string>) override {
    throw fixture_error(describe() + " cannot remove messages: the mailbox must be emptied over POP3");
  }

  void deliver(const mailbox_owner& owner, const std::string& message) override {
    const std::string address = owner.address.empty()
                                    ? (owner.user.find('@') == std::string::npos ? owner.user + "@localhost" : owner.user)
                                    : owner.address;
    try {
      blocking_client client(tls_client_options{}, timeout_);
      client.connect(host_, port_, false);
      expect(read_reply(client), 2, "greeting");
      exchange(client, std::string(lmtp_ ? "LHLO" : "EHLO") + " pop3spec.localhost", 2);
      exchange(client, "MAIL FROM:<pop3spec@localhost>", 2);
      exchange(client, "RCPT TO:<" + address + ">", 2);
      exchange(client, "DATA", 3);
      // Same transparency rule as POP3: a leading dot is doubled, "." CRLF ends the data.
      client.send(protocol::dot_stuff(protocol::normalize_crlf(message)));
      expect(read_reply(client), 2, "end of DATA");  // LMTP: one reply per recipient; we have one
      exchange(client, "QUIT", 2);
    } catch (const client_error& e) {
      throw fixture_error(describe() + ": delivering to " + address + ": " + e.what());
    }
  }

  [[nodiscard]] std::string describe() const override {
    return std::string(lmtp_ ? "lmtp://" : "smtp://") + host_ + ":" + std::to_string(port_);
  }

 private:
  // Multi-line replies: "250-..." lines continue, "250 ..." ends (RFC 5321 §4.2.1).
  static reply read_reply(blocking_client& client) {
    for (;;) {
      auto line = client.read_line(max_reply_octets);
      const std::string& text = line.text;
      if (line.too_long || text.size() < 3 || !std::isdigit(static_cast<unsigned char>(text[0])) ||
          !std::isdigit(static_cast<unsigned char>(text[1])) || !std::isdigit(static_cast<unsigned char>(text[2]))) {
        throw client_error(client_error::kind::failed, "not an SMTP reply: \"" + text.substr(0, 80) + "\"");
      }
      if (text.size() > 3 && text[3] == '-') continue;
      return reply{std::stoi(text.substr(0, 3)), text};
    }
  }

  void expect(const reply& got, int wanted_class, std::string_view step) const {
    if (got.code / 100 != wanted_class) {
      throw fixture_error(describe() + ": " + std::string(step) + " answered \"" + got.text + "\"");
    }
  }

  void exchange(blocking_client& client, const std::string& command, int wanted_class) const {
    client.send(command + "\r\n");
    expect(read_reply(client), wanted_class, command);
  }

  bool lmtp_;
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::shared_ptr<fixture_adapter> make_mail_transfer_adapter(bool lmtp, std::string host, std::uint16_t port,
                                                           std::chrono::milliseconds timeout) {
  return std::make_shared<mail_transfer_adapter>(lmtp, std::move(host), port, timeout);
}

}  // namespace pop3::harness::detail
