// response_comparer: the data of multi-line responses. CAPA as capability sets, LIST and UIDL
// listings line by line (sizes and unique-ids paired by message), RETR and TOP as messages (with
// added header fields set aside), anything else line by line.
#include <algorithm>
#include <set>

#include "compare_internal.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

std::string capability_line(const protocol::capability& c) {
  return c.params.empty() ? c.tag : c.tag + " " + joined(c.params);
}

std::set<std::string> upper_set(const std::vector<std::string>& items) {
  std::set<std::string> out;
  for (const auto& item : items) out.insert(to_upper(item));
  return out;
}

// A header field: its first line and its continuation lines (RFC 5322 §2.2.3).
struct header_field {
  std::string name;  // upper case
  std::string text;  // every line, joined by LF
  std::size_t lines = 0;
};

// The header fields of a message's lines (up to the first empty line).
std::vector<header_field> header_fields(const std::vector<std::string>& lines) {
  std::vector<header_field> out;
  for (const auto& line : lines) {
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !out.empty()) {
      out.back().text += "\n" + line;
      ++out.back().lines;
      continue;
    }
    out.push_back(header_field{to_upper(trim(std::string_view(line).substr(0, line.find(':')))), line, 1});
  }
  return out;
}

std::string capability_key(const std::string& what, const std::string& ref, const std::string& sut) {
  return what + '\n' + ref + '\n' + sut;
}

std::string count_of(std::size_t n) { return std::to_string(n) + (n == 1 ? " line" : " lines"); }

}  // namespace

void response_comparer::data(const recorded_response& ref, const recorded_response& sut) {
  if (!ref.multiline && !sut.multiline) return;
  if (ref.multiline != sut.multiline) {
    add(sut, divergence::kind::line_count, "only one side sent a multi-line response",
        ref.multiline ? count_of(ref.data.size()) : "(single line)",
        sut.multiline ? count_of(sut.data.size()) : "(single line)");
    return;
  }
  if (ref.complete != sut.complete) {
    add(sut, divergence::kind::connection, "the data ended without its \".\" line on one side",
        ref.complete ? "complete" : "cut after " + count_of(ref.data.size()),
        sut.complete ? "complete" : "cut after " + count_of(sut.data.size()));
  }
  const command_shape command = shape_of(ref.command);
  if (command.keyword == "CAPA") {
    capabilities(sut, protocol::capability_set::parse(ref.data), protocol::capability_set::parse(sut.data));
  } else if ((command.keyword == "LIST" || command.keyword == "UIDL") && !command.has_args) {
    listing(ref, sut, command.keyword == "LIST");
  } else if (command.keyword == "RETR" || command.keyword == "TOP") {
    message(ref, sut);
  } else {
    lines_of(sut, ref.data, sut.data);
  }
}

void response_comparer::capabilities(const recorded_response& at, const protocol::capability_set& ref,
                                     const protocol::capability_set& sut) {
  // Every CAPA of a run tends to show the same difference: report each one once.
  auto report = [&](std::string what, std::string r, std::string s) {
    const std::string key = capability_key(what, r, s);
    if (probe_reported_.contains(key)) {
      ++probe_repeats_;
      return;
    }
    if (!capability_reported_.insert(key).second) {
      ++capability_repeats_;
      return;
    }
    add(at, divergence::kind::capabilities, std::move(what), std::move(r), std::move(s));
  };
  for (const auto& r : ref.items()) {
    const protocol::capability* s = sut.find(r.tag);
    if (s == nullptr) {
      report(r.tag + " is advertised by the reference only", shown(capability_line(r)), "(not advertised)");
    } else if (r.tag == "IMPLEMENTATION") {
      normalised(normalisation::implementation, at, divergence::kind::capabilities,
                 "the IMPLEMENTATION text differs", joined(r.params), joined(s->params));
    } else if (r.tag == "SASL" ? upper_set(r.params) != upper_set(s->params)
                               : to_upper(joined(r.params)) != to_upper(joined(s->params))) {
      report(r.tag == "SASL" ? "the SASL mechanisms differ" : "the parameters of " + r.tag + " differ",
             shown(capability_line(r)), shown(capability_line(*s)));
    }
  }
  for (const auto& s : sut.items()) {
    if (ref.find(s.tag) == nullptr) {
      report(s.tag + " is advertised by the server under test only", "(not advertised)",
             shown(capability_line(s)));
    }
  }
}

