#pragma once
// Private: UTF-8 well-formedness (RFC 3629 §4), shared by the XML escaper and the JSON writer.
#include <cstddef>
#include <string_view>

namespace pop3::reports::detail {

/// Length (1-4) of the well-formed UTF-8 sequence at the start of non-empty `s`, or 0 when its
/// first byte does not start one (invalid lead, bad or missing continuation, overlong, surrogate,
/// beyond U+10FFFF).
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view s) noexcept;

[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace pop3::reports::detail
