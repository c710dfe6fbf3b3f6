#pragma once
// The part of a scenario's result that comes from the scenario itself (id, suite, file, rules,
// level), so that every place that reports a scenario — the executor, the runner's fixture errors,
// the CLI's static skips — fills it the same way.
#include "pop3/harness/scenario.hpp"
#include "pop3/reports/model.hpp"

namespace pop3::harness {

/// A result for `s` with outcome `v` and `message`, everything else from the scenario.
[[nodiscard]] reports::scenario_result result_skeleton(const scenario& s, reports::verdict v = reports::verdict::pass,
                                                       std::string message = {});

}  // namespace pop3::harness
