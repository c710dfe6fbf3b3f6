// The persistent unique-id list of one Maildir (see maildir_uidlist.hpp for the format).
#include "maildir_uidlist.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace pop3::refd::detail {

namespace {

constexpr std::string_view magic = "pop3refd-uidlist 1 ";

// Splits off the next SP-terminated field; false if there is none.
bool next_field(std::string_view& rest, std::string_view& field) {
  const auto sp = rest.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  field = rest.substr(0, sp);
  rest.remove_prefix(sp + 1);
  return true;
}

template <typename Int>
bool to_int(std::string_view text, Int& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end && !text.empty();
}

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 20) return false;
  for (const char c : prefix) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::pair<std::string, uidlist_record>> parse_record(std::string_view line) {
  std::string_view number, mtime, file_size, size;
  if (!next_field(line, number) || !next_field(line, mtime) || !next_field(line, file_size) || !next_field(line, size)) {
    return std::nullopt;
  }
  uidlist_record record;
  if (!to_int(number, record.number) || !to_int(mtime, record.mtime_ns) || !to_int(file_size, record.file_size) ||
      !to_int(size, record.size) || line.empty()) {
    return std::nullopt;
  }
  return std::pair{std::string(line), record};
}

}  // namespace

uidlist uidlist::create() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ns = static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%llx", ns);
  uidlist list;
  list.prefix = buffer;
  return list;
}

std::optional<uidlist> uidlist::parse(std::string_view text) {
  const auto header_end = text.find('\n');
  if (header_end == std::string_view::npos || !text.starts_with(magic)) return std::nullopt;
  std::string_view header = text.substr(magic.size(), header_end - magic.size());
  std::string_view prefix;
  uidlist list;
  if (!next_field(header, prefix) || !valid_prefix(prefix) || !to_int(header, list.next_number)) return std::nullopt;
  list.prefix = std::string(prefix);
  text.remove_prefix(header_end + 1);
  while (!text.empty()) {
    const auto eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;  // truncated: the atomic rewrite makes this corruption
    auto record = parse_record(text.substr(0, eol));
    if (!record || record->second.number >= list.next_number) return std::nullopt;
    if (!list.records.emplace(std::move(*record)).second) return std::nullopt;
    text.remove_prefix(eol + 1);
  }
  return list;
}

std::string uidlist::serialize() const {
  std::string out(magic);
  out += prefix + " " + std::to_string(next_number) + "\n";
  for (const auto& [key, r] : records) {
    out += std::to_string(r.number) + " " + std::to_string(r.mtime_ns) + " " + std::to_string(r.file_size) + " " +
           std::to_string(r.size) + " " + key + "\n";
  }
  return out;
}

std::string uidlist::uid_of(const uidlist_record& record) const { return prefix + "." + std::to_string(record.number); }

}  // namespace pop3::refd::detail
