#pragma once
// Internal: ASCII-only text helpers (POP3 keywords, tags and hex digests are ASCII; no locale).
#include <string>
#include <string_view>

namespace pop3::refd::detail {

[[nodiscard]] std::string upper_ascii(std::string_view text);
[[nodiscard]] std::string lower_ascii(std::string_view text);
/// Strips spaces, tabs and CRs at both ends.
[[nodiscard]] std::string_view trim(std::string_view text) noexcept;

}  // namespace pop3::refd::detail
