#pragma once
// Performs an executor's actions against the target until it finishes. Internal to harness_net;
// the Asio part lives in scenario_driver.cpp, this header has none.
#include <chrono>
#include <string>

#include "pop3/harness/executor.hpp"
#include "pop3/harness/net/runner.hpp"

namespace pop3::harness::detail {

struct drive_outcome {
  bool finished = false;     ///< the executor reached finished_action (its result is valid)
  bool over_time = false;    ///< the scenario's time limit cut it short
  std::string problem;       ///< why it did not finish (internal error)
};

/// Runs `exec` from `first` (the action it already returned) to the end. Every read, write,
/// connect and handshake has a deadline: the read timeout, capped by the scenario's own limit
/// (which `wait:` steps extend). Never throws.
[[nodiscard]] drive_outcome drive_scenario(executor& exec, action first, const target& where,
                                           const account_context& who, const timing& limits);

}  // namespace pop3::harness::detail
