// The load generator's modes: a worker coroutine per simulated client, spread over one
// io_context per thread; each worker keeps its own samples, merged at the end (no locks on the
// hot path). See modes.hpp.
#include "modes.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client.hpp"

namespace pop3::bench {
namespace {

using clock = std::chrono::steady_clock;
using asio::use_awaitable;

struct worker_figures {
  std::vector<std::chrono::nanoseconds> latencies;
  std::size_t errors = 0;
  std::string first_error;
  std::size_t payload = 0;
  std::size_t held = 0;
};

// What all workers share; touched once per operation, so atomics are enough.
struct shared_run {
  const bench_options& options;
  tcp::endpoint server;
  asio::ssl::context& tls;
  clock::time_point deadline;
  std::atomic<std::size_t> started{0};
  // idle: logins still to finish; the last one starts the hold.
  std::atomic<std::size_t> logging_in{0};
  std::atomic<clock::rep> hold_until{0};

  // Whether another operation may start: the run's time and count bounds.
  bool take() {
    if (clock::now() >= deadline) return false;
    return options.max_operations == 0 || started.fetch_add(1) < options.max_operations;
  }
  [[nodiscard]] std::string user_of(unsigned worker) const {
    const unsigned accounts = options.accounts == 0 ? options.workers : options.accounts;
    std::string name = options.user;
    const auto at = name.find("{n}");
    if (at != std::string::npos) name.replace(at, 3, std::to_string(worker % accounts + 1));
    return name;
  }
};

void note_error(worker_figures& out, const std::exception& e) {
  if (out.errors++ == 0) out.first_error = e.what();
}

asio::awaitable<void> pause(std::chrono::milliseconds how_long) {
  asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
  co_await timer.async_wait(use_awaitable);
}

// A whole session per operation: connect (with TLS as asked), greeting, USER, PASS, STAT, QUIT,
// the server's close. Also "poll fresh".
asio::awaitable<void> sessions_worker(shared_run& run, unsigned index, worker_figures& out) {
  const auto executor = co_await asio::this_coro::executor;
  const std::string user = run.user_of(index);
  while (run.take()) {
    const auto start = clock::now();
    bool failed = false;
    try {
      client c(executor, run.tls, run.options.timeout);
      co_await c.connect(run.server, run.options.secure);
      co_await c.login(user, run.options.pass);
      co_await c.command("STAT");
      co_await c.quit();
      out.latencies.push_back(clock::now() - start);
    } catch (const std::exception& e) {
      note_error(out, e);
      failed = true;
    }
    if (failed) co_await pause(std::chrono::milliseconds(10));  // a refusing server must not make us spin
  }
}

std::size_t size_in_list_answer(std::string_view answer) {  // "+OK n size"
  const auto last = answer.find_last_of(' ');
  if (last == std::string_view::npos) throw bench_error("LIST: no size in " + std::string(answer));
  return std::stoul(std::string(answer.substr(last + 1)));
}

// One RETR per operation on a held session; every payload must have the size LIST gave.
asio::awaitable<void> retr_worker(shared_run& run, unsigned index, worker_figures& out) {
  const auto executor = co_await asio::this_coro::executor;
  const std::string number = std::to_string(run.options.message);
  while (clock::now() < run.deadline) {
    try {
      client c(executor, run.tls, run.options.timeout);
      co_await c.connect(run.server, run.options.secure);
      co_await c.login(run.user_of(index), run.options.pass);
      const std::size_t size = size_in_list_answer(co_await c.command("LIST " + number));
      while (run.take()) {
        const auto start = clock::now();
        co_await c.command("RETR " + number);
        const std::size_t got = co_await c.data();
        if (got != size) {
          throw bench_error("RETR " + number + " sent " + std::to_string(got) + " octets, LIST said " + std::to_string(size));
        }
        out.latencies.push_back(clock::now() - start);
        out.payload += got;
      }
      co_await c.quit();
      co_return;
    } catch (const std::exception& e) {
      note_error(out, e);
    }
    co_await pause(std::chrono::milliseconds(10));  // only after a failure: success returns above
  }
}

// poll noop / core / wake: the cheap polls a client can make on a connection it holds.
asio::awaitable<void> held_poll_worker(shared_run& run, unsigned index, worker_figures& out) {
  const auto executor = co_await asio::this_coro::executor;
  while (clock::now() < run.deadline) {
    try {
      client c(executor, run.tls, run.options.timeout);
      co_await c.connect(run.server, run.options.secure);
      co_await c.login(run.user_of(index), run.options.pass);
      if (run.options.poll == poll_kind::wake) co_await c.command("SLEE");
      while (run.take()) {
        const auto start = clock::now();
        switch (run.options.poll) {
          case poll_kind::core: co_await c.command("CORE"); break;
          case poll_kind::wake:
            co_await c.command("WAKE");
            co_await c.command("STAT");
            co_await c.command("SLEE");
            break;
          default:
            co_await c.command("NOOP");
            co_await c.command("STAT");
        }
        out.latencies.push_back(clock::now() - start);
      }
      co_await c.quit();
      co_return;
    } catch (const std::exception& e) {
      note_error(out, e);
    }
    co_await pause(std::chrono::milliseconds(10));  // only after a failure: success returns above
  }
}

void write_ready_file(const std::string& path) {
  if (path.empty()) return;
  std::ofstream(path) << "ready\n";
}

// idle: log in (optionally SLEE), wait until every worker has, hold for the duration, then
// check that the connection still answers.
asio::awaitable<void> idle_worker(shared_run& run, unsigned index, worker_figures& out) {
  const auto executor = co_await asio::this_coro::executor;
  client c(executor, run.tls, run.options.timeout);
  bool logged_in = false;
  try {
    const auto start = clock::now();
    co_await c.connect(run.server, run.options.secure);
    co_await c.login(run.user_of(index), run.options.pass);
    if (run.options.sleep_idle) co_await c.command("SLEE");
    out.latencies.push_back(clock::now() - start);
    logged_in = true;
  } catch (const std::exception& e) {
    note_error(out, e);
  }
  if (run.logging_in.fetch_sub(1) == 1) {  // the last login: the hold starts now
    run.hold_until = (clock::now() + run.options.duration).time_since_epoch().count();
    write_ready_file(run.options.ready_file);
  }
  while (run.hold_until.load() == 0 || clock::now().time_since_epoch().count() < run.hold_until.load()) {
    co_await pause(std::chrono::milliseconds(50));
  }
  if (!logged_in) co_return;
  try {
    if (run.options.sleep_idle) co_await c.command("WAKE");
    co_await c.command("NOOP");
    co_await c.quit();
    ++out.held;
  } catch (const std::exception& e) {
    note_error(out, e);
  }
}

asio::awaitable<void> worker(shared_run& run, unsigned index, worker_figures& out) {
  switch (run.options.what) {
    case mode::sessions: return sessions_worker(run, index, out);
    case mode::retr: return retr_worker(run, index, out);
    case mode::idle: return idle_worker(run, index, out);
    case mode::poll:
      return run.options.poll == poll_kind::fresh ? sessions_worker(run, index, out) : held_poll_worker(run, index, out);
  }
  throw std::invalid_argument("unknown mode");
}

std::string name_of(const bench_options& o) {
  static const char* const securities[] = {"plain", "stls", "tls"};
  static const char* const polls[] = {"fresh", "noop", "core", "wake"};
  const std::string secure = securities[static_cast<int>(o.secure)];
  switch (o.what) {
    case mode::sessions: return "sessions " + secure;
    case mode::retr: return "retr " + std::to_string(o.message) + " " + secure;
    case mode::poll: return std::string("poll ") + polls[static_cast<int>(o.poll)] + " " + secure;
    case mode::idle: return std::string(o.sleep_idle ? "idle sleeping " : "idle ") + secure;
  }
  return "?";
}

asio::ssl::context make_tls_context(const bench_options& o) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  if (o.ca_file.empty()) {
    tls.set_verify_mode(asio::ssl::verify_none);
  } else {
    tls.load_verify_file(o.ca_file);
    tls.set_verify_mode(asio::ssl::verify_peer);
  }
  return tls;
}

}  // namespace

