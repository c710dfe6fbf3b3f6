// plan_mirror(): the reference server's capability switches from the server under test's CAPA.
#include "pop3/harness/compare_mirror.hpp"

#include "pop3/protocol/auth.hpp"

namespace pop3::harness {
namespace {

const protocol::capability* advertised(const server_profile& p, std::string_view tag) {
  const protocol::capability* c = p.before_login.find(tag);
  return c != nullptr ? c : p.after_login.find(tag);
}

}  // namespace

mirror_plan plan_mirror(const server_profile& under_test) {
  mirror_plan plan;
  for (const std::string_view tag : mirrored_tags) {
    plan.switches.emplace_back(std::string(tag), advertised(under_test, tag) != nullptr);
  }
  plan.switches.emplace_back("APOP", protocol::find_apop_timestamp(under_test.greeting).has_value());
  // XTND and LAST have no CAPA tag: nothing says the server under test has them.
  plan.switches.emplace_back("XTND", false);
  plan.switches.emplace_back("LAST", false);
  plan.notes.push_back("XTND and LAST are off on the reference: they have no CAPA tag to mirror");
  const auto before = under_test.before_login.sasl_mechanisms();
  plan.sasl_mechanisms = before.empty() ? under_test.after_login.sasl_mechanisms() : before;
  if (const auto* expire = advertised(under_test, "EXPIRE"); expire != nullptr && !expire->params.empty()) {
    plan.expire = expire->params.front();
  }
  const auto* delay = advertised(under_test, "LOGIN-DELAY");
  if (delay != nullptr && !(delay->params.size() == 1 && delay->params.front() == "0")) {
    // pop3refd enforces the delay it announces, which would refuse the run's own logins.
    plan.notes.push_back("LOGIN-DELAY is announced, but not its value (" +
                         (delay->params.empty() ? std::string("none") : delay->params.front()) +
                         "): pop3refd enforces the delay it announces");
  }
  return plan;
}

}  // namespace pop3::harness
