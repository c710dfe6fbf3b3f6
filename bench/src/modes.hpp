#pragma once
// The load generator's modes (docs/performance.md): what one operation is, and the figures a
// run of many workers produces. No Asio in this header.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pop3::bench {

enum class security { plain, stls, tls };

enum class mode { sessions, retr, poll, idle };
/// What one poll is: a fresh TLS session (connect, login, STAT, QUIT), or a command sequence on
/// one held, logged-in connection.
enum class poll_kind { fresh, noop, core, wake };

struct bench_options {
  mode what = mode::sessions;
  poll_kind poll = poll_kind::noop;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  security secure = security::plain;
  std::string ca_file;          ///< empty: the server's certificate is not verified
  std::string user = "bench{n}";  ///< {n}: the account number, 1 .. accounts
  std::string pass = "bench-pass";
  unsigned accounts = 0;        ///< 0: one per worker
  unsigned workers = 1;
  unsigned threads = 0;         ///< 0: one per core, at most one per worker
  std::chrono::milliseconds duration{5000};
  std::size_t max_operations = 0;  ///< 0: no bound but the duration
  std::chrono::milliseconds timeout{10000};
  unsigned message = 1;         ///< retr: the message number
  bool sleep_idle = false;      ///< idle: send the connections to SLEEP (SLEEPING extension)
  std::string ready_file;       ///< idle: written once every connection is logged in
};

struct figures {
  std::string name;              ///< e.g. "sessions tls", "retr 2", "poll noop"
  unsigned workers = 0;
  double seconds = 0;
  std::size_t operations = 0;
  std::size_t errors = 0;
  std::string first_error;
  double per_second = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0;
  std::size_t payload_octets = 0;  ///< retr: un-stuffed message octets received
  double mb_per_second = 0;        ///< retr: payload MB (10^6 octets) per second
  std::size_t held = 0;            ///< idle: connections that still answered at the end
};

/// Runs one mode to its end (duration or operation count) and returns its figures. Throws
/// std::invalid_argument for options that do not fit together.
[[nodiscard]] figures run_bench(const bench_options& options);

/// Percentile (0..100) of latencies, in milliseconds; 0 for none. Sorts `samples`.
[[nodiscard]] double percentile_ms(std::vector<std::chrono::nanoseconds>& samples, double pct);

}  // namespace pop3::bench
