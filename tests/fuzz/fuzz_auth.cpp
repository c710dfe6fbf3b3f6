// Fuzz target: base64, SASL PLAIN splitting and APOP timestamp extraction never crash or throw;
// base64 round-trips and the digests have their fixed shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pop3/protocol/auth.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace pop3::protocol;
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);

  const auto encoded = base64_encode(data);
  require(encoded.size() % 4 == 0);
  require(base64_decode(encoded) == std::string(data));
  if (const auto decoded = base64_decode(data)) {
    require(base64_decode(base64_encode(*decoded)) == *decoded);
    require(base64_encode(*decoded).size() == data.size());
  }

  if (const auto creds = parse_sasl_plain(data)) {
    require(creds->authzid + '\0' + creds->authcid + '\0' + creds->password == std::string(data));
    require(!creds->authcid.empty() && !creds->password.empty());
  }

  if (const auto stamp = find_apop_timestamp(data)) {
    require(data.find(*stamp) != std::string_view::npos);
    require(stamp->front() == '<' && stamp->back() == '>' && stamp->find('@') != std::string::npos);
  }

  const auto split = data.find('\0');
  const auto first = data.substr(0, split);
  const auto second = split == std::string_view::npos ? std::string_view{} : data.substr(split + 1);
  require(apop_digest(first, second).size() == 32);
  require(cram_md5_digest(first, second).size() == 32);
  return 0;
}
