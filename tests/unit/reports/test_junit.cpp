// JUnit structure, counts, the baseline mapping and escaping of hostile content (pugixml reads back).
#include "pop3/reports/junit.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "sample_reports.hpp"
#include "scratch_dir.hpp"

namespace pop3::reports {
namespace {

std::string junit_text(const run_report& rep) {
  std::ostringstream out;
  write_junit(rep, out);
  return out.str();
}

struct parsed {
  pugi::xml_document doc;
  explicit parsed(const std::string& xml) {
    const auto res = doc.load_buffer(xml.data(), xml.size());
    EXPECT_TRUE(res) << res.description();
  }
  pugi::xml_node root() const { return doc.child("testsuites"); }
  pugi::xml_node suite(const char* name) const { return root().find_child_by_attribute("testsuite", "name", name); }
  pugi::xml_node testcase(const char* suite_name, const char* id) const {
    return suite(suite_name).find_child_by_attribute("testcase", "name", id);
  }
  std::string property(const char* suite_name, const std::string& name) const {
    return suite(suite_name).child("properties").find_child_by_attribute("property", "name", name.c_str())
        .attribute("value").value();
  }
};

std::string attr(pugi::xml_node n, const char* name) { return n.attribute(name).value(); }

TEST(Junit, RootAndSuiteCountsFollowTheBaseline) {
  const parsed x(junit_text(testing::every_verdict_report()));
  EXPECT_EQ(attr(x.root(), "name"), "pop3spec");
  EXPECT_EQ(attr(x.root(), "tests"), "6");
  EXPECT_EQ(attr(x.root(), "failures"), "2");  // fail + unexpected pass
  EXPECT_EQ(attr(x.root(), "errors"), "1");
  EXPECT_EQ(attr(x.root(), "time"), "1.500");

  const auto rfc1939 = x.suite("rfc1939");
  ASSERT_TRUE(rfc1939);
  EXPECT_EQ(attr(rfc1939, "tests"), "4");
  EXPECT_EQ(attr(rfc1939, "failures"), "2");
  EXPECT_EQ(attr(rfc1939, "errors"), "1");
  EXPECT_EQ(attr(rfc1939, "skipped"), "0");
  EXPECT_EQ(attr(rfc1939, "time"), "0.100");
  EXPECT_EQ(attr(rfc1939, "timestamp"), "2024-05-01T12:00:00Z");
  EXPECT_EQ(attr(rfc1939, "hostname"), "ci-runner-1");
  EXPECT_EQ(attr(rfc1939, "id"), "0");
  EXPECT_EQ(attr(rfc1939, "package"), "pop3spec");

  const auto rfc2449 = x.suite("rfc2449");
  ASSERT_TRUE(rfc2449);
  EXPECT_EQ(attr(rfc2449, "tests"), "2");
  EXPECT_EQ(attr(rfc2449, "failures"), "0");
  EXPECT_EQ(attr(rfc2449, "errors"), "0");
  EXPECT_EQ(attr(rfc2449, "skipped"), "2");  // skip + known failure
  EXPECT_EQ(attr(rfc2449, "id"), "1");
}

TEST(Junit, OneTestcasePerScenarioWithClassnameNameAndTime) {
  const parsed x(junit_text(testing::every_verdict_report()));
  std::size_t count = 0;
  for (const auto suite : x.root().children("testsuite")) {
    // properties come first, as reporters expect.
    EXPECT_STREQ(suite.first_child().name(), "properties");
    for (const auto tc : suite.children("testcase")) {
      ++count;
      EXPECT_EQ(attr(tc, "classname"), attr(suite, "name"));
      EXPECT_EQ(attr(tc, "time"), "0.025");
      EXPECT_FALSE(attr(tc, "name").empty());
    }
  }
  EXPECT_EQ(count, 6u);
}

TEST(Junit, ServerFaultIsAFailureWithMessageAndDetails) {
  const parsed x(junit_text(testing::every_verdict_report()));
  const auto f = x.testcase("rfc1939", "rfc1939/dele/not-listed").child("failure");
  ASSERT_TRUE(f);
  EXPECT_EQ(attr(f, "type"), "fail");
  EXPECT_EQ(attr(f, "message"), "scenarios/rfc1939/dele/not-listed.pop3:12: expected +OK, got -ERR no such message");
  const std::string body = f.text().get();
  EXPECT_NE(body.find("expected: +OK"), std::string::npos);
  EXPECT_NE(body.find("actual:   -ERR no such message"), std::string::npos);
}

TEST(Junit, HarnessFaultIsAnError) {
  const parsed x(junit_text(testing::every_verdict_report()));
  const auto tc = x.testcase("rfc1939", "rfc1939/rset/unmarks");
  EXPECT_FALSE(tc.child("failure"));
  ASSERT_TRUE(tc.child("error"));
  EXPECT_EQ(attr(tc.child("error"), "type"), "error");
}

TEST(Junit, SkipCarriesTheReason) {
  const parsed x(junit_text(testing::every_verdict_report()));
  const auto s = x.testcase("rfc2449", "rfc2449/uidl/capa").child("skipped");
  ASSERT_TRUE(s);
  EXPECT_EQ(attr(s, "message"), "capability UIDL not advertised");
}

TEST(Junit, KnownFailureIsSkippedAndUnexpectedPassIsAFailure) {
  const parsed x(junit_text(testing::every_verdict_report()));
  const auto known = x.testcase("rfc2449", "rfc2449/top/lines");
  EXPECT_FALSE(known.child("failure"));
  EXPECT_EQ(attr(known.child("skipped"), "message"),
            "known failure: scenarios/rfc2449/top/lines.pop3:12: expected +OK, got -ERR no such message");

  const auto stale = x.testcase("rfc1939", "rfc1939/apop/digest");
  EXPECT_FALSE(stale.child("skipped"));
  EXPECT_EQ(attr(stale.child("failure"), "message"), "unexpected pass (listed in baseline)");
}

TEST(Junit, PassHasNoOutcomeElement) {
  const parsed x(junit_text(testing::every_verdict_report()));
  const auto tc = x.testcase("rfc1939", "rfc1939/stat/basic");
  ASSERT_TRUE(tc);
  EXPECT_FALSE(tc.child("failure") || tc.child("error") || tc.child("skipped"));
  EXPECT_FALSE(tc.child("system-err"));
}

TEST(Junit, RulesAndLevelsAreSuiteProperties) {
  const parsed x(junit_text(testing::every_verdict_report()));
  EXPECT_EQ(x.property("rfc1939", "target"), "127.0.0.1:1110 (embedded pop3refd)");
  EXPECT_EQ(x.property("rfc1939", "rfc1939/dele/not-listed.rules"), "rfc1939/dele/not-listed rfc1939/general");
  EXPECT_EQ(x.property("rfc1939", "rfc1939/dele/not-listed.level"), "must");
  EXPECT_EQ(x.property("rfc1939", "rfc1939/apop/digest.level"), "may");
  EXPECT_EQ(x.property("rfc2449", "rfc2449/uidl/capa.level"), "should");
  EXPECT_EQ(x.property("rfc2449", "rfc2449/uidl/capa.file"), "scenarios/rfc2449/uidl/capa.pop3");
}

TEST(Junit, TranscriptInSystemOutWarningsInSystemErr) {
  const parsed x(junit_text(testing::every_verdict_report()));
  const auto tc = x.testcase("rfc1939", "rfc1939/apop/digest");
  const std::string out = tc.child("system-out").text().get();
  EXPECT_NE(out.find("rules: rfc1939/apop/digest rfc1939/general\n"), std::string::npos);
  EXPECT_NE(out.find("level: may\n"), std::string::npos);
  EXPECT_NE(out.find("[+0.001s] a S: +OK POP3 ready <1.2@host>\n"
                     "[+0.002s] a C: USER alice\n"
                     "[+0.003s] a S: +OK\n"
                     "[+0.004s] a C: PASS ********\n"
                     "[+0.010s] a --: connection closed\n"),
            std::string::npos);
  EXPECT_EQ(std::string(tc.child("system-err").text().get()), "works but not advertised\n");
}

TEST(Junit, ResultWithoutSuiteFallsUnderTheRunName) {
  run_report rep;
  rep.results.push_back(testing::make_result("lonely", "", verdict::pass));
  const parsed x(junit_text(rep));
  EXPECT_TRUE(x.testcase("pop3spec", "lonely"));
  EXPECT_EQ(attr(x.suite("pop3spec"), "hostname"), "localhost");
}

TEST(JunitEscaping, RawOutputIsWellFormedUtf8WithoutForbiddenBytes) {
  const std::string xml = junit_text(testing::hostile_report());
  // "]]>" may not appear in character data (XML 1.0 §2.4); attribute values may hold it.
  EXPECT_NE(xml.find("<system-err>]]&gt; &lt;tag"), std::string::npos);
  EXPECT_EQ(xml.find("<tag"), std::string::npos);
  for (const char c : xml) {
    const auto b = static_cast<unsigned char>(c);
    ASSERT_FALSE(b < 0x20 && b != '\t' && b != '\n' && b != '\r') << "control byte " << int{b};
    ASSERT_NE(b, 0xFF);
    ASSERT_NE(b, 0xC0);
  }
}

TEST(JunitEscaping, HostileContentReadsBackAsVisibleText) {
  const parsed x(junit_text(testing::hostile_report()));
  const std::string shown = testing::hostile_text_shown();
  const auto tc = x.testcase("robustness", "robustness/garbage");
  ASSERT_TRUE(tc);
  EXPECT_EQ(attr(tc.child("failure"), "message").rfind("garbage.pop3:3: expected +OK, got " + shown, 0), 0u);
  EXPECT_NE(std::string(tc.child("failure").text().get()).find("actual:   " + shown), std::string::npos);
  EXPECT_EQ(std::string(tc.child("system-err").text().get()).rfind(shown, 0), 0u);
  EXPECT_EQ(x.property("robustness", "target"), "evil <server> & \"friends\"");

  const std::string out = tc.child("system-out").text().get();
  EXPECT_NE(out.find("a S: " + shown), std::string::npos);
  EXPECT_NE(out.find("a S: " + std::string(1 << 20, 'x') + "\\x01end\n"), std::string::npos);
}

TEST(JunitFile, WritesTheSameBytesAndReportsUnwritablePaths) {
  const auto rep = testing::every_verdict_report();
  const testing::scratch_dir dir("junit-file");
  write_junit(rep, dir.file("report.xml"));
  std::ifstream in(dir.file("report.xml"), std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, junit_text(rep));

  EXPECT_THROW(write_junit(rep, std::filesystem::path("/nonexistent-dir/x/report.xml")), std::runtime_error);
}

}  // namespace
}  // namespace pop3::reports
