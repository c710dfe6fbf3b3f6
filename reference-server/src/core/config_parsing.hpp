#pragma once
// Internal helpers for the config and users files (config_values.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ascii.hpp"
#include "pop3/refd/config.hpp"

namespace pop3::refd::detail {

/// 1*DIGIT up to max; nullopt otherwise.
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) noexcept;
/// yes/no, true/false, on/off, 1/0 (case-insensitive).
[[nodiscard]] std::optional<bool> parse_bool(std::string_view text) noexcept;
/// Fills account from "name:password[:apop-secret]"; returns an error message, empty on success.
[[nodiscard]] std::string parse_user_line(std::string_view line, user_account& account);

}  // namespace pop3::refd::detail
