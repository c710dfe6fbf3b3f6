#pragma once
// The sans-I/O core of the fault-injecting proxy: octets in from both sides, octets out to both
// sides, with one fault in between. It frames lines, tracks which response answers which line
// (multi-line bodies, SASL challenges, pipelined batches), keeps the answers to the client in
// command order when a fault answers some lines itself, and follows the session state.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fault.hpp"

namespace pop3::mutation {

/// Flow: client_bytes()/server_bytes() as octets arrive, client_closed()/server_closed() at EOF;
/// after each call the driver writes take_for_client()/take_for_server() out and then closes
/// the sides that wants_*_closed() names. Until the upstream accepts STLS the pipe frames lines
/// and runs the fault; from then on it is a byte tunnel (the TLS session is end to end).
class fault_pipe final : private fault_actions {
 public:
  fault_pipe(std::unique_ptr<fault> f, credentials account);
  ~fault_pipe() override;
  fault_pipe(const fault_pipe&) = delete;
  fault_pipe& operator=(const fault_pipe&) = delete;

  void client_bytes(std::string_view bytes);
  void server_bytes(std::string_view bytes);
  void client_closed();
  void server_closed();
  /// The driver's clock, about once a second (faults about idle time).
  void tick(std::chrono::steady_clock::time_point now);

  [[nodiscard]] std::string take_for_client();
  [[nodiscard]] std::string take_for_server();
  [[nodiscard]] bool wants_client_closed() const noexcept { return close_client_; }
  [[nodiscard]] bool wants_server_closed() const noexcept { return close_server_; }
  [[nodiscard]] pop3_state state() const noexcept { return state_; }
  [[nodiscard]] bool tunnelling() const noexcept { return tunnel_; }

 private:
  // One answer owed to the client, in the order the client sent its lines.
  struct slot {
    std::string held;             // output produced before the answers ahead of it were done
    std::size_t outstanding = 0;  // upstream answers still to come for it
    bool open = true;             // its client line is still being handled
  };
  // One line sent upstream, awaiting its answer.
  struct upstream_entry {
    std::shared_ptr<client_line> answers;  // what the fault is told it answers
    std::shared_ptr<client_line> sent;     // what was actually sent (classifies the answer)
    std::optional<std::uint64_t> slot;     // the client answer it belongs to
    bool injected = false;
  };

  // fault_actions
  void to_client(std::string_view line) override;
  void to_client_raw(std::string_view bytes) override;
  void forward(std::string_view line) override;
  void inject(std::string_view line) override;
  void close_client() override { close_client_ = true; }
  void close_server() override { close_server_ = true; }
  [[nodiscard]] const credentials& account() const noexcept override { return account_; }

  void handle_client_line(std::string raw, bool already_sent);
  void handle_server_line(std::string raw);
  void send_upstream(std::string_view line, bool injected);
  [[nodiscard]] bool continues_sasl() const;
  [[nodiscard]] std::shared_ptr<client_line> parse_line(std::string raw, bool sasl_response) const;
  void finish_answer(const upstream_entry& entry, const server_line& line);
  void settle();
  void start_tunnel();

  std::unique_ptr<fault> fault_;
  credentials account_;
  pop3_state state_ = pop3_state::authorization;
  bool greeted_ = false, in_data_ = false, tunnel_ = false;
  bool close_client_ = false, close_server_ = false;

  std::string client_partial_, server_partial_;
  bool partial_sent_ = false;     // the client's unfinished line already went upstream
  std::size_t lines_seen_ = 0;
  std::size_t unanswered_ = 0;    // client lines without a complete answer yet
  std::shared_ptr<client_line> previous_;  // the client's latest line (SASL continuations)
  bool previous_challenged_ = false, previous_final_ = false;

  std::deque<slot> slots_;
  std::uint64_t first_slot_ = 0;  // id of slots_.front()
  std::deque<upstream_entry> upstream_;
  std::optional<std::uint64_t> context_slot_;     // where fault output goes right now
  std::shared_ptr<client_line> context_line_;     // what a forward() now answers

  std::string for_client_, for_server_;
};

}  // namespace pop3::mutation
