// CAPA responses (RFC 2449 §3, §5): capability = capa-tag *(SP param) CRLF.
#include "pop3/protocol/capabilities.hpp"

#include "pop3/protocol/limits.hpp"
#include "ascii.hpp"

namespace pop3::protocol {

namespace {

// RFC 2449 cchar: printable ASCII except ".".
bool is_cchar(char c) noexcept { return detail::is_vchar(c) && c != '.'; }

std::string problem(std::size_t index, std::string_view reason) {
  return "CAPA line " + std::to_string(index + 1) + ": " + std::string(reason);
}

}  // namespace

capability_set capability_set::parse(std::span<const std::string> lines) {
  // A line whose tag cannot be known (empty, bad tag octets) is only a problem; a line
  // with a usable tag but flawed params or length is kept *and* reported, so capability
  // gating still sees what the server announced while the grammar failure stays visible.
  capability_set set;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.empty()) {
      set.problems_.push_back(problem(i, "empty line"));
      continue;
    }
    const auto tag_end = line.find(' ');
    const auto tag = line.substr(0, tag_end);
    if (tag.empty()) {
      set.problems_.push_back(problem(i, "line starts with a space"));
      continue;
    }
    bool tag_ok = true;
    for (char c : tag) tag_ok = tag_ok && is_cchar(c);
    if (!tag_ok) {
      set.problems_.push_back(problem(i, "tag contains '.' or a non-printable octet"));
      continue;
    }
    if (line.size() + 2 > max_response_line_octets) {
      set.problems_.push_back(problem(i, "longer than 512 octets with CRLF"));
    }
    capability cap{detail::to_upper(tag), {}};
    bool params_ok = true;
    if (tag_end != std::string_view::npos) {
      for (std::string_view rest = line.substr(tag_end + 1);;) {
        const auto sp = rest.find(' ');
        const auto param = rest.substr(0, sp);
        for (char c : param) params_ok = params_ok && detail::is_vchar(c);
        if (param.empty()) {
          params_ok = false;  // doubled or trailing SP
        } else {
          cap.params.emplace_back(param);
        }
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
      }
    }
    if (!params_ok) set.problems_.push_back(problem(i, "parameters must be printable and separated by one space"));
    set.items_.push_back(std::move(cap));
  }
  return set;
}

bool capability_set::has(std::string_view tag) const noexcept { return find(tag) != nullptr; }

const capability* capability_set::find(std::string_view tag) const noexcept {
  for (const auto& item : items_) {
    if (detail::iequals(item.tag, tag)) return &item;
  }
  return nullptr;
}

std::vector<std::string> capability_set::sasl_mechanisms() const {
  std::vector<std::string> mechanisms;
  if (const auto* sasl = find("SASL")) {
    for (const auto& param : sasl->params) mechanisms.push_back(detail::to_upper(param));
  }
  return mechanisms;
}

void capability_set::add(capability c) {
  c.tag = detail::to_upper(c.tag);
  items_.push_back(std::move(c));
}

std::string capability_set::format() const {
  std::string out;
  for (const auto& item : items_) {
    out += item.tag;
    for (const auto& param : item.params) {
      out += ' ';
      out += param;
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace pop3::protocol
