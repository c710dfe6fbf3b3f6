// Status lines and multi-line responses; response codes only where the client was told to expect them.
#include "pop3/protocol/multiline.hpp"
#include "pop3/protocol/response.hpp"
#include "session_impl.hpp"

namespace pop3::refd {

session_output session::impl::ok(std::string_view text, detail::resp_code code) const {
  return session_output{protocol::format_status(true, code_tag(code), text), session_output::next::read};
}

session_output session::impl::err(std::string_view text, detail::resp_code code) const {
  return session_output{protocol::format_status(false, code_tag(code), text), session_output::next::read};
}

std::string_view session::impl::code_tag(detail::resp_code code) const noexcept {
  // DIGEST §6a: [AUTH] only with AUTH-RESP-CODE announced (RFC 3206 §6), every other code only
  // with RESP-CODES announced (RFC 2449 §8); without them the status line carries plain text.
  if (code == detail::resp_code::auth) return auth_resp_code_announced() ? "AUTH" : "";
  if (!config_.caps.resp_codes) return "";
  switch (code) {
    case detail::resp_code::none:
    case detail::resp_code::auth:
      break;
    case detail::resp_code::in_use:
      return "IN-USE";
    case detail::resp_code::login_delay:
      return "LOGIN-DELAY";
    case detail::resp_code::sys_temp:
      return "SYS/TEMP";
    case detail::resp_code::sys_perm:
      return "SYS/PERM";
    case detail::resp_code::uid:
      return "UID";  // DIGEST A5: the blog's spelling, not the prototype's [UID/NOT-FOUND]
    case detail::resp_code::activity_new:
      return "ACTIVITY/NEW";
    case detail::resp_code::activity_none:
      return "ACTIVITY/NONE";
  }
  return "";
}

session_output session::impl::multiline(std::string_view first_line_text, std::string_view crlf_content) const {
  auto out = ok(first_line_text);
  // One copy of the content into the answer: room for it, some stuffing and the terminator.
  out.bytes.reserve(out.bytes.size() + crlf_content.size() + crlf_content.size() / 32 + 5);
  protocol::append_data_section(out.bytes, crlf_content);
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
