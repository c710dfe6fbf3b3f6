// The corpus index, the proxied upstream and running scenarios through it.
#include "check_support.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>

#include "fault_proxy.hpp"
#include "pop3/harness/lint.hpp"
#include "pop3/harness/net/embedded_server.hpp"
#include "pop3/refd/server.hpp"

namespace pop3::mutation {
namespace {

namespace fs = std::filesystem;

// How long a scenario idles on purpose: its waits and the longest <silence> of each read.
std::chrono::milliseconds idle_time(const harness::scenario& s) {
  std::chrono::milliseconds total{0};
  for (const auto& st : s.steps) {
    if (const auto* w = std::get_if<harness::wait_step>(&st.action)) total += w->duration;
    if (const auto* e = std::get_if<harness::expect_step>(&st.action)) {
      std::chrono::milliseconds longest{0};
      for (const auto& o : e->alternatives) longest = std::max(longest, o.silence);
      total += longest;
    }
  }
  return total;
}

// The account of every upstream: like the embedded server's first one (alice1).
constexpr const char* account_user = "alice1";
constexpr const char* account_password = "mutation-check-pass";
constexpr const char* account_apop_secret = "mutation-check-apop";

}  // namespace

scenario_index::scenario_index(const fs::path& dir) {
  const auto rules_file = dir / std::string(harness::rule_catalogue_file);
  if (!fs::is_regular_file(rules_file)) throw std::runtime_error("no " + rules_file.string());
  auto loaded = harness::rule_catalogue::load(rules_file);
  catalogue_ = std::move(loaded.catalogue);
  for (const auto& d : loaded.diagnostics) problems_.push_back(d.to_string());

  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == harness::scenario_extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto parsed = harness::parse_scenario_file(file);
    auto problems = parsed.diagnostics;
    if (problems.empty()) problems = harness::lint_rules(parsed.value, catalogue_);
    if (!problems.empty()) {
      problems_.push_back(problems.front().to_string());
      continue;
    }
    harness::mark_security(parsed.value, catalogue_);
    auto indexed = std::make_unique<indexed_scenario>();
    indexed->idle = idle_time(parsed.value);
    indexed->s = std::move(parsed.value);
    for (const auto& r : indexed->s.rules) by_rule_[r.id].push_back(indexed.get());
    scenarios_.push_back(std::move(indexed));
  }
  for (auto& [rule, list] : by_rule_) {
    std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->s.id < b->s.id; });
  }
}

std::vector<const indexed_scenario*> scenario_index::covering(std::string_view rule) const {
  const auto it = by_rule_.find(rule);
  return it == by_rule_.end() ? std::vector<const indexed_scenario*>{} : it->second;
}

shared_files::shared_files() {
  for (const char* sub : {"trusted", "untrusted"}) fs::create_directories(dir_.base() / sub);
  trusted_ = harness::generate_self_signed_certificate(dir_.base() / "trusted");
  const auto other = harness::generate_self_signed_certificate(dir_.base() / "untrusted");
  untrusted_ = upstream_files{other.cert, other.key};
}

struct proxied_upstream::impl {
  testing::temp_maildir dir;  // declared first: outlives the server
  std::unique_ptr<refd::server> server;
  std::unique_ptr<fault_proxy> proxy;
  harness::account acct;
  std::uint16_t upstream_port = 0;
  std::string ca_file;
  const harness::embedded_variant* variant = nullptr;  // the profile's, if it names one
};

proxied_upstream::proxied_upstream(const shared_files& files, std::string_view profile, const fault_spec* fault,
                                   bool configuration_only)
    : impl_(std::make_unique<impl>()) {
  // As harness/src/net/embedded_server.cpp sets pop3refd up, so that the baseline is the run
  // the corpus is written against.
  refd::server_config config;
  config.listen = {refd::listen_endpoint{"127.0.0.1", 0, false}};
  config.maildir_root = impl_->dir.root();
  config.tls_cert = files.trusted().cert;
  config.tls_key = files.trusted().key;
  config.implementation = "pop3refd (embedded in pop3spec)";
  refd::user_account user;
  user.name = account_user;
  user.password = account_password;
  user.apop_secret = account_apop_secret;
  config.users[user.name] = user;
  impl_->dir.create_user(account_user);
  impl_->acct.user = account_user;
  harness::add_special_logins(impl_->acct, config);
  apply_profile(profile, config);
  impl_->variant = variant_profile(profile);
  if (fault && fault->configure) fault->configure(config, files.untrusted());

  if (fault && fault->store) {
    impl_->server = std::make_unique<refd::server>(config, fault->store(config.maildir_root));
  } else {
    impl_->server = std::make_unique<refd::server>(config);
  }
  impl_->server->start_background();
  impl_->upstream_port = impl_->server->bound_ports().at(0);
  impl_->ca_file = files.trusted().cert.string();

  const credentials creds{account_user, account_password, account_apop_secret};
  fault_factory make = fault && fault->proxy && !configuration_only
                           ? fault->proxy()
                           : fault_factory([] { return std::make_unique<mutation::fault>(); });
  impl_->proxy = std::make_unique<fault_proxy>(impl_->upstream_port, creds, std::move(make));

  impl_->acct.password = account_password;
  impl_->acct.apop_secret = account_apop_secret;
  impl_->acct.disposable = true;
  impl_->acct.fixtures =
      harness::make_fixture_adapter("maildir:" + (impl_->dir.root() / "{user}").string(), std::chrono::seconds(10));
}

proxied_upstream::~proxied_upstream() {
  impl_->proxy->stop();
  impl_->server->stop();
}

harness::target proxied_upstream::target() const {
  harness::target t;
  t.host = "127.0.0.1";
  t.port = impl_->proxy->port();
  t.ca_file = impl_->ca_file;
  t.description = "127.0.0.1:" + std::to_string(t.port) + " (pop3refd behind the fault proxy)";
  t.facts = harness::embedded_server::declared_facts();  // the upstream is set up like the embedded server
  if (const auto* v = impl_->variant) {  // as `pop3spec run` reaches the variant
    t.facts.insert(t.facts.end(), v->facts.begin(), v->facts.end());
    if (v->tls) t.tls = *v->tls;
  }
  return t;
}

harness::target proxied_upstream::direct_target() const {
  auto t = target();
  t.port = impl_->upstream_port;
  t.description = "127.0.0.1:" + std::to_string(t.port) + " (pop3refd)";
  return t;
}

const harness::account& proxied_upstream::account() const noexcept { return impl_->acct; }

proxied_run run_proxied(const proxied_upstream& upstream, std::span<const indexed_scenario* const> scenarios,
                        const harness::timing& limits, bool stop_at_first_failure) {
  proxied_run out;
  harness::account_context who{upstream.account(), {}, {}};
  try {
    who.caps = harness::probe_account(upstream.target(), who.acct, limits);
  } catch (const std::exception& through_proxy) {
    out.probe_problem = through_proxy.what();
    try {
      who.caps = harness::probe_account(upstream.direct_target(), who.acct, limits);
    } catch (const std::exception& direct) {
      out.probe_problem += std::string("; the direct probe failed too: ") + direct.what();
      return out;
    }
  }
  for (const auto* s : scenarios) {
    out.results.push_back(harness::run_scenario(s->s, upstream.target(), who, limits));
    const auto& r = out.results.back();
    if (stop_at_first_failure && r.outcome == reports::verdict::fail && r.lvl == reports::level::must) break;
  }
  return out;
}

}  // namespace pop3::mutation
