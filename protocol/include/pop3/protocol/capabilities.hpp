#pragma once
// CAPA responses (RFC 2449 §5): one capability per line, "TAG param param".
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::protocol {

struct capability {
  std::string tag;                  ///< upper-cased tag
  std::vector<std::string> params;  ///< as sent
  bool operator==(const capability&) const = default;
};

class capability_set {
 public:
  /// Parses the data lines of a CAPA response (terminator excluded). Lines that break the
  /// grammar (a "." in the tag, an empty line, > 510 octets) are collected in problems().
  /// A line whose tag is well-formed is still added to items() when only its length or its
  /// params are flawed (doubled SP, control octets), so gating sees what was announced.
  static capability_set parse(std::span<const std::string> lines);

  [[nodiscard]] bool has(std::string_view tag) const noexcept;  ///< case-insensitive
  [[nodiscard]] const capability* find(std::string_view tag) const noexcept;
  /// SASL mechanisms (upper-cased), empty if SASL is not announced.
  [[nodiscard]] std::vector<std::string> sasl_mechanisms() const;
  [[nodiscard]] const std::vector<capability>& items() const noexcept { return items_; }
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

  void add(capability c);
  /// "TAG params\r\n" lines, no terminator.
  [[nodiscard]] std::string format() const;

 private:
  std::vector<capability> items_;
  std::vector<std::string> problems_;
};

}  // namespace pop3::protocol
