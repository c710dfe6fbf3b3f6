// The CLI11 definition of the options shared by `run` and `list`.
#include "options.hpp"

#include <CLI/CLI.hpp>

namespace pop3::harness::cli {

void add_options(CLI::App& command, options& o) {
  command.add_option("inputs", o.inputs,
                     "Scenario files or folders, or scenario ids / id globs (default: every scenario)");
  command.add_option("--scenarios", o.scenarios_dir, "Scenario folder (default: the source tree's scenarios/)")
      ->check(CLI::ExistingDirectory);

  const char* target_group = "Target (default: the embedded reference server)";
  command.add_option("--server", o.server, "POP3 server to test, HOST[:PORT]")->group(target_group);
  command.add_flag("--tls", o.tls, "Implicit TLS (RFC 8314; default port 995)")->group(target_group);
  command.add_flag("--stls", o.stls, "The server offers STLS; the probe logs in after STLS")->group(target_group);
  command.add_option("--ca", o.ca, "PEM file of trusted CA certificates")->check(CLI::ExistingFile)->group(target_group);
  command.add_flag("--insecure", o.insecure, "Do not verify the server's certificate")->group(target_group);
  command.add_option("--client-cert", o.client_cert,
                     "PEM client certificate presented in every TLS handshake (with --client-key; declare "
                     "--fact CLIENT-CERT-ACCEPTED if the server accepts it as authentication)")
      ->check(CLI::ExistingFile)
      ->group(target_group);
  command.add_option("--client-key", o.client_key, "PEM private key of --client-cert")
      ->check(CLI::ExistingFile)
      ->group(target_group);
  command.add_option("--user", o.user, "Account name (env POP3SPEC_USER)")->group(target_group);
  command.add_option("--pass", o.pass, "Password (env POP3SPEC_PASS; prefer the env or --config)")->group(target_group);
  command.add_option("--apop-secret", o.apop_secret, "APOP secret (env POP3SPEC_APOP_SECRET)")->group(target_group);
  command.add_option("--config", o.config_file,
                     "JSON file: server, tls, ca, insecure, client_cert, client_key, facts [NAME...], accounts [{user, pass, apop_secret, "
                     "address, fixtures, disposable, long_user, long_pass, utf8_user, utf8_pass}], timeouts {read, scale, "
                     "scenario}. long_*: a further user whose password has 255 octets; utf8_*: one whose "
                     "password is non-ASCII UTF-8 (RFC 4616 scenarios skip without them)")
      ->check(CLI::ExistingFile)
      ->group(target_group);
  command.add_option("--fact", o.facts,
                     "Declare a fact about the server that no CAPA tag shows, for `requires: FACT:NAME` and "
                     "probes (repeatable; e.g. XTND, LAST, APOP, CLEARTEXT-REFUSED, PRIVACY-MODE)")
      ->group(target_group);
  command.add_option("--fixtures", o.fixtures,
                     "Fixture adapter: maildir:PATH, mbox:PATH, mbox-no-blank:PATH, smtp://HOST:PORT, lmtp://HOST:PORT or "
                     "exec:COMMAND "
                     "(PATH may contain {user}); none: scenarios that need fixtures are skipped")
      ->group(target_group);
  command.add_flag("--allow-destructive", o.allow_destructive,
                   "The accounts are disposable: run scenarios that delete mail")
      ->group(target_group);

  const char* select_group = "Selection";
  command.add_option("--filter", o.filters, "Run only these ids (glob: * and ?; repeatable)")->group(select_group);
  command.add_option("--exclude", o.excludes, "Leave out these ids (glob; repeatable)")->group(select_group);
  command.add_option("--baseline", o.baseline, "Known failures: one id (or glob) per line, '#' comments")
      ->check(CLI::ExistingFile)
      ->group(select_group);
  command.add_option("--shard", o.shard, "Run the K-th of N stable partitions by id, K/N")->group(select_group);

  const char* run_group = "Execution";
  command.add_option("--jobs,-j", o.jobs, "Scenarios in parallel (one account each)")
      ->check(CLI::PositiveNumber)
      ->group(run_group);
  command.add_option("--timeout", o.timeout, "Seconds per read/write (default 5)")->check(CLI::PositiveNumber)->group(run_group);
  command.add_option("--auth-timeout", o.auth_timeout,
                     "Seconds to wait for the answer to a login command (PASS, APOP, AUTH; default 30): servers "
                     "delay them after failed logins")
      ->check(CLI::PositiveNumber)
      ->group(run_group);
  command.add_option("--timeout-scale", o.timeout_scale, "Multiply every time limit by this factor (default 1)")
      ->check(CLI::PositiveNumber)
      ->group(run_group);
  command.add_option("--scenario-timeout", o.scenario_timeout, "Seconds per scenario, waits excluded (default 60)")
      ->check(CLI::PositiveNumber)
      ->group(run_group);
  command.add_option("--max-wait", o.max_wait,
                     "Skip scenarios whose wait: steps add up to more than this many seconds (e.g. the "
                     "10-minute autologout checks); default: no limit")
      ->check(CLI::NonNegativeNumber)
      ->group(run_group);
  command.add_option("--min-wait", o.min_wait,
                     "Run only scenarios whose wait: steps add up to more than this many seconds: the ones "
                     "--max-wait with the same value skips (for a separate job of long idle checks)")
      ->check(CLI::NonNegativeNumber)
      ->group(run_group);
  command.add_flag("--strict", o.strict, "SHOULD failures fail the run")->group(run_group);

  const char* output_group = "Output";
  command.add_option("--junit", o.junit, "Write a JUnit XML report")->group(output_group);
  command.add_option("--json", o.json, "Write a JSON report")->group(output_group);
  command.add_option("--markdown", o.markdown, "Write a Markdown result matrix")->group(output_group);
  command.add_flag("--verbose,-v", o.verbose, "Print the transcript of every failure")->group(output_group);
}

}  // namespace pop3::harness::cli