double percentile_ms(std::vector<std::chrono::nanoseconds>& samples, double pct) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto at = static_cast<std::size_t>(std::lround(pct / 100.0 * static_cast<double>(samples.size() - 1)));
  return std::chrono::duration<double, std::milli>(samples[at]).count();
}

figures run_bench(const bench_options& options) {
  if (options.workers == 0) throw std::invalid_argument("--workers must be at least 1");
  if (options.port == 0) throw std::invalid_argument("--server HOST:PORT is required");
  const auto address = asio::ip::make_address(options.host);
  if (!address.is_loopback()) throw std::invalid_argument("pop3bench only loads loopback addresses, not " + options.host);
  asio::ssl::context tls = make_tls_context(options);
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const unsigned threads = std::min(options.workers, options.threads == 0 ? cores : options.threads);

  shared_run run{options, tcp::endpoint(address, options.port), tls, {}, {}, {}, {}};
  run.logging_in = options.workers;
  std::vector<worker_figures> results(options.workers);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned t = 0; t < threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  const auto start = clock::now();
  run.deadline = options.what == mode::idle ? clock::time_point::max() : start + options.duration;
  for (unsigned w = 0; w < options.workers; ++w) {
    asio::co_spawn(*contexts[w % threads], worker(run, w, results[w]), asio::detached);
  }
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back([&context = *contexts[t]] { context.run(); });
  contexts[0]->run();
  for (auto& thread : pool) thread.join();
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();

  figures f;
  f.name = name_of(options);
  f.workers = options.workers;
  f.seconds = seconds;
  std::vector<std::chrono::nanoseconds> all;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies.begin(), r.latencies.end());
    if (f.errors == 0 && r.errors != 0) f.first_error = r.first_error;
    f.errors += r.errors;
    f.payload_octets += r.payload;
    f.held += r.held;
  }
  f.operations = all.size();
  const double active = options.what == mode::idle ? std::chrono::duration<double>(options.duration).count() : seconds;
  f.per_second = options.what == mode::idle ? 0 : static_cast<double>(f.operations) / active;
  f.mb_per_second = static_cast<double>(f.payload_octets) / 1e6 / seconds;
  f.p50_ms = percentile_ms(all, 50);
  f.p90_ms = percentile_ms(all, 90);
  f.p99_ms = percentile_ms(all, 99);
  return f;
}

}  // namespace pop3::bench
