// The JUnit output validates against junit-10.xsd (the Jenkins xUnit schema) with xmllint.
// The schema is the repository's copy (tests/data), so the test needs nothing outside the repo.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "pop3/reports/junit.hpp"
#include "sample_reports.hpp"
#include "scratch_dir.hpp"

namespace pop3::reports {
namespace {

const std::filesystem::path schema = POP3SPEC_SOURCE_DIR "/tests/data/junit-10.xsd";

struct xmllint_result {
  bool valid = false;
  std::string output;
};

xmllint_result xmllint(const std::filesystem::path& xml) {
  std::filesystem::path log = xml;
  log += ".xmllint.txt";
  // `timeout` keeps a stuck xmllint from hanging the suite.
  const std::string command = "timeout 120 xmllint --noout --schema '" + schema.string() + "' '" + xml.string() +
                              "' > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  return {status == 0, std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
}

class JunitSchema : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(std::filesystem::exists(schema)) << schema; }

  xmllint_result validate(const run_report& rep) {
    const auto path = dir_.file("report.xml");
    write_junit(rep, path);
    return xmllint(path);
  }
  xmllint_result validate_text(const std::string& xml) {
    const auto path = dir_.file("handmade.xml");
    std::ofstream(path, std::ios::binary) << xml;
    return xmllint(path);
  }

 private:
  testing::scratch_dir dir_{"junit-schema"};
};

TEST_F(JunitSchema, ReportWithEveryVerdictValidates) {
  const auto res = validate(testing::every_verdict_report());
  EXPECT_TRUE(res.valid) << res.output;
  EXPECT_NE(res.output.find("validates"), std::string::npos) << res.output;
}

TEST_F(JunitSchema, HostileReportIsWellFormedAndValidates) {
  const auto res = validate(testing::hostile_report());
  EXPECT_TRUE(res.valid) << res.output;
}

TEST_F(JunitSchema, EmptyReportValidates) {
  const auto res = validate(run_report{});
  EXPECT_TRUE(res.valid) << res.output;
}

// Controls: the check above can fail, for a schema violation and for ill-formed XML alike.
TEST_F(JunitSchema, XmllintRejectsATestcaseWithoutName) {
  const auto res = validate_text(
      "<?xml version=\"1.0\"?><testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\">"
      "<testcase classname=\"s\"/></testsuite></testsuites>");
  EXPECT_FALSE(res.valid) << res.output;
  EXPECT_NE(res.output.find("fails to validate"), std::string::npos) << res.output;
}

TEST_F(JunitSchema, XmllintRejectsAControlCharacter) {
  const auto res = validate_text(
      "<?xml version=\"1.0\"?><testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\">"
      "<testcase name=\"t\"><system-out>\x01</system-out></testcase></testsuite></testsuites>");
  EXPECT_FALSE(res.valid) << res.output;
}

}  // namespace
}  // namespace pop3::reports
