#pragma once
// Diagnostics of the scenario parser, the linter and the rule catalogue loader: one error with its
// position and a hint that tells the author how to fix it.
#include <string>

namespace pop3::harness {

/// A position in a scenario or include file.
struct source_location {
  std::string file;
  int line = 0;    ///< 1-based
  int column = 0;  ///< 1-based
};

/// One error in a scenario, include, fixture reference or catalogue file.
struct diagnostic {
  std::string file;
  int line = 0;    ///< 1-based
  int column = 0;  ///< 1-based
  std::string message;
  std::string hint;  ///< how to fix it; never empty

  /// "file:line:column: error: message\n  hint: hint"
  [[nodiscard]] std::string to_string() const;
};

}  // namespace pop3::harness
