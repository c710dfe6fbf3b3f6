#pragma once
// Internals of the differential comparison (compare_*.cpp): how a response is taken apart and
// the stateful comparer of paired responses.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/harness/compare.hpp"

namespace pop3::harness::detail {

/// A command line's keyword (upper case) and whether arguments follow it.
struct command_shape {
  std::string keyword;
  bool has_args = false;
};
[[nodiscard]] command_shape shape_of(std::string_view command);

/// A status line taken apart: the status token, the response code, the fields the command
/// defines (STAT: count size; LIST n: n size; UIDL n: n uid; none otherwise) and the free text.
struct status_parts {
  std::string status;               ///< "+OK", "-ERR", "+" (a SASL continuation) or the first token
  std::optional<std::string> code;  ///< "SYS/TEMP", as sent
  std::vector<std::string> fields;
  std::string text;
};
[[nodiscard]] status_parts split_status(std::string_view line, const command_shape& command);

/// Flow: lines() once per pair of responses that both sent a status line, in run order. The
/// pairings of unique-ids and size offsets by message live for the whole run, so a message keeps
/// its partner throughout. Every divergence and every normalised difference goes to `out`.
class response_comparer {
 public:
  /// Capability divergences in `probe` are only counted (see compare_runs()).
  response_comparer(const compare_options& options, comparison& out, const comparison* probe);

  void lines(const recorded_response& ref, const recorded_response& sut);
  /// After the last pair: notes what was left out.
  void finish();

 private:
  /// Two CAPA listings as capability sets; a difference already reported is only counted.
  void capabilities(const recorded_response& at, const protocol::capability_set& ref,
                    const protocol::capability_set& sut);
  /// The APOP timestamps of two greetings: presence always, values unless apop-timestamp.
  void timestamps(const recorded_response& at, std::string_view ref_greeting, std::string_view sut_greeting);
  void add(const recorded_response& at, divergence::kind k, std::string what, std::string ref,
           std::string sut);
  /// A difference that the normalisation `n` allows: counted when on, reported as `k` when off.
  void normalised(normalisation n, const recorded_response& at, divergence::kind k, std::string what,
                  std::string_view ref, std::string_view sut);
  void status_line(const recorded_response& ref, const recorded_response& sut);
  void fields(const recorded_response& at, const command_shape& command, const status_parts& ref,
              const status_parts& sut);
  void greeting(const recorded_response& at, const status_parts& ref, const status_parts& sut);
  void size(const recorded_response& at, const std::string& message, std::string_view ref,
            std::string_view sut);
  void unique_id(const recorded_response& at, const std::string& message, std::string_view ref,
                 std::string_view sut);

  // multi-line data (compare_content.cpp)
  void data(const recorded_response& ref, const recorded_response& sut);
  void listing(const recorded_response& ref, const recorded_response& sut, bool sizes);
  void message(const recorded_response& ref, const recorded_response& sut);
  void lines_of(const recorded_response& at, const std::vector<std::string>& ref,
                const std::vector<std::string>& sut);
  [[nodiscard]] std::vector<std::string> without_added_headers(const std::vector<std::string>& sut,
                                                               const std::vector<std::string>& ref) const;

  const compare_options& options_;
  comparison& out_;
  std::map<std::string, std::string> uid_ref_to_sut_, uid_sut_to_ref_;
  std::map<std::string, long long> size_offset_;  // by message number: SUT size - reference size
  std::set<std::string> capability_reported_;     // what + values of each capability divergence
  std::set<std::string> probe_reported_;          // the same, from the probe's comparison
  std::size_t capability_repeats_ = 0, probe_repeats_ = 0;
};

/// A step's place: connection, file and line.
[[nodiscard]] std::string step_key(const std::string& conn, const source_location& where);
/// Each response's place in its run: step_key() and the how-manieth read of that step. Both
/// sides run the same prepared scenario, so equal keys answer the same command.
[[nodiscard]] std::vector<std::string> response_keys(const std::vector<recorded_response>& responses);

/// Visits the responses of both runs in run order: (r, s) for a pair, (r, null) or (null, s) for
/// a read only one side made.
void pair_responses(const std::vector<recorded_response>& ref, const std::vector<recorded_response>& sut,
                    const std::function<void(const recorded_response*, const recorded_response*)>& visit);

/// A short, printable form of a line for divergence values.
[[nodiscard]] std::string shown(std::string_view line);

}  // namespace pop3::harness::detail
