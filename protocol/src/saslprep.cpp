// SASLprep (RFC 4013) through GNU Libidn's stringprep implementation: the Unicode tables
// (mappings, NFKC, prohibited and unassigned code points, bidi) are Libidn's, not ours.
#include <stringprep.h>

#include <cstdlib>
#include <memory>

#include "pop3/protocol/auth.hpp"

namespace pop3::protocol {

std::optional<std::string> saslprep(std::string_view text, bool stored) {
  // Libidn reads NUL-terminated strings; a NUL inside is prohibited output anyway (RFC 4013 §2.3).
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string input(text);
  char* prepared = nullptr;
  const auto flags = stored ? STRINGPREP_NO_UNASSIGNED : Stringprep_profile_flags{};
  if (stringprep_profile(input.c_str(), &prepared, "SASLprep", flags) != STRINGPREP_OK) return std::nullopt;
  const std::unique_ptr<char, decltype(&std::free)> owner(prepared, &std::free);
  return std::string(prepared);
}

}  // namespace pop3::protocol
