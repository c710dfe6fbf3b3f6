// pop3refd behind a rewriting proxy: every deliberate difference is found with the right kind, and
// every difference a normalisation allows is not reported (until that normalisation is off).
#include <gtest/gtest.h>

#include <map>

#include "compare_test_support.hpp"

namespace pop3::testing {
namespace {

namespace fs = std::filesystem;
using harness::compare_outcome;
using kind = harness::divergence::kind;
using harness::normalisation;

harness::scenario ops_scenario(const std::string& name) {
  auto parsed = harness::parse_scenario_file(fs::path(POP3SPEC_COMPARE_TEST_DATA) / "ops" / (name + ".pop3"));
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed.value);
}

std::string keyword(const std::string& command) { return command.substr(0, command.find(' ')); }

/// Compares one scenario on the proxied pop3refd (mirrored, so that only the rewrite differs).
harness::scenario_comparison through(const rewrite& change, const std::string& scenario_name,
                                     harness::compare_options options = {}) {
  refd_instance server(refd_setup(false));
  auto who = alice_on(server);
  rewriting_proxy proxy(server.port(), change);
  harness::comparison_runner runner(setup_for(loopback(proxy.port()), who, true, std::move(options)));
  return runner.compare(ops_scenario(scenario_name));
}

std::vector<kind> kinds(const harness::scenario_comparison& c) {
  std::vector<kind> out;
  for (const auto& d : c.diff.divergences) out.push_back(d.k);
  return out;
}

std::size_t hidden(const harness::scenario_comparison& c, normalisation n) {
  return c.diff.normalised[static_cast<std::size_t>(n)];
}

// ---- allowed differences -------------------------------------------------------------------

std::optional<std::string> terse_text(const std::string& command, const std::string& line, bool status) {
  // "+OK 2 320 ..." keeps the fields a command defines; everything else loses its free text.
  if (!status || !(line.starts_with("+OK ") || line.starts_with("-ERR "))) return same(line);
  const std::string k = keyword(command);
  const bool fields = k == "STAT" || ((k == "LIST" || k == "UIDL") && command.find(' ') != std::string::npos);
  if (fields) {
    const auto second = line.find(' ', line.find(' ', 4) + 1);
    return line.substr(0, second) + " (rewritten)\r\n";
  }
  return line.substr(0, line.find(' ')) + " rewritten\r\n";
}

TEST(CompareFake, FreeTextIsAllowedToDiffer) {
  const auto c = through(terse_text, "explore");
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  EXPECT_GE(hidden(c, normalisation::free_text), 10u);
  const auto literal = through(terse_text, "explore", [] {
    harness::compare_options o;
    o.set(normalisation::free_text, false);
    return o;
  }());
  EXPECT_EQ(literal.outcome, compare_outcome::divergent);
  for (const auto k : kinds(literal)) EXPECT_EQ(k, kind::text) << explain(literal);
}

TEST(CompareFake, TheGreetingAndItsTimestampAreAllowedToDiffer) {
  const auto c = through(
      [](const std::string& command, const std::string& line, bool status) {
        if (command.empty() && status)
          return std::optional<std::string>("+OK Fake POP3 at your service <77.88@fake>\r\n");
        return same(line);
      },
      "explore");
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  EXPECT_GE(hidden(c, normalisation::greeting), 1u);
  EXPECT_GE(hidden(c, normalisation::apop_timestamp), 1u);
}

// Unique-ids rewritten consistently: each one gets a prefix.
std::optional<std::string> other_uids(const std::string& command, const std::string& line, bool status) {
  if (keyword(command) != "UIDL" || line == "." || line.starts_with("-ERR")) return same(line);
  if (status && command.find(' ') == std::string::npos) return same(line);
  const auto sp = line.rfind(' ');
  return line.substr(0, sp + 1) + "fake-" + line.substr(sp + 1) + "\r\n";
}

TEST(CompareFake, UniqueIdsArePairedByMessage) {
  const auto c = through(other_uids, "explore");
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  EXPECT_GE(hidden(c, normalisation::unique_ids), 4u);
}

// A Received: field on every message, and every size grown by it.
constexpr std::string_view received = "Received: from proxy by fake.example; Mon, 1 Jan 2024 00:00:00 +0000";
const long long grown = static_cast<long long>(received.size()) + 2;

std::optional<std::string> added_header(const std::string& command, const std::string& line, bool status) {
  const std::string k = keyword(command);
  if ((k == "RETR" || k == "TOP") && status && line.starts_with("+OK")) {
    return "+OK\r\n" + std::string(received) + "\r\n";
  }
  auto bump = [](const std::string& number, long long by) { return std::to_string(std::stoll(number) + by); };
  if (k == "STAT" && line.starts_with("+OK ")) {
    std::istringstream in(line.substr(4));
    std::string count, size;
    in >> count >> size;
    return "+OK " + count + " " + bump(size, grown * std::stoll(count)) + "\r\n";
  }
  const bool listing = k == "LIST" && line != "." && !line.starts_with("-ERR") &&
                       !(status && command.find(' ') == std::string::npos);
  if (listing) {
    const auto sp = line.rfind(' ');
    return line.substr(0, sp + 1) + bump(line.substr(sp + 1), grown) + "\r\n";
  }
  return same(line);
}

TEST(CompareFake, AddedHeadersAndTheSizesTheyAddAreAllowed) {
  const auto c = through(added_header, "explore");
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  EXPECT_GE(hidden(c, normalisation::added_headers), 8u);
  harness::compare_options literal;
  literal.set(normalisation::added_headers, false);
  const auto off = through(added_header, "explore", literal);
  const auto off_kinds = kinds(off);
  const std::set<kind> found(off_kinds.begin(), off_kinds.end());
  EXPECT_EQ(found, (std::set<kind>{kind::size, kind::line_count})) << explain(off);
}

TEST(CompareFake, TheImplementationTextIsAllowedToDiffer) {
  const auto change = [](const std::string& command, const std::string& line, bool) {
    if (keyword(command) == "CAPA" && line.starts_with("IMPLEMENTATION")) {
      return std::optional<std::string>("IMPLEMENTATION Fake 1.0\r\n");
    }
    return same(line);
  };
  const auto c = through(change, "explore");
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  EXPECT_GE(hidden(c, normalisation::implementation), 1u);
}

// ---- differences that are found ------------------------------------------------------------

struct found_case {
  const char* name;
  const char* scenario;
  rewrite change;
  kind expected;
  const char* command;  // the command of the first divergence
};

std::vector<found_case> found_cases() {
  return {
      {"status", "explore",
       [](const std::string& c, const std::string& l, bool s) {
         return keyword(c) == "DELE" && s ? std::optional<std::string>("-ERR refused\r\n") : same(l);
       },
       kind::status, "DELE 3"},
      {"response code", "login",
       [](const std::string& c, const std::string& l, bool s) {
         return keyword(c) == "PASS" && s && l.starts_with("-ERR [AUTH]")
                    ? std::optional<std::string>("-ERR no\r\n")
                    : same(l);
       },
       kind::response_code, "PASS not-the-password"},
      {"line count", "explore",
       [](const std::string& c, const std::string& l, bool) {
         return c == "LIST" && l.starts_with("2 ") ? std::optional<std::string>("") : same(l);
       },
       kind::line_count, "LIST"},
      {"content", "explore",
       [](const std::string& c, const std::string& l, bool s) {
         return keyword(c) == "RETR" && !s && l.starts_with("Subject:")
                    ? std::optional<std::string>("Subject: changed\r\n")
                    : same(l);
       },
       kind::content, "RETR 1"},
      {"smaller size", "explore",
       [](const std::string& c, const std::string& l, bool s) {
         return c == "LIST 2" && s ? std::optional<std::string>(l.substr(0, l.rfind(' ')) + " 1\r\n")
                                   : same(l);
       },
       kind::size, "LIST 2"},
      {"unique-id reused", "explore",
       [](const std::string& c, const std::string& l, bool s) {
         return c == "UIDL" && !s && l != "." ? std::optional<std::string>(l.substr(0, 2) + "same\r\n")
                                              : same(l);
       },
       kind::unique_id, "UIDL"},
      {"connection close", "explore",
       [](const std::string& c, const std::string& l, bool) {
         return keyword(c) == "NOOP" ? std::nullopt : same(l);
       },
       kind::connection, "NOOP"},
      {"silence", "explore",
       [](const std::string& c, const std::string& l, bool) {
         return keyword(c) == "NOOP" ? std::optional<std::string>("") : same(l);
       },
       kind::silence, "NOOP"},
      {"bare LF", "explore",
       [](const std::string& c, const std::string& l, bool s) {
         return keyword(c) == "RSET" && s ? std::optional<std::string>(l + "\n") : same(l);
       },
       kind::framing, "RSET"},
  };
}

TEST(CompareFake, EveryDeliberateDifferenceIsFound) {
  for (const auto& f : found_cases()) {
    const auto c = through(f.change, f.scenario);
    EXPECT_EQ(c.outcome, compare_outcome::divergent) << f.name << ": " << explain(c);
    if (c.diff.divergences.empty()) continue;
    EXPECT_EQ(c.diff.divergences.front().k, f.expected) << f.name << ": " << explain(c);
    EXPECT_EQ(c.diff.divergences.front().command, f.command) << f.name << ": " << explain(c);
  }
}

TEST(CompareFake, AnExtraCapabilityIsReportedOnceByTheProbe) {
  refd_instance server(refd_setup(false));
  auto who = alice_on(server);
  rewriting_proxy proxy(server.port(), [](const std::string& c, const std::string& l, bool) {
    return c == "CAPA" && l == "." ? std::optional<std::string>("X-FAKE\r\n.\r\n") : same(l);
  });
  harness::comparison_runner runner(setup_for(loopback(proxy.port()), who, true));
  const auto probe = runner.capabilities();
  ASSERT_EQ(kinds(probe), std::vector<kind>{kind::capabilities}) << explain(probe);
  EXPECT_EQ(probe.diff.divergences[0].what, "X-FAKE is advertised by the server under test only");
  const auto c = runner.compare(ops_scenario("explore"));
  EXPECT_EQ(c.outcome, compare_outcome::same) << explain(c);
  ASSERT_EQ(c.diff.notes.size(), 1u);
  EXPECT_NE(c.diff.notes[0].find("already reported by compare/capabilities"), std::string::npos);
}

TEST(CompareFake, AClosedConnectionIsReportedOnceAndTheRestNoted) {
  const auto c = through([](const std::string& cmd, const std::string& l,
                            bool) { return cmd == "LIST 2" ? std::nullopt : same(l); },
                         "explore");
  ASSERT_EQ(c.diff.divergences.size(), 1u) << explain(c);
  EXPECT_EQ(c.diff.divergences[0].k, kind::connection);
  ASSERT_EQ(c.diff.notes.size(), 1u);
  EXPECT_NE(c.diff.notes[0].find("11 later response(s)"), std::string::npos) << c.diff.notes[0];
}

}  // namespace
}  // namespace pop3::testing
