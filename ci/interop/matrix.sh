#!/usr/bin/env bash
# The interop matrix: the whole scenario corpus against each lab server (servers/*.sh), on its
# plain port and, where it has one, on its POP3S port, each column against its known list.
#
#   ci/interop/matrix.sh [SERVER...]     default: dovecot courier mailutils popa3d solid-pop3d cyrus
#
# Writes reports/interop/<server>-<plain|tls>/{junit.xml,results.json,console.txt} and
# reports/interop/matrix.{md,html}, prints one line per column, and exits 1 if any column differs
# from ci/interop/known/<server>-<plain|tls>.txt (a failure or error not listed, or a listed
# scenario that passed), 2 on a usage error.  The servers run side by side (each has its own ports);
# each column starts its server afresh, so a column never sees what the previous one left behind.
#
#   POP3SPEC=path/to/pop3spec   default: build-release/harness/pop3spec, else the newest build*/ one
#   MATRIX_OUT=DIR              default: reports/interop
#   MATRIX_JOBS=N               scenarios in parallel per server (default: LAB_ACCOUNTS, 4)
#   MATRIX_COLUMN_TIMEOUT=S     bound on one column's pop3spec run (default 1500 s)
#   MATRIX_UPDATE_KNOWN=1       rewrite each known list from this run's failures and errors
#   KEEP=1                      leave the servers running afterwards
#   MATRIX_PORT_OFFSET=N        a second lab beside the first: every port + N, labs in
#                               /tmp/pop3lab+N/<server> (e.g. 1000: dovecot on 12110)
#   extra pop3spec run options: MATRIX_RUN_OPTIONS (word-split), e.g. "--filter 'rfc1939/*'"
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=ci/interop/servers/lib.sh
source "$here/servers/lib.sh"
set +e  # lib.sh sets -e; one failing column must not stop the others
LAB_NAME=matrix

all_servers=(dovecot courier mailutils popa3d solid-pop3d cyrus)
declare -A plain_port=([dovecot]=11110 [mailutils]=11120 [popa3d]=11130 [solid-pop3d]=11140 [courier]=11150
  [cyrus]=11160)
# Only the servers with a POP3S port get a tls column (popa3d and Solid POP3 have no TLS at all).
declare -A tls_port=([dovecot]=11111 [mailutils]=11121 [courier]=11151 [cyrus]=11161)
port_offset=${MATRIX_PORT_OFFSET:-0}
lab_root=/tmp/pop3lab
if [ "$port_offset" != 0 ]; then
  lab_root=/tmp/pop3lab+$port_offset
  for name in "${all_servers[@]}"; do
    plain_port[$name]=$((plain_port[$name] + port_offset))
    [ -z "${tls_port[$name]:-}" ] || tls_port[$name]=$((tls_port[$name] + port_offset))
  done
fi
# The server scripts' port variables (DOVECOT_PORT, ..., CYRUS_PORT_LMTP), for one server.
server_env() {  # SERVER
  local var
  var=$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')
  printf '%s\n' "${var}_PORT=${plain_port[$1]}"
  [ -z "${tls_port[$1]:-}" ] || printf '%s\n' "${var}_PORT_TLS=${tls_port[$1]}"
  [ "$1" != cyrus ] || printf '%s\n' "CYRUS_PORT_LMTP=$((11162 + port_offset))"
}

