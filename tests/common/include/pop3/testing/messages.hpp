#pragma once
// Realistic RFC 5322 test messages, CRLF line ends, so that stored size == RETR octets.
#include <string>
#include <string_view>

namespace pop3::testing {

/// A small message: headers (From, To, Subject, Date, Message-ID) and the given body, whose
/// lines must end in CRLF. `n` makes the Message-ID unique.
inline std::string make_message(int n, std::string_view subject, std::string_view body) {
  std::string m;
  m += "From: Bob Example <bob@example.org>\r\n";
  m += "To: Alice Example <alice@example.org>\r\n";
  m += "Subject: " + std::string(subject) + "\r\n";
  m += "Date: Tue, 14 Nov 2023 10:" + std::to_string(10 + n % 50) + ":00 +0000\r\n";
  m += "Message-ID: <msg" + std::to_string(n) + "@example.org>\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=us-ascii\r\n";
  m += "\r\n";
  m += body;
  return m;
}

/// The byte-stuffing traps of RFC 1939 §3: lines starting with one and two dots, and a line
/// that is exactly "." (a server that forgets to stuff it ends the response early).
inline std::string dot_trap_message(int n = 1) {
  return make_message(n, "dot traps",
                      "Three lines follow.\r\n"
                      ".leading dot\r\n"
                      "..two dots\r\n"
                      ".\r\n"
                      "The line above is a single dot.\r\n"
                      "...\r\n"
                      "End.\r\n");
}

}  // namespace pop3::testing
