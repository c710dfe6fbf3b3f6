// The `tls` step's options: tls_offer's helpers and their parser (phase 2b of the scenario parser).
#include "pop3/harness/tls_offer.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness {
namespace {

constexpr std::array<std::string_view, 4> version_names{"1.0", "1.1", "1.2", "1.3"};

}  // namespace

std::optional<tls_version> parse_tls_version(std::string_view text) noexcept {
  for (std::size_t i = 0; i < version_names.size(); ++i) {
    if (text == version_names[i]) return static_cast<tls_version>(i);
  }
  return std::nullopt;
}

std::string_view tls_version_name(tls_version v) noexcept { return version_names[static_cast<std::size_t>(v)]; }

tls_version tls_offer::lowest() const noexcept {
  if (min_version) return *min_version;
  return max_version && *max_version < tls_version::v1_2 ? tls_version::v1_0 : tls_version::v1_2;
}

tls_version tls_offer::highest() const noexcept { return max_version.value_or(tls_version::v1_3); }

std::string tls_offer::to_string() const {
  std::string out;
  auto add = [&out](std::string_view key, std::string_view value) {
    out += (out.empty() ? "" : " ") + std::string(key) + "=" + std::string(value);
  };
  if (min_version) add("min-version", tls_version_name(*min_version));
  if (max_version) add("max-version", tls_version_name(*max_version));
  if (!ciphers.empty()) add("ciphers", ciphers);
  return out;
}

namespace detail {
namespace {

constexpr const char* options_hint =
    "tls takes min-version=V, max-version=V (V: 1.0 1.1 1.2 1.3), ciphers=OPENSSL-CIPHER-LIST, and refused or "
    "or-refused, e.g. tls max-version=1.0 refused";

// What an OpenSSL cipher list is made of: names, ':' ',' separators, and the operators ! + - @ =.
bool is_cipher_list_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("-_:+!@=.,").find(c) != std::string_view::npos;
}

/// Flow: run() reads the blank-separated options in order (each at most once), then checks
/// how they combine (min-version above max-version, ciphers= with TLS 1.3 in the offer).
class tls_options_parser {
 public:
  tls_options_parser(std::string_view text, int column) : text_(text), column_(column) {}

  tls_options_parse_result run() {
    std::size_t i = 0;
    while (i < text_.size()) {
      if (is_blank(text_[i])) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < text_.size() && !is_blank(text_[end])) ++end;
      option(text_.substr(i, end - i), column_ + static_cast<int>(i));
      i = end;
    }
    combine();
    return std::move(out_);
  }

 private:
  void option(std::string_view word, int column) {
    const std::size_t eq = word.find('=');
    const std::string_view key = word.substr(0, eq);
    if (eq == std::string_view::npos && key == "refused") {
      if (once(key, column)) out_.value.refused = true;
      outcome_column_ = column;
      return;
    }
    if (eq == std::string_view::npos && key == "or-refused") {
      if (once(key, column)) out_.value.or_refused = true;
      outcome_column_ = column;
      return;
    }
    if (eq == std::string_view::npos || (key != "min-version" && key != "max-version" && key != "ciphers")) {
      error(column, "unknown tls option '" + std::string(word) + "'", options_hint);
      return;
    }
    if (!once(key, column)) return;
    const std::string_view value = word.substr(eq + 1);
    const int value_column = column + static_cast<int>(eq) + 1;
    if (key == "ciphers") {
      cipher_list(value, value_column);
      return;
    }
    const auto v = parse_tls_version(value);
    if (!v) {
      error(value_column, "bad TLS version '" + std::string(value) + "' in " + std::string(key) + "=",
            "write one of 1.0 1.1 1.2 1.3, e.g. " + std::string(key) + "=1.2 (SSL 2.0 and 3.0 cannot be offered)");
      return;
    }
    if (key == "min-version") {
      out_.value.offer.min_version = v;
      min_column_ = column;
    } else {
      out_.value.offer.max_version = v;
    }
  }

  void cipher_list(std::string_view value, int column) {
    const auto bad = std::find_if_not(value.begin(), value.end(), is_cipher_list_char);
    if (value.empty() || bad != value.end()) {
      const int at = column + static_cast<int>(bad - value.begin());
      error(at, value.empty() ? "empty cipher list in ciphers=" : "bad character in ciphers=",
            "write an OpenSSL cipher list: names separated by ':', e.g. "
            "ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
      return;
    }
    out_.value.offer.ciphers = std::string(value);
    ciphers_column_ = column - 8;  // "ciphers="
  }

  void combine() {
    if (out_.value.refused && out_.value.or_refused) {
      error(outcome_column_, "tls takes refused or or-refused, not both",
            "refused: the handshake must fail; or-refused: it completes, or the server refuses it");
    }
    const tls_offer& o = out_.value.offer;
    if (o.min_version && o.max_version && *o.min_version > *o.max_version) {
      error(min_column_, "min-version=" + std::string(tls_version_name(*o.min_version)) + " is above max-version=" +
                             std::string(tls_version_name(*o.max_version)),
            "the client offers the versions from min-version to max-version; lower min-version");
    }
    if (!o.ciphers.empty() && o.highest() == tls_version::v1_3) {
      error(ciphers_column_, "ciphers= chooses TLS 1.2 suites, but the offer includes TLS 1.3",
            "add max-version=1.2 (or lower): TLS 1.3 suites are not chosen by ciphers=");
    }
  }

  bool once(std::string_view key, int column) {
    if (seen_.emplace(key).second) return true;
    error(column, "tls option '" + std::string(key) + "' given twice", "write each option once");
    return false;
  }

  void error(int column, std::string message, std::string hint) {
    out_.errors.push_back({column, std::move(message), std::move(hint)});
  }

  std::string_view text_;
  int column_;
  tls_options_parse_result out_;
  std::set<std::string, std::less<>> seen_;  // the options read so far
  int min_column_ = 0, ciphers_column_ = 0, outcome_column_ = 0;
};

}  // namespace

tls_options_parse_result parse_tls_options(std::string_view text, int column) {
  return tls_options_parser(text, column).run();
}

}  // namespace detail
}  // namespace pop3::harness
