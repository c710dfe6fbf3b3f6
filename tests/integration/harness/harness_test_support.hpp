#pragma once
// Shared by the harness integration tests: parse scenario text, build targets and accounts, and
// measure the process's peak memory.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pop3/harness/net/runner.hpp"
#include "pop3/harness/scenario.hpp"

namespace pop3::testing {

/// Parses scenario text that must be valid; throws with the diagnostics otherwise.
inline harness::scenario parse_valid(std::string_view text, std::string file = "test.pop3") {
  auto parsed = harness::parse_scenario(text, std::move(file));
  if (!parsed.ok()) {
    std::string all;
    for (const auto& d : parsed.diagnostics) all += d.to_string() + "\n";
    throw std::runtime_error("scenario does not parse:\n" + all);
  }
  return std::move(parsed.value);
}

inline harness::target loopback(std::uint16_t port, harness::tls_mode tls = harness::tls_mode::none) {
  harness::target t;
  t.host = "127.0.0.1";
  t.port = port;
  t.tls = tls;
  t.description = "127.0.0.1:" + std::to_string(port);
  return t;
}

/// Short limits, so that a test of a silent server takes about a second.
inline harness::timing quick(std::chrono::milliseconds read = std::chrono::milliseconds(800),
                             std::chrono::milliseconds scenario = std::chrono::seconds(20)) {
  harness::timing t;
  t.read_timeout = read;
  t.scenario_limit = scenario;
  return t;
}

/// An account on a fake server, probed by hand: USER/TOP/UIDL before login.
inline harness::account_context fake_account() {
  harness::account_context who;
  who.acct.user = "alice";
  who.acct.password = "secret-pass";
  const std::vector<std::string> capa{"USER", "TOP", "UIDL"};
  who.caps.before_login = protocol::capability_set::parse(capa);
  who.caps.after_login = who.caps.before_login;
  who.caps.logged_in = true;
  return who;
}

/// Every transcript line, one per line, for failure messages and searches.
inline std::string transcript_of(const reports::scenario_result& r) {
  std::string out;
  for (const auto& l : r.transcript) out += l.connection + " " + std::to_string(static_cast<int>(l.dir)) + " " + l.text + "\n";
  return out;
}

/// Resets the kernel's peak-RSS mark (Linux: "5" to /proc/self/clear_refs), so that
/// peak_rss_kib() measures from now on.
inline void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

/// The process's peak resident set size (VmHWM) in KiB.
inline long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace pop3::testing
