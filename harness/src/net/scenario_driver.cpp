// The scenario driver: one coroutine that asks the executor for actions and performs them on
// detail::connection objects (one per scenario connection name), on a private io_context.
//
// Flow: a = first; loop { if finished -> done; e = co_await perform(a); exec.on(e); a = exec.next() }.
// Once the scenario's time limit has passed, every action is answered at once (reads time out,
// writes fail) so the executor reaches its verdict quickly; a hard cap on those answers guards
// against an executor that never finishes.
#include "scenario_driver.hpp"

#include <map>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "connection.hpp"

namespace pop3::harness::detail {
namespace {

constexpr std::size_t max_actions_after_deadline = 10000;

event to_event(const io_outcome& outcome) {
  switch (outcome.status) {
    case io_outcome::kind::ok: return ok_event{outcome.what};
    case io_outcome::kind::closed: return closed_event{outcome.close};
    case io_outcome::kind::timeout: return failed_event{outcome.what, false};
    case io_outcome::kind::failed: break;
  }
  return failed_event{outcome.what, !outcome.server_fault, outcome.refused};
}

class driver {
 public:
  driver(asio::io_context& io, const target& where, const account_context& who, const timing& limits)
      : io_(io),
        tls_(make_client_tls_context(client_tls_for(where))),
        where_(where),
        who_(who),
        limits_(limits),
        deadline_(steady::now() + limits.scaled_limit()) {}

  asio::awaitable<drive_outcome> run(executor& exec, action next) {
    drive_outcome out;
    std::size_t late_actions = 0;
    while (!std::holds_alternative<finished_action>(next)) {
      if (over_time_ && ++late_actions > max_actions_after_deadline) {
        out.problem = "the executor did not finish after the scenario's time limit";
        break;
      }
      exec.on(co_await std::visit([this](const auto& a) { return perform(a); }, next));
      next = exec.next();
    }
    out.finished = std::holds_alternative<finished_action>(next);
    out.over_time = over_time_;
    for (auto& [name, conn] : connections_) conn->close();
    co_return out;
  }

 private:
  // The deadline of one operation: its own timeout, capped by the scenario's limit.
  [[nodiscard]] steady::time_point deadline_for(std::chrono::milliseconds timeout) const {
    return std::min(steady::now() + timeout, deadline_);
  }

  // After each operation: did it end because the scenario ran out of time?
  void note_deadline_passed() {
    if (steady::now() >= deadline_) over_time_ = true;
  }

  connection* find(const std::string& name) {
    auto it = connections_.find(name);
    return it == connections_.end() || !it->second->is_open() ? nullptr : it->second.get();
  }

  static event not_open(const std::string& name) {
    return failed_event{"connection \"" + name + "\" is not open", true};
  }

  asio::awaitable<event> perform(const connect_action& a) {
    if (over_time_) co_return failed_event{"the scenario's time limit has passed", false};
    auto conn = std::make_unique<connection>(io_.get_executor(), tls_, !where_.insecure);
    auto outcome = co_await conn->connect(where_.host, where_.port, where_.tls == tls_mode::implicit,
                                          deadline_for(limits_.scaled_read()));
    connections_[a.conn] = std::move(conn);
    note_deadline_passed();
    if (outcome.status == io_outcome::kind::timeout) co_return failed_event{outcome.what, true};
    co_return to_event(outcome);
  }

  asio::awaitable<event> perform(const send_action& a) {
    auto* conn = find(a.conn);
    if (!conn) co_return not_open(a.conn);
    if (over_time_) co_return failed_event{"the scenario's time limit has passed", false};
    auto outcome = co_await conn->send(a.bytes, a.chunk_size, deadline_for(limits_.scaled_read()));
    note_deadline_passed();
    co_return to_event(outcome);
  }

  asio::awaitable<event> perform(const read_line_action& a) {
    auto* conn = find(a.conn);
    if (!conn) co_return closed_event{};  // closed earlier: reading it shows the close again
    if (over_time_) co_return timeout_event{};
    // An explicit silence period is part of the scenario's meaning and is not scaled.
    const auto timeout = a.timeout.count() > 0 ? a.timeout : limits_.scaled_read();
    const auto started = steady::now();
    // A login answer gets its whole --auth-timeout, even near the scenario's limit.
    const auto until = a.login_answer ? started + timeout : deadline_for(timeout);
    auto outcome = co_await conn->read_line(a.max_octets, until);
    if (a.login_answer) deadline_ += steady::now() - started;  // the server's delay, not the scenario's
    note_deadline_passed();
    switch (outcome.status) {
      case io_outcome::kind::ok: co_return line_event{std::move(outcome.line)};
      case io_outcome::kind::timeout: co_return timeout_event{};
      default: co_return to_event(outcome);
    }
  }

  asio::awaitable<event> perform(const start_tls_action& a) {
    auto* conn = find(a.conn);
    if (!conn) co_return not_open(a.conn);
    if (over_time_ && a.refusal_expected) co_return timeout_event{};  // no refusal seen
    if (over_time_) co_return failed_event{"the scenario's time limit has passed", false};
    auto outcome = co_await conn->start_tls(deadline_for(limits_.scaled_read()), a.offer, a.refusal_expected);
    note_deadline_passed();
    // A server that neither completes nor refuses has not refused; a plain `tls` keeps reporting
    // a handshake timeout as a failed handshake.
    if (a.refusal_expected && outcome.status == io_outcome::kind::timeout) co_return timeout_event{};
    co_return to_event(outcome);
  }

  asio::awaitable<event> perform(const close_action& a) {
    if (auto it = connections_.find(a.conn); it != connections_.end()) it->second->close();
    co_return ok_event{};
  }

  asio::awaitable<event> perform(const deliver_action& a) {
    if (!who_.acct.fixtures) co_return failed_event{"deliver: no fixture adapter is configured", true};
    try {
      who_.acct.fixtures->deliver(mailbox_owner{who_.acct.user, who_.acct.address}, a.message);
    } catch (const std::exception& e) {
      co_return failed_event{std::string("deliver: ") + e.what(), true};
    }
    co_return ok_event{};
  }

  asio::awaitable<event> perform(const wait_action& a) {
    if (over_time_) co_return ok_event{};
    // Waits are the scenario's own time (e.g. for LOGIN-DELAY): they extend its limit.
    deadline_ += a.duration;
    asio::steady_timer timer(io_, a.duration);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return ok_event{};
  }

  asio::awaitable<event> perform(const finished_action&) { co_return ok_event{}; }

  asio::io_context& io_;
  asio::ssl::context tls_;
  const target& where_;
  const account_context& who_;
  const timing& limits_;
  steady::time_point deadline_;
  bool over_time_ = false;
  std::map<std::string, std::unique_ptr<connection>> connections_;
};

}  // namespace

drive_outcome drive_scenario(executor& exec, action first, const target& where, const account_context& who,
                             const timing& limits) {
  drive_outcome out;
  try {
    asio::io_context io;
    driver d(io, where, who, limits);
    std::exception_ptr failure;
    asio::co_spawn(io, d.run(exec, std::move(first)), [&](std::exception_ptr e, drive_outcome r) {
      failure = e;
      out = std::move(r);
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    out.finished = false;
    out.problem = std::string("internal error: ") + e.what();
  }
  return out;
}

}  // namespace pop3::harness::detail
