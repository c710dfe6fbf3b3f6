// make_fixture_adapter(): parses an adapter spec; shared file helpers.
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

#include "adapters.hpp"
#include "pop3/protocol/command.hpp"

namespace pop3::harness {
namespace {

constexpr std::string_view usage =
    "expected maildir:PATH, mbox:PATH, mbox-no-blank:PATH, smtp://HOST:PORT, lmtp://HOST:PORT or exec:COMMAND";

std::shared_ptr<fixture_adapter> make_network_adapter(std::string_view spec, bool lmtp, std::string_view rest,
                                                      std::chrono::milliseconds timeout) {
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  // "[::1]" has colons but no port.
  const auto colon = rest.ends_with(']') ? std::string_view::npos : rest.rfind(':');
  std::string host(rest.substr(0, colon));
  std::uint16_t port = lmtp ? 24 : 25;
  if (colon != std::string_view::npos) {
    auto number = protocol::parse_number(rest.substr(colon + 1));
    if (!number || *number == 0 || *number > 65535) {
      throw std::invalid_argument("bad port in fixture adapter \"" + std::string(spec) + "\"");
    }
    port = static_cast<std::uint16_t>(*number);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) throw std::invalid_argument("missing host in fixture adapter \"" + std::string(spec) + "\"");
  return detail::make_mail_transfer_adapter(lmtp, std::move(host), port, timeout);
}

}  // namespace

std::string expand_user(std::string_view path_template, std::string_view user) {
  std::string out;
  constexpr std::string_view placeholder = "{user}";
  std::size_t from = 0;
  for (auto at = path_template.find(placeholder); at != std::string_view::npos;
       at = path_template.find(placeholder, from)) {
    out.append(path_template.substr(from, at - from)).append(user);
    from = at + placeholder.size();
  }
  out.append(path_template.substr(from));
  return out;
}

std::shared_ptr<fixture_adapter> make_fixture_adapter(std::string_view spec, std::chrono::milliseconds timeout) {
  auto rest_after = [&](std::string_view prefix) -> std::string {
    std::string rest(spec.substr(prefix.size()));
    if (rest.empty()) throw std::invalid_argument("fixture adapter \"" + std::string(spec) + "\" is incomplete: " + std::string(usage));
    return rest;
  };
  if (spec.starts_with("maildir:")) return detail::make_maildir_adapter(rest_after("maildir:"));
  if (spec.starts_with("mbox:")) return detail::make_mbox_adapter(rest_after("mbox:"), timeout);
  if (spec.starts_with("mbox-no-blank:")) return detail::make_mbox_adapter(rest_after("mbox-no-blank:"), timeout, false);
  if (spec.starts_with("exec:")) return detail::make_exec_adapter(rest_after("exec:"), timeout);
  if (spec.starts_with("smtp://")) return make_network_adapter(spec, false, rest_after("smtp://"), timeout);
  if (spec.starts_with("lmtp://")) return make_network_adapter(spec, true, rest_after("lmtp://"), timeout);
  throw std::invalid_argument("unknown fixture adapter \"" + std::string(spec) + "\": " + std::string(usage));
}

namespace detail {

std::string to_lf(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    out.push_back(message[i]);
  }
  return out;
}

void write_fully(int fd, std::string_view content, const std::filesystem::path& what) {
  while (!content.empty()) {
    const auto n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw fixture_error("cannot write " + what.string() + ": " + std::strerror(errno));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) throw fixture_error("cannot sync " + what.string() + ": " + std::strerror(errno));
}

}  // namespace detail
}  // namespace pop3::harness
