// JSON: the documented shape, lossless round trips (hostile bytes included) and reader errors.
#include "pop3/reports/json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

#include "sample_reports.hpp"
#include "scratch_dir.hpp"

namespace pop3::reports {
namespace {

std::string json_text(const run_report& rep) {
  std::ostringstream out;
  write_json(rep, out);
  return out.str();
}

run_report read_text(const std::string& text) {
  std::istringstream in(text);
  return read_json(in);
}

// The message of the report_format_error that reading `text` throws ("" if none is thrown).
std::string read_error(const std::string& text) {
  try {
    (void)read_text(text);
  } catch (const report_format_error& e) {
    return e.what();
  }
  return "";
}

TEST(Json, HasTheDocumentedShape) {
  const auto j = nlohmann::json::parse(json_text(testing::every_verdict_report()));
  EXPECT_EQ(j["schema"], "pop3spec-report");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["target"], "127.0.0.1:1110 (embedded pop3refd)");
  EXPECT_EQ(j["hostname"], "ci-runner-1");
  EXPECT_EQ(j["started_at"], "2024-05-01T12:00:00Z");
  EXPECT_DOUBLE_EQ(j["elapsed_seconds"].get<double>(), 1.5);

  const auto& s = j["summary"];
  EXPECT_EQ(s["total"], 6);
  EXPECT_EQ(s["by_verdict"], (nlohmann::json{{"pass", 2}, {"fail", 2}, {"error", 1}, {"skip", 1}}));
  EXPECT_EQ(s["failures_by_level"], (nlohmann::json{{"must", 1}, {"should", 0}, {"may", 0}, {"info", 0}}));
  EXPECT_EQ(s["known_failures"], 1);
  EXPECT_EQ(s["unexpected_passes"], 1);
  EXPECT_EQ(s["security_findings"], 0);

  ASSERT_EQ(j["results"].size(), 6u);
  const auto& fail = j["results"][1];
  EXPECT_EQ(fail["id"], "rfc1939/dele/not-listed");
  EXPECT_EQ(fail["suite"], "rfc1939");
  EXPECT_EQ(fail["rules"], (nlohmann::json{"rfc1939/dele/not-listed", "rfc1939/general"}));
  EXPECT_EQ(fail["level"], "must");
  EXPECT_EQ(fail["verdict"], "fail");
  EXPECT_EQ(fail["disposition"], "fail");
  EXPECT_EQ(fail["known_failure"], false);
  EXPECT_EQ(fail["expected"], "+OK");
  EXPECT_EQ(fail["actual"], "-ERR no such message");
  EXPECT_DOUBLE_EQ(fail["elapsed_seconds"].get<double>(), 0.025);
  EXPECT_EQ(fail["transcript"][1],
            (nlohmann::json{{"connection", "a"}, {"direction", "client"}, {"text", "USER alice"}, {"at_seconds", 0.002}}));
  EXPECT_EQ(j["results"][4]["disposition"], "known-failure");
  EXPECT_EQ(j["results"][5]["disposition"], "unexpected-pass");
}

TEST(Json, RoundTripKeepsEveryField) {
  const auto rep = testing::every_verdict_report();
  EXPECT_EQ(read_text(json_text(rep)), rep);
}

TEST(Json, RoundTripKeepsHostileBytesExactly) {
  const auto rep = testing::hostile_report();
  const std::string text = json_text(rep);
  EXPECT_EQ(read_text(text), rep);
  EXPECT_EQ(json_text(read_text(text)), text);  // stable: writing what was read gives the same bytes
}

TEST(Json, InvalidUtf8BecomesBase64AndNulStaysAString) {
  run_report rep;
  auto r = testing::make_result("x", "s", verdict::fail);
  r.actual = "\xff\xfe";
  r.expected = std::string("a\0b", 3);
  rep.results.push_back(r);
  const auto j = nlohmann::json::parse(json_text(rep));
  EXPECT_EQ(j["results"][0]["actual"], (nlohmann::json{{"base64", "//4="}}));
  EXPECT_EQ(j["results"][0]["expected"], std::string("a\0b", 3));
}

TEST(Json, Base64OfEveryLengthRoundTrips) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) {
    bytes += static_cast<char>(0xF8 + i);  // never valid UTF-8, so always base64
    run_report rep;
    rep.results.push_back(testing::make_result(bytes, "s", verdict::pass));
    EXPECT_EQ(read_text(json_text(rep)).results.at(0).id, bytes) << i;
  }
}

TEST(Json, ReaderDefaultsOptionalFields) {
  const auto rep = read_text(R"({"schema": "pop3spec-report", "schema_version": 1,
                                  "results": [{"id": "a/b", "verdict": "skip"}]})");
  ASSERT_EQ(rep.results.size(), 1u);
  EXPECT_EQ(rep.results[0].id, "a/b");
  EXPECT_EQ(rep.results[0].outcome, verdict::skip);
  EXPECT_EQ(rep.results[0].lvl, level::must);
  EXPECT_TRUE(rep.results[0].transcript.empty());
}

TEST(Json, ReaderRejectsWhatItCannotTrust) {
  const std::string head = R"({"schema": "pop3spec-report", "schema_version": 1, "results": [)";
  EXPECT_NE(read_error("not json").find("report JSON: document"), std::string::npos);
  EXPECT_NE(read_error("[]").find("expected an object"), std::string::npos);
  EXPECT_NE(read_error(R"({"schema": "other", "schema_version": 1})").find("not a pop3spec report"), std::string::npos);
  EXPECT_NE(read_error(R"({"schema": "pop3spec-report", "schema_version": 2})").find("version 2"), std::string::npos);
  EXPECT_NE(read_error(head + R"({"verdict": "pass"}]})").find("results[0].id: missing"), std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": "x"}]})").find("results[0].verdict: missing"), std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": "x", "verdict": "maybe"}]})").find("unknown value \"maybe\""),
            std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": "x", "verdict": "pass", "level": "MUST"}]})").find("results[0].level"),
            std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": 7, "verdict": "pass"}]})").find("results[0].id: expected a string"),
            std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": {"base64": "***="}, "verdict": "pass"}]})").find("invalid base64"),
            std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": "x", "verdict": "pass", "elapsed_seconds": "1"}]})").find("expected a number"),
            std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": "x", "verdict": "pass", "transcript": [{"direction": "up"}]}]})")
                .find("results[0].transcript[0].direction"),
            std::string::npos);
  EXPECT_NE(read_error(head + R"({"id": "x", "verdict": "pass", "rules": "a"}]})").find("expected an array"),
            std::string::npos);
}

TEST(JsonFile, RoundTripsThroughAFileAndReportsMissingFiles) {
  const testing::scratch_dir dir("json-file");
  const auto rep = testing::every_verdict_report();
  write_json(rep, dir.file("report.json"));
  EXPECT_EQ(read_json(dir.file("report.json")), rep);
  EXPECT_THROW((void)read_json(dir.file("absent.json")), report_format_error);
  EXPECT_THROW(write_json(rep, dir.file("no-such-dir/report.json")), std::runtime_error);
}

}  // namespace
}  // namespace pop3::reports
