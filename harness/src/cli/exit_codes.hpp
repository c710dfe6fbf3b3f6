#pragma once
// pop3spec's documented exit codes (also printed by --help) and the error that maps to code 2.
#include <stdexcept>

namespace pop3::harness::cli {

enum exit_code : int {
  exit_ok = 0,           ///< every MUST passed (SHOULD failures are warnings unless --strict)
  exit_failures = 1,     ///< a scenario failed or errored, or a baseline entry passed unexpectedly
  exit_usage = 2,        ///< bad command line or configuration, lint errors in the scenarios to run
  exit_unreachable = 3,  ///< the server could not be reached
};

inline constexpr const char* exit_code_help =
    "Exit codes:\n"
    "  0  every MUST passed (SHOULD failures are warnings unless --strict)\n"
    "  1  failures: a MUST failed (or a SHOULD with --strict), a scenario errored,\n"
    "     or a scenario listed in --baseline passed unexpectedly\n"
    "  2  usage or configuration error, including lint errors in the scenarios to run\n"
    "  3  the server could not be reached";

/// A usage or configuration problem: the message is printed and pop3spec exits with 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pop3::harness::cli