servers=("$@")
((${#servers[@]})) || servers=("${all_servers[@]}")
for name in "${servers[@]}"; do
  [ -n "${plain_port[$name]:-}" ] || { echo "unknown server: $name (names: ${all_servers[*]})" >&2; exit 2; }
done

pop3spec=${POP3SPEC:-}
[ -n "$pop3spec" ] || [ ! -x "$root/build-release/harness/pop3spec" ] || pop3spec=$root/build-release/harness/pop3spec
if [ -z "$pop3spec" ]; then
  pop3spec=$(find "$root" -maxdepth 3 -path "$root/build*/harness/pop3spec" -type f -printf '%T@ %p\n' 2>/dev/null |
    sort -rn | head -n 1 | cut -d' ' -f2-)
fi
if [ -z "$pop3spec" ] || [ ! -x "$pop3spec" ]; then
  echo "build pop3spec first, or set POP3SPEC" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "must run as root (the lab servers are started as root)" >&2; exit 2; }
lab_apt_install jq >/dev/null || exit 2  # reads the JSON reports below

out=${MATRIX_OUT:-$root/reports/interop}
known_dir=$here/known
jobs=${MATRIX_JOBS:-$LAB_ACCOUNTS}
mkdir -p "$out" "$lab_root"

columns_of() {  # SERVER -> its column names
  printf '%s\n' "$1-plain"
  [ -z "${tls_port[$1]:-}" ] || printf '%s\n' "$1-tls"
}

# One column: a fresh server, then the whole corpus.  pop3spec's exit code goes to DIR/exit-code.
run_column() {
  local name=$1 mode=$2 column="$1-$2" lab=$lab_root/$1 dir args=() code
  dir=$out/$column
  rm -rf "$dir"
  mkdir -p "$dir"
  # shellcheck disable=SC2046  # server_env prints NAME=VALUE words
  if ! env POP3LAB_DIR="$lab" $(server_env "$name") "$here/servers/$name.sh" > /dev/null 2> "$dir/server-start.log"; then
    echo "the server did not start: see server-start.log" > "$dir/console.txt"
    echo start-failed > "$dir/exit-code"
    return
  fi
  if [ "$mode" = tls ]; then
    args=(--server "$LAB_HOST:${tls_port[$name]}" --tls --ca "$lab/tls/cert.pem")
  else
    args=(--server "$LAB_HOST:${plain_port[$name]}")
    # STLS scenarios verify the certificate; a server with a POP3S port need not offer STLS
    # everywhere (RFC 8314), which tls/server/tls-access checks only without this fact.
    [ -z "${tls_port[$name]:-}" ] || args+=(--ca "$lab/tls/cert.pem" --fact IMPLICIT-TLS)
  fi
  [ ! -f "$known_dir/$column.txt" ] || args+=(--baseline "$known_dir/$column.txt")
  # --timeout 20: servers delay the answer to a failed login (Dovecot by 2 s), and a
  # server with an auth penalty (Dovecot's) by up to 15 s; pop3spec waits --auth-timeout (30 s) for those.
  # shellcheck disable=SC2086  # MATRIX_RUN_OPTIONS is a list of words
  timeout --kill-after=30 "${MATRIX_COLUMN_TIMEOUT:-1500}" "$pop3spec" run "${args[@]}" \
    --config "$lab/accounts.json" --jobs "$jobs" --max-wait 30 --allow-destructive --timeout 20 \
    --junit "$dir/junit.xml" --json "$dir/results.json" ${MATRIX_RUN_OPTIONS:-} > "$dir/console.txt" 2>&1
  code=$?
  echo "$code" > "$dir/exit-code"
}

run_server() {
  local name=$1 column
  for column in $(columns_of "$name"); do
    local started=$SECONDS
    run_column "$name" "${column#"$name"-}"
    echo "$((SECONDS - started))" > "$out/$column/seconds"
  done
  [ "${KEEP:-0}" = 1 ] || POP3LAB_DIR=$lab_root/$name "$here/servers/stop.sh" "$name" 2>/dev/null
}

# "MUST 120 pass / 3 fail, SHOULD 2 warn, ...": the raw verdicts, by level, of one results.json.
column_counts() {
  jq -r '[.results[]] as $r
    | def n(f): [$r[] | select(f)] | length;
    "MUST \(n(.level == "must" and .verdict == "pass")) pass / \(n(.level == "must" and .verdict == "fail")) fail, " +
    "SHOULD \(n(.level == "should" and .verdict == "fail")) warn, " +
    "\(n(.verdict == "error")) error, \(n(.verdict == "skip")) skip, " +
    "\(n(.disposition == "known-failure")) known"' "$1"
}

# Ids whose outcome differs from the known list: failures and errors not in it, listed ones that passed.
column_differences() {
  jq -r '.results[] | select(.disposition == "fail" or .disposition == "error" or .disposition == "unexpected-pass")
    | "\(.id)  \(.disposition)"' "$1"
}

write_known() {  # COLUMN RESULTS_JSON
  local file=$known_dir/$1.txt
  mkdir -p "$known_dir"
  {
    cat <<HEADER
# Known deviations of the $1 column of ci/interop/matrix.sh (pop3spec run --baseline).
# Each line must be a TRUE deviation of the server: the scenario id, then after '#' one sentence
# saying what the server does and the RFC section it departs from.  A lab artefact or a harness
# problem does not belong here: fix it instead.  Lines marked UNCLASSIFIED were copied from a
# matrix run (MATRIX_UPDATE_KNOWN=1) and still await that classification.  A listed scenario that
# passes, or a failure that is not listed, makes matrix.sh exit 1, so this list cannot go stale.

HEADER
    jq -r '.results[] | select(.verdict == "fail" or .verdict == "error")
      | "\(.id)  # UNCLASSIFIED \(.level | ascii_upcase) \(.verdict): \(.message | gsub("[\r\n]+"; " ")
        | sub("^[^ ]*/scenarios/"; "") | .[0:160])"' "$2"
  } > "$file"
}

started=$SECONDS
lab_log "pop3spec: $pop3spec; servers: ${servers[*]}; $jobs jobs each; reports in $out"
pids=()
for name in "${servers[@]}"; do
  run_server "$name" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
lab_log "all columns done in $((SECONDS - started)) s"

reports=()
status=0
for name in "${servers[@]}"; do
  for column in $(columns_of "$name"); do
    json=$out/$column/results.json
    if [ ! -s "$json" ]; then
      echo "$column: NO REPORT (exit $(cat "$out/$column/exit-code" 2>/dev/null); see $out/$column/console.txt)"
      status=1
      continue
    fi
    reports+=("$column=$json")
    [ "${MATRIX_UPDATE_KNOWN:-0}" != 1 ] || write_known "$column" "$json"
    differences=$(column_differences "$json")
    echo "$column: $(column_counts "$json") ($(cat "$out/$column/seconds") s)"
    if [ -n "$differences" ]; then
      if [ "${MATRIX_UPDATE_KNOWN:-0}" = 1 ]; then
        echo "  known list rewritten: $known_dir/$column.txt"
      else
        echo "  differs from $known_dir/$column.txt:"
        head -n 40 <<< "$differences" | while read -r line; do echo "    $line"; done
        status=1
      fi
    fi
  done
done

if ((${#reports[@]})); then
  "$pop3spec" report "${reports[@]}" --markdown "$out/matrix.md" --html "$out/matrix.html" \
    || { echo "pop3spec report failed" >&2; status=1; }
fi
lab_log "matrix in $out/matrix.md ($((SECONDS - started)) s in all)"
exit "$status"
