#pragma once
// The engine of `pop3spec compare`: the server under test against an embedded pop3refd that gets
// the same fixtures (and, for `mailbox: any`, a copy of the server under test's mailbox), each
// scenario recorded on both sides and judged. No Asio in this header.
//
// Flow: the constructor probes the server under test (unreachable_error, setup_error), starts the
// reference (its capabilities mirrored from that probe when asked) and probes it; capabilities()
// compares the two probes; compare(s) prepares s for recording, records it on the server under
// test, then (unless that side skipped) on the reference, and judges the pair.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pop3/harness/compare_report.hpp"
#include "pop3/harness/net/runner.hpp"

namespace pop3::harness {

struct comparison_setup {
  target under_test;  ///< the server under test; its TLS mode is also the reference's
  account acct;       ///< the account used there
  timing limits;
  compare_options options;
  bool mirror = false;  ///< the reference announces what the server under test announces
};

class comparison_runner {
 public:
  /// Probes both servers. Throws unreachable_error, setup_error, or std::runtime_error when the
  /// reference cannot start.
  explicit comparison_runner(comparison_setup setup);
  ~comparison_runner();
  comparison_runner(const comparison_runner&) = delete;
  comparison_runner& operator=(const comparison_runner&) = delete;

  /// "127.0.0.1:40123 (embedded pop3refd, capabilities mirrored)".
  [[nodiscard]] std::string reference_description() const;
  /// What mirroring changed on the reference and what it could not mirror (empty without it).
  [[nodiscard]] const std::vector<std::string>& mirror_notes() const noexcept;
  /// The reference's temp directory, to remove if the run is interrupted.
  [[nodiscard]] const std::filesystem::path& reference_root() const noexcept;

  /// The probes compared: greeting timestamps and CAPA before and after login, as the
  /// pseudo-scenario `compare/capabilities`.
  [[nodiscard]] scenario_comparison capabilities() const;
  /// Runs one scenario on both sides and judges it. Never throws: problems become outcome error.
  [[nodiscard]] scenario_comparison compare(const scenario& s) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pop3::harness
