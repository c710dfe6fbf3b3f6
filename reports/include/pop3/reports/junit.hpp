#pragma once
// JUnit XML for CI test reporters (Jenkins, GitLab, GitHub), valid against the Jenkins xUnit
// junit-10.xsd. Mapping:
//   <testsuites name tests failures errors time>
//     <testsuite name=<suite> tests failures errors skipped time timestamp hostname id package>
//       <properties>  target, and per scenario "<id>.rules", "<id>.level", "<id>.file"
//                     (the schema allows no properties on a testcase)
//       <testcase classname=<suite> name=<id> time>
//         <failure message="file:line: expected X, got Y" type="fail">   server fault
//         <error message=... type="error">                               harness fault
//         <skipped message=reason>                                       precondition missing
//         <skipped message="known failure: ...">                         fail/error in the baseline
//         <failure message="unexpected pass (listed in baseline)" type="unexpected-pass">
//         <system-out> rules, level, file, then the (masked) wire transcript
//         <system-err> warnings
// Every string goes through visible_text, so hostile server bytes keep the file well-formed.
#include <filesystem>
#include <ostream>

#include "pop3/reports/model.hpp"

namespace pop3::reports {

/// Writes the report as UTF-8 JUnit XML.
void write_junit(const run_report& report, std::ostream& out);
/// Writes the report to `path`; throws std::runtime_error if the file cannot be written.
void write_junit(const run_report& report, const std::filesystem::path& path);

}  // namespace pop3::reports
