#pragma once
// Mirroring (`pop3spec compare --mirror-capabilities`): the reference server announces what the
// server under test announces, so that a server without, say, SLEEPING is not reported for
// lacking it. The plan is pure; harness_net applies it to pop3refd's configuration.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pop3/harness/compare.hpp"

namespace pop3::harness {

/// The CAPA tags that pop3refd can switch on and off (its `capability.<TAG>` settings); APOP
/// follows the greeting's timestamp instead.
inline constexpr std::array<std::string_view, 15> mirrored_tags{
    "TOP",  "USER", "UIDL",     "RESP-CODES",  "PIPELINING",     "AUTH-RESP-CODE",
    "SASL", "STLS", "EXPIRE",   "LOGIN-DELAY", "IMPLEMENTATION", "SLEEPING",
    "CORE", "DELI", "UID-PARAM"};

struct mirror_plan {
  std::vector<std::pair<std::string, bool>>
      switches;                              ///< capability switch (CAPA tag, or "APOP") -> announce
  std::vector<std::string> sasl_mechanisms;  ///< the server under test's, upper case, in its order
  std::optional<std::string> expire;         ///< the server under test's EXPIRE argument
  std::vector<std::string> notes;            ///< what is deliberately not mirrored
};

/// What the reference must announce to look like `under_test` (CAPA before or after login).
[[nodiscard]] mirror_plan plan_mirror(const server_profile& under_test);

}  // namespace pop3::harness
