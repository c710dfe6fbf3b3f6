// Phase 2a of the scenario parser: the header keys.
#include <algorithm>
#include <cctype>
#include <set>

#include "pop3/harness/rule_catalogue.hpp"
#include "scenario_parse.hpp"
#include "text.hpp"

namespace pop3::harness::detail {
namespace {

/// Words of a header value with their columns.
std::vector<std::pair<std::string, int>> words(const logical_line& l) {
  std::vector<std::pair<std::string, int>> out;
  std::size_t i = 0;
  while (i < l.args.size()) {
    if (is_blank(l.args[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < l.args.size() && !is_blank(l.args[i])) ++i;
    out.emplace_back(l.args.substr(start, i - start), l.args_column + static_cast<int>(start));
  }
  return out;
}

bool valid_tag(std::string_view tag) {
  if (tag.empty()) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

/// Flow: one method per key; apply() dispatches, then checks the required keys.
class header_reader {
 public:
  header_reader(scenario& s, const include_resolver& resolve, diagnostics_sink& sink)
      : s_(s), resolve_(resolve), sink_(sink) {}

  void apply(const std::vector<logical_line>& lines) {
    std::set<std::string> seen;
    for (const logical_line& l : lines) {
      if (!seen.insert(l.kind).second) {
        sink_.error(l, l.where.column, "duplicate header key '" + l.kind + "'", "give each header key once");
        continue;
      }
      if (l.args.empty()) {
        sink_.error(l, l.args_column, "header key '" + l.kind + "' has no value",
                    "write `" + l.kind + ": value`");
        continue;
      }
      if (l.kind == "id")
        id(l);
      else if (l.kind == "title")
        s_.title = l.args;
      else if (l.kind == "rules")
        rules(l);
      else if (l.kind == "level")
        level(l);
      else if (l.kind == "requires")
        caps(l, s_.required_caps, true);
      else if (l.kind == "probe")
        caps(l, s_.probe_caps, false);
      else if (l.kind == "mailbox")
        mailbox(l);
      else if (l.kind == "state")
        state(l);
      else if (l.kind == "destructive")
        destructive(l);
      else if (l.kind == "connections")
        connections(l);
    }
    const source_location top{s_.file, 1, 1};
    for (const char* key : {"id", "rules", "level"}) {
      if (!seen.contains(key)) {
        sink_.error(top, 1, std::string("missing header key '") + key + "'",
                    "every scenario starts with id:, rules: and level: (see docs/scenario-language.md)");
      }
    }
    if (s_.title.empty()) s_.title = s_.id;
  }

 private:
  void id(const logical_line& l) {
    s_.id_where = source_location{l.where.file, l.where.line, l.args_column};
    if (!is_valid_id(l.args)) {
      sink_.error(l, l.args_column, "bad scenario id '" + l.args + "'",
                  "ids are lower-case path segments of a-z, 0-9 and '-', e.g. rfc1939/dele/not-listed");
      return;
    }
    s_.id = l.args;
  }

  void rules(const logical_line& l) {
    for (const auto& [word, column] : words(l)) {
      if (!is_valid_id(word)) {
        sink_.error(
            l, column, "bad rule id '" + word + "'",
            "rule ids are lower-case path segments, e.g. rfc1939/rset/unmarks (see scenarios/rules.tsv)");
        continue;
      }
      s_.rules.push_back({word, source_location{l.where.file, l.where.line, column}});
    }
  }

  void level(const logical_line& l) {
    s_.level_where = source_location{l.where.file, l.where.line, l.args_column};
    if (const auto v = parse_level(l.args)) {
      s_.lvl = *v;
    } else {
      sink_.error(l, l.args_column, "unknown level '" + l.args + "'", "write MUST, SHOULD, MAY or INFO");
    }
  }

  void caps(const logical_line& l, std::vector<requirement>& out, bool negation_allowed) {
    for (auto [word, column] : words(l)) {
      const source_location at{l.where.file, l.where.line, column};
      const bool negated = word.starts_with('!');
      if (negated && !negation_allowed) {
        sink_.error(l, column, "probe: cannot be negated",
                    "a probe tests a feature; to run only when it is absent, write `requires: " + word + "`");
        continue;
      }
      if (negated) word.erase(0, 1);
      if (iequals(std::string_view(word).substr(0, fact_prefix.size()), fact_prefix)) {
        requirement r{to_upper(word.substr(fact_prefix.size())), "", at, true, negated};
        if (!valid_tag(r.tag)) {
          sink_.error(l, column, "bad fact '" + word + "'",
                      "write FACT:NAME with letters, digits, '-' or '_', e.g. FACT:CLEARTEXT-REFUSED");
          continue;
        }
        out.push_back(std::move(r));
        continue;
      }
      const std::size_t eq = word.find('=');
      requirement r{word.substr(0, eq), eq == std::string::npos ? "" : word.substr(eq + 1), at, false, negated};
      if (!valid_tag(r.tag) || (eq != std::string::npos && r.param.empty())) {
        sink_.error(
            l, column, "bad capability '" + word + "'",
            "write CAPA tags as in the CAPA response, e.g. TOP, UIDL or SASL=PLAIN (a tag with a parameter), "
            "or FACT:NAME for a declared fact; a leading ! (requires: only) means \"absent\"");
        continue;
      }
      r.tag = to_upper(r.tag);
      out.push_back(std::move(r));
    }
  }

  void mailbox(const logical_line& l) {
    const auto w = words(l);
    if (l.args == "any") return;
    if (l.args == "empty") {
      s_.mailbox.k = mailbox_fixture::kind::empty;
      return;
    }
    if (w.size() == 2 && (w[1].first == "messages" || w[1].first == "message")) {
      const auto n = parse_decimal(w[0].first);
      if (!n || *n < 1 || *n > 1000) {
        sink_.error(l, l.args_column, "bad message count '" + w[0].first + "'",
                    "write 1 to 1000, e.g. mailbox: 3 messages");
        return;
      }
      s_.mailbox.k = mailbox_fixture::kind::generated;
      s_.mailbox.count = static_cast<std::size_t>(*n);
      return;
    }
    s_.mailbox.k = mailbox_fixture::kind::files;
    for (const auto& [path, column] : w) {
      const auto found = resolve_ ? resolve_(l.where.file, path) : std::nullopt;
      if (!found) {
        sink_.error(l, column, "cannot read fixture file '" + path + "'",
                    "write mailbox: any, empty, N messages, or message files looked up beside the scenario "
                    "(then in its parent folders)");
        continue;
      }
      s_.mailbox.files.push_back({path, found->content});
    }
  }

  void state(const logical_line& l) {
    if (l.args == "greeting")
      s_.state = start_state::greeting;
    else if (l.args == "authorization")
      s_.state = start_state::authorization;
    else if (l.args == "transaction")
      s_.state = start_state::transaction;
    else
      sink_.error(
          l, l.args_column, "unknown state '" + l.args + "'",
          "write greeting (before the greeting), authorization (after it) or transaction (logged in)");
  }

  void destructive(const logical_line& l) {
    if (l.args == "yes" || l.args == "no") {
      s_.destructive = l.args == "yes";
    } else {
      sink_.error(l, l.args_column, "destructive must be yes or no", "write destructive: yes");
    }
  }

  void connections(const logical_line& l) {
    for (const auto& [name, column] : words(l)) {
      if (name.size() != 1 || name[0] < 'a' || name[0] > 'z') {
        sink_.error(l, column, "bad connection name '" + name + "'",
                    "connections are single lower-case letters: a b c");
      } else if (std::find(s_.connections.begin(), s_.connections.end(), name) != s_.connections.end()) {
        sink_.error(l, column, "connection '" + name + "' declared twice", "list each connection once");
      } else {
        s_.connections.push_back(name);
      }
    }
  }

  scenario& s_;
  const include_resolver& resolve_;
  diagnostics_sink& sink_;
};

}  // namespace

void diagnostics_sink::error(const source_location& at, int column, std::string message, std::string hint) {
  out_.push_back(diagnostic{at.file, at.line, column, std::move(message), std::move(hint)});
}

void apply_header(const std::vector<logical_line>& header, scenario& s, const include_resolver& resolve,
                  diagnostics_sink& sink) {
  header_reader(s, resolve, sink).apply(header);
}

}  // namespace pop3::harness::detail
