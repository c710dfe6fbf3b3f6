#include "pop3/harness/result_skeleton.hpp"

namespace pop3::harness {

reports::scenario_result result_skeleton(const scenario& s, reports::verdict v, std::string message) {
  reports::scenario_result r;
  r.id = s.id;
  r.suite = s.id.substr(0, s.id.find('/'));  // the scenario folder: one JUnit testsuite each
  r.file = s.file;
  r.title = s.title;
  for (const auto& rule : s.rules) r.rules.push_back(rule.id);
  r.lvl = s.lvl;
  r.outcome = v;
  r.message = std::move(message);
  return r;
}

}  // namespace pop3::harness
