// Status lines and multi-line responses; response codes only where the client was told to expect them.
#include "pop3/protocol/multiline.hpp"
#include "pop3/protocol/response.hpp"
#include "session_impl.hpp"

namespace pop3::refd {

session_output session::impl::ok(std::string_view text) const {
  return session_output{protocol::format_status(true, "", text), session_output::next::read};
}

session_output session::impl::err(std::string_view text, detail::resp_code code) const {
  // DIGEST §6a: [AUTH] only with AUTH-RESP-CODE announced (RFC 3206 §6), every other code only
  // with RESP-CODES announced (RFC 2449 §8); without them the -ERR carries plain text.
  std::string_view tag;
  const auto& caps = config_.caps;
  switch (code) {
    case detail::resp_code::none:
      break;
    case detail::resp_code::auth:
      tag = caps.auth_resp_code ? "AUTH" : "";
      break;
    case detail::resp_code::in_use:
      tag = caps.resp_codes ? "IN-USE" : "";
      break;
    case detail::resp_code::login_delay:
      tag = caps.resp_codes ? "LOGIN-DELAY" : "";
      break;
    case detail::resp_code::sys_temp:
      tag = caps.resp_codes ? "SYS/TEMP" : "";
      break;
    case detail::resp_code::sys_perm:
      tag = caps.resp_codes ? "SYS/PERM" : "";
      break;
  }
  return session_output{protocol::format_status(false, tag, text), session_output::next::read};
}

session_output session::impl::multiline(std::string_view first_line_text, std::string_view crlf_content) const {
  auto out = ok(first_line_text);
  out.bytes += protocol::dot_stuff(crlf_content);
  return out;
}

detail::resp_code session::impl::code_for(store_errc e) noexcept {
  switch (e) {
    case store_errc::ok:
      return detail::resp_code::none;
    case store_errc::in_use:
      return detail::resp_code::in_use;
    case store_errc::temporary:
      return detail::resp_code::sys_temp;
    case store_errc::permanent:
      return detail::resp_code::sys_perm;
  }
  return detail::resp_code::sys_temp;
}

session_output session::impl::closing(session_output out) {
  out.then = session_output::next::close;
  return out;
}

}  // namespace pop3::refd
