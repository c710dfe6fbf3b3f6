#pragma once
// What the mutation check runs on: the corpus indexed by rule, and an upstream pop3refd behind a
// fault proxy, with an account the harness's runner can use.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fault_catalogue.hpp"
#include "pop3/harness/net/certificate.hpp"
#include "pop3/harness/net/runner.hpp"
#include "pop3/harness/rule_catalogue.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/testing/temp_maildir.hpp"

namespace pop3::mutation {

/// A scenario of the corpus and how long it idles on purpose (wait: steps, <silence> reads).
struct indexed_scenario {
  harness::scenario s;
  std::chrono::milliseconds idle{0};
};

/// The corpus: every scenario file that parses and lints clean, by the rules it names.
class scenario_index {
 public:
  /// Reads rules.tsv and every *.pop3 below `dir`. Throws std::runtime_error without rules.tsv.
  explicit scenario_index(const std::filesystem::path& dir);

  [[nodiscard]] const harness::rule_catalogue& catalogue() const noexcept { return catalogue_; }
  /// The scenarios naming `rule`, in id order.
  [[nodiscard]] std::vector<const indexed_scenario*> covering(std::string_view rule) const;
  /// Files left out because they do not lint clean ("file:line:col: error: ...", one each).
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }
  [[nodiscard]] std::size_t size() const noexcept { return scenarios_.size(); }

 private:
  harness::rule_catalogue catalogue_;
  std::vector<std::unique_ptr<indexed_scenario>> scenarios_;
  std::map<std::string, std::vector<const indexed_scenario*>, std::less<>> by_rule_;
  std::vector<std::string> problems_;
};

/// Made once per check run: a temp directory with a trusted and an untrusted certificate.
class shared_files {
 public:
  shared_files();
  [[nodiscard]] const harness::certificate_files& trusted() const noexcept { return trusted_; }
  [[nodiscard]] const upstream_files& untrusted() const noexcept { return untrusted_; }

 private:
  testing::temp_maildir dir_;  // only its base() is used: a temp directory removed at the end
  harness::certificate_files trusted_;
  upstream_files untrusted_;
};

/// pop3refd configured like pop3spec's embedded server (plus a profile and maybe a fault), in a
/// temp directory of its own, behind a fault proxy (the fault's, or a transparent one).
/// Flow: the constructor starts both; target() and account() feed the harness's runner; the
/// destructor stops both and removes the directory.
class proxied_upstream {
 public:
  /// `fault` may be null: the baseline, through a transparent proxy. configuration_only: the
  /// fault's configure and store, but a transparent proxy (the second baseline of a proxy fault).
  proxied_upstream(const shared_files& files, std::string_view profile, const fault_spec* fault,
                   bool configuration_only = false);
  ~proxied_upstream();
  proxied_upstream(const proxied_upstream&) = delete;
  proxied_upstream& operator=(const proxied_upstream&) = delete;

  /// The proxy, as the harness reaches it.
  [[nodiscard]] harness::target target() const;
  /// The upstream itself, without the proxy (for a probe the fault cannot disturb).
  [[nodiscard]] harness::target direct_target() const;
  [[nodiscard]] const harness::account& account() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What running some scenarios through one proxied upstream gave.
struct proxied_run {
  std::vector<reports::scenario_result> results;
  std::string probe_problem;  ///< the probe through the proxy failed (the direct probe was used)
};

/// Probes the account through the proxy (falling back to a direct probe when the fault breaks
/// the probe itself), then runs the scenarios in order; with stop_at_first_failure, it stops
/// after the first MUST-level fail. Never throws for a scenario's sake: problems are results.
[[nodiscard]] proxied_run run_proxied(const proxied_upstream& upstream, std::span<const indexed_scenario* const> scenarios,
                                      const harness::timing& limits, bool stop_at_first_failure);

}  // namespace pop3::mutation
