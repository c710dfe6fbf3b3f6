#pragma once
// Private: RFC 4648 base64 (standard alphabet, padded) for bytes that are not UTF-8.
#include <optional>
#include <string>
#include <string_view>

namespace pop3::reports::detail {

[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// nullopt unless `text` is padded base64 (length a multiple of 4, alphabet, "=" only at the end).
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace pop3::reports::detail
