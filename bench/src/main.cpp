// pop3bench: a load generator for POP3 servers on loopback (docs/performance.md).
//
//   pop3bench sessions --server 127.0.0.1:110 --tls --workers 8 --seconds 5
//   pop3bench retr --server 127.0.0.1:110 --message 2 --json out.json
//   pop3bench poll --poll wake --server 127.0.0.1:995 --tls
//   pop3bench idle --server 127.0.0.1:110 --workers 1000 --seconds 10 --ready-file /tmp/ready
//
// Prints one line of figures; --json FILE writes them as an object. Exit 0 when every operation
// succeeded, 1 when some failed (the first error is printed), 2 on a usage error.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "modes.hpp"

namespace {

using pop3::bench::bench_options;
using pop3::bench::figures;

// 10,000 idle connections need more descriptors than the usual soft limit of 1024.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

nlohmann::json to_json(const figures& f) {
  return {{"name", f.name},          {"workers", f.workers},   {"seconds", f.seconds},
          {"operations", f.operations}, {"errors", f.errors},  {"first_error", f.first_error},
          {"per_second", f.per_second}, {"p50_ms", f.p50_ms},  {"p90_ms", f.p90_ms},
          {"p99_ms", f.p99_ms},      {"payload_octets", f.payload_octets},
          {"mb_per_second", f.mb_per_second}, {"held", f.held}};
}

void print(const figures& f) {
  std::printf("%-22s workers %-5u %8.1f ops/s  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms", f.name.c_str(), f.workers,
              f.per_second, f.p50_ms, f.p90_ms, f.p99_ms);
  if (f.payload_octets != 0) std::printf("  %.1f MB/s", f.mb_per_second);
  if (f.name.starts_with("idle")) std::printf("  %zu of %u still answered", f.held, f.workers);
  std::printf("  errors %zu\n", f.errors);
  if (f.errors != 0) std::printf("  first error: %s\n", f.first_error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pop3bench: POP3 load generator (loopback only)"};
  app.require_subcommand(1);
  bench_options o;
  std::string server;
  bool tls = false;
  bool stls = false;
  double seconds = 5;
  double timeout = 10;
  std::string poll = "noop";
  std::string json_file;
  const std::map<std::string, pop3::bench::mode> modes{{"sessions", pop3::bench::mode::sessions},
                                                      {"retr", pop3::bench::mode::retr},
                                                      {"poll", pop3::bench::mode::poll},
                                                      {"idle", pop3::bench::mode::idle}};
  const std::map<std::string, pop3::bench::poll_kind> polls{{"fresh", pop3::bench::poll_kind::fresh},
                                                           {"noop", pop3::bench::poll_kind::noop},
                                                           {"core", pop3::bench::poll_kind::core},
                                                           {"wake", pop3::bench::poll_kind::wake}};
  for (const auto& [name, what] : modes) {
    auto* sub = app.add_subcommand(name);
    sub->add_option("--server", server, "HOST:PORT (loopback)")->required();
    sub->add_flag("--tls", tls, "implicit TLS (RFC 8314)");
    sub->add_flag("--stls", stls, "STLS after the greeting (RFC 2595)");
    sub->add_option("--ca", o.ca_file, "verify the server's certificate with this PEM (default: not verified)");
    sub->add_option("--user", o.user, "user name; {n} becomes the account number 1..accounts")->capture_default_str();
    sub->add_option("--pass", o.pass, "password")->capture_default_str();
    sub->add_option("--accounts", o.accounts, "accounts to spread the workers over (default: one per worker)");
    sub->add_option("--workers", o.workers, "concurrent clients")->capture_default_str();
    sub->add_option("--threads", o.threads, "threads (default: one per core)");
    sub->add_option("--seconds", seconds, "how long to run (idle: how long to hold)")->capture_default_str();
    sub->add_option("--count", o.max_operations, "stop after this many operations");
    sub->add_option("--timeout", timeout, "seconds any one read or write may take")->capture_default_str();
    sub->add_option("--json", json_file, "write the figures to FILE");
    if (what == pop3::bench::mode::retr) sub->add_option("--message", o.message, "message number")->capture_default_str();
    if (what == pop3::bench::mode::poll) sub->add_option("--poll", poll, "fresh, noop, core or wake")->capture_default_str();
    if (what == pop3::bench::mode::idle) {
      sub->add_flag("--sleep", o.sleep_idle, "send every connection to SLEEP (SLEEPING extension)");
      sub->add_option("--ready-file", o.ready_file, "written once every connection is logged in");
    }
    sub->callback([&o, what] { o.what = what; });
  }
  CLI11_PARSE(app, argc, argv);
  try {
    const auto colon = server.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--server must be HOST:PORT");
    o.host = server.substr(0, colon);
    if (o.host.starts_with('[')) o.host = o.host.substr(1, o.host.size() - 2);
    o.port = static_cast<std::uint16_t>(std::stoul(server.substr(colon + 1)));
    if (tls && stls) throw std::invalid_argument("--tls and --stls exclude each other");
    o.secure = tls ? pop3::bench::security::tls : stls ? pop3::bench::security::stls : pop3::bench::security::plain;
    if (!polls.contains(poll)) throw std::invalid_argument("--poll must be fresh, noop, core or wake");
    o.poll = polls.at(poll);
    o.duration = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    o.timeout = std::chrono::milliseconds(static_cast<long>(timeout * 1000));
    raise_descriptor_limit();
    const figures f = pop3::bench::run_bench(o);
    print(f);
    if (!json_file.empty()) std::ofstream(json_file) << to_json(f).dump(2) << '\n';
    return f.errors == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "pop3bench: " << e.what() << '\n';
    return 2;
  }
}
