// Fixtures: generated messages, the octets to provision, and the filesystem lookup of files that
// scenarios name (includes, message files).
#include <cstdint>
#include <fstream>
#include <sstream>
#include <system_error>

#include "pop3/harness/rule_catalogue.hpp"
#include "pop3/harness/scenario.hpp"
#include "pop3/protocol/multiline.hpp"
#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness {

std::string generated_message(std::size_t number, std::size_t count) {
  const std::string n = std::to_string(number), of = std::to_string(count);
  std::string m;
  m += "From: pop3spec <fixtures@pop3spec.invalid>\r\n";
  m += "To: <mailbox@pop3spec.invalid>\r\n";
  m += "Subject: pop3spec fixture " + n + " of " + of + "\r\n";
  m += "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n";
  m += "Message-ID: <fixture-" + n + "-of-" + of + "@pop3spec.invalid>\r\n";
  m += "\r\n";
  m += "This is message " + n + " of " + of + ".\r\n";
  // One more line per message, so every message has its own size.
  for (std::size_t i = 1; i <= number; ++i) m += "Line " + std::to_string(i) + " of message " + n + ".\r\n";
  if (number % 3 == 0) m += ".\r\n..x\r\n";
  return m;
}

std::vector<std::string> mailbox_messages(const scenario& s) {
  std::vector<std::string> out;
  if (s.mailbox.k == mailbox_fixture::kind::generated) {
    for (std::size_t i = 1; i <= s.mailbox.count; ++i) out.push_back(generated_message(i, s.mailbox.count));
  } else if (s.mailbox.k == mailbox_fixture::kind::files) {
    for (const auto& f : s.mailbox.files) out.push_back(f.content);
  }
  return out;
}

std::chrono::milliseconds total_wait(const scenario& s) {
  std::chrono::milliseconds total{0};
  for (const step& st : s.steps) {
    if (const auto* w = std::get_if<wait_step>(&st.action)) total += w->duration;
  }
  return total;
}

bool needs_fixtures(const scenario& s) {
  if (s.mailbox.k != mailbox_fixture::kind::any) return true;
  for (const step& st : s.steps) {
    if (std::holds_alternative<deliver_step>(st.action)) return true;
  }
  return false;
}

namespace detail {

std::optional<std::string> body_content(const logical_line& l, const scenario& s,
                                        const include_resolver& resolve, diagnostics_sink& sink) {
  constexpr std::string_view message = "message ";
  if (l.args.starts_with(message)) {
    const std::string_view wanted = trim(std::string_view(l.args).substr(message.size()));
    const auto n = parse_decimal(wanted);
    const auto& box = s.mailbox;
    const std::size_t count = box.k == mailbox_fixture::kind::generated ? box.count : box.files.size();
    if (!n || *n < 1 || static_cast<std::size_t>(*n) > count) {
      sink.error(l, l.args_column, "no message " + std::string(wanted) + " in the mailbox fixture",
                 "body: message N needs mailbox: with at least N messages (N counts from 1)");
      return std::nullopt;
    }
    const auto index = static_cast<std::size_t>(*n);
    return box.k == mailbox_fixture::kind::generated ? generated_message(index, count)
                                                     : protocol::normalize_crlf(box.files[index - 1].content);
  }
  const auto found = resolve ? resolve(l.where.file, l.args) : std::nullopt;
  if (!found) {
    sink.error(l, l.args_column, "cannot read fixture file '" + l.args + "'",
               "write body: message N, or a file looked up beside the scenario (then in its parent folders)");
    return std::nullopt;
  }
  return protocol::normalize_crlf(found->content);
}

}  // namespace detail

namespace {

constexpr std::uintmax_t max_file_octets = 16u << 20;

std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec) || std::filesystem::file_size(p, ec) > max_file_octets || ec)
    return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(content).str();
}

}  // namespace

include_resolver filesystem_resolver() {
  return [](const std::string& from_file, const std::string& path) -> std::optional<resolved_file> {
    if (path.empty()) return std::nullopt;
    const std::filesystem::path wanted(path);
    if (wanted.is_absolute()) {
      auto content = read_file(wanted);
      if (!content) return std::nullopt;
      return resolved_file{wanted.lexically_normal().string(), std::move(*content)};
    }
    std::filesystem::path dir = std::filesystem::path(from_file).parent_path();
    for (;;) {
      const std::filesystem::path candidate = (dir / wanted).lexically_normal();
      if (auto content = read_file(candidate)) return resolved_file{candidate.string(), std::move(*content)};
      std::error_code ec;
      const bool root_of_scenarios = std::filesystem::exists(dir / rule_catalogue_file, ec);
      if (root_of_scenarios || dir.empty() || dir == dir.parent_path()) return std::nullopt;
      dir = dir.parent_path();
    }
  };
}

parse_result parse_scenario_file(const std::filesystem::path& path) {
  const auto text = read_file(path);
  if (!text) {
    parse_result r;
    r.value.file = path.string();
    r.diagnostics.push_back({path.string(), 1, 1, "cannot read the scenario file",
                             "check the path and permissions (files up to 16 MiB)"});
    return r;
  }
  return parse_scenario(*text, path.string(), filesystem_resolver());
}

}  // namespace pop3::harness