response_comparer::response_comparer(const compare_options& options, comparison& out, const comparison* probe)
    : options_(options), out_(out) {
  if (probe == nullptr) return;
  for (const auto& d : probe->divergences) {
    if (d.k == divergence::kind::capabilities)
      probe_reported_.insert(capability_key(d.what, d.reference, d.under_test));
  }
}

void response_comparer::finish() {
  if (probe_repeats_ > 0) {
    out_.notes.push_back(
        std::to_string(probe_repeats_) +
        " capability divergence(s) already reported by compare/capabilities are not listed again");
  }
  if (capability_repeats_ > 0) {
    out_.notes.push_back(std::to_string(capability_repeats_) +
                         " repeated capability divergence(s) in later CAPA responses are not listed again");
  }
}

void response_comparer::listing(const recorded_response& ref, const recorded_response& sut, bool sizes) {
  if (ref.data.size() != sut.data.size()) {
    add(sut, divergence::kind::line_count, "the listings have different numbers of messages",
        count_of(ref.data.size()), count_of(sut.data.size()));
  }
  const std::size_t n = std::min(ref.data.size(), sut.data.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view r = ref.data[i], s = sut.data[i];
    const std::string message(r.substr(0, r.find(' ')));
    if (message != s.substr(0, s.find(' ')) || r.find(' ') == std::string_view::npos ||
        s.find(' ') == std::string_view::npos) {
      if (r != s) {
        add(sut, divergence::kind::content, "data line " + std::to_string(i + 1) + " differs", shown(r),
            shown(s));
      }
      continue;
    }
    const std::string_view rv = r.substr(r.find(' ') + 1), sv = s.substr(s.find(' ') + 1);
    if (sizes) {
      size(sut, message, rv, sv);
    } else {
      unique_id(sut, message, rv, sv);
    }
  }
}

std::vector<std::string> response_comparer::without_added_headers(const std::vector<std::string>& sut,
                                                                  const std::vector<std::string>& ref) const {
  std::multiset<std::string> in_reference;
  for (auto& f : header_fields(ref)) in_reference.insert(std::move(f.text));
  std::set<std::string> added;
  for (const auto& name : options_.added_headers) added.insert(to_upper(name));
  std::vector<std::string> out;
  std::size_t line = 0;
  for (const header_field& f : header_fields(sut)) {
    const auto same = in_reference.find(f.text);
    const bool drop = added.contains(f.name) && same == in_reference.end();
    if (same != in_reference.end()) in_reference.erase(same);
    for (std::size_t k = 0; k < f.lines; ++k, ++line) {
      if (!drop) out.push_back(sut[line]);
    }
  }
  out.insert(out.end(), sut.begin() + static_cast<std::ptrdiff_t>(line), sut.end());
  return out;
}

void response_comparer::message(const recorded_response& ref, const recorded_response& sut) {
  if (!options_.on(normalisation::added_headers)) {
    lines_of(sut, ref.data, sut.data);
    return;
  }
  const auto kept = without_added_headers(sut.data, ref.data);
  if (kept.size() != sut.data.size())
    ++out_.normalised[static_cast<std::size_t>(normalisation::added_headers)];
  lines_of(sut, ref.data, kept);
}

void response_comparer::lines_of(const recorded_response& at, const std::vector<std::string>& ref,
                                 const std::vector<std::string>& sut) {
  const std::size_t n = std::min(ref.size(), sut.size());
  const auto first = std::mismatch(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(n), sut.begin());
  const auto k = static_cast<std::size_t>(first.first - ref.begin());
  if (ref.size() != sut.size()) {
    std::string what = "the data has a different number of lines";
    if (k < n) what += "; the first difference is at data line " + std::to_string(k + 1);
    add(at, divergence::kind::line_count, what,
        count_of(ref.size()) + (k < n ? ", line " + std::to_string(k + 1) + ": " + shown(ref[k]) : ""),
        count_of(sut.size()) + (k < n ? ", line " + std::to_string(k + 1) + ": " + shown(sut[k]) : ""));
  } else if (k < n) {
    add(at, divergence::kind::content, "data line " + std::to_string(k + 1) + " differs", shown(ref[k]),
        shown(sut[k]));
  }
}

}  // namespace pop3::harness::detail
