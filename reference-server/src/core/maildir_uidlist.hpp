#pragma once
// Internal: the <maildir>/pop3refd-uidlist file. It maps each message's Maildir base name to the
// number its unique-id was made from, and caches the message's size so that a scan does not
// reread every file. Text format, one record a line:
//
//   pop3refd-uidlist 1 <prefix> <next-number>
//   <number> <mtime-ns> <file-octets> <crlf-octets> <base-name>
//
// A unique-id is "<prefix>.<number>". Numbers come from a counter that only grows, so an id is
// never reused; the prefix (the creation time in hex) keeps ids unique even if the file is lost.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pop3::refd::detail {

struct uidlist_record {
  std::uint64_t number = 0;
  std::int64_t mtime_ns = 0;    ///< of the file when size was computed
  std::uint64_t file_size = 0;  ///< octets on disk when size was computed
  std::uint64_t size = 0;       ///< CRLF-normalised octets
};

struct uidlist {
  std::string prefix;
  std::uint64_t next_number = 1;
  std::map<std::string, uidlist_record> records;  ///< by Maildir base name

  /// A new, empty list with a prefix derived from the current time.
  [[nodiscard]] static uidlist create();
  /// nullopt if the text is not a well-formed uidlist (a corrupt maildrop).
  [[nodiscard]] static std::optional<uidlist> parse(std::string_view text);
  [[nodiscard]] std::string serialize() const;
  [[nodiscard]] std::string uid_of(const uidlist_record& record) const;
};

}  // namespace pop3::refd::detail
