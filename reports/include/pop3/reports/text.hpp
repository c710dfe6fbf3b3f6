#pragma once
// Text helpers shared by every human-readable writer (JUnit, Markdown, HTML, the console), so a
// transcript line or a hostile byte looks the same everywhere.
#include <chrono>
#include <string>
#include <string_view>

#include "pop3/reports/model.hpp"

namespace pop3::reports {

/// `text` with every byte that is not printable, well-formed UTF-8 replaced by a visible "\xNN"
/// escape: C0 controls other than tab, LF and CR, DEL, invalid or overlong UTF-8 sequences,
/// surrogates and the non-characters U+FFFE/U+FFFF. The result is always a legal XML 1.0 string.
/// Servers under test send garbage; a report must stay well-formed and show what was sent.
[[nodiscard]] std::string visible_text(std::string_view text);

/// One transcript line as people read it: "[+0.012s] a C: USER alice", "[+0.020s] S: +OK",
/// "[+0.500s] a --: connection closed" (a note). The text goes through visible_text.
[[nodiscard]] std::string format_transcript_line(const transcript_line& line);

/// Seconds with millisecond precision and no exponent ("0.012"); negative, non-finite or absurd -> "0.000".
[[nodiscard]] std::string format_seconds(std::chrono::duration<double> d);

}  // namespace pop3::reports
