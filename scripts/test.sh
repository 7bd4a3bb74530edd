#!/usr/bin/env bash
# Run CaseDesk's tests the way CI does: dependencies, services, vitest, one closing line.
#
# usage: scripts/test.sh [vitest args…]     e.g. scripts/test.sh --project unit
#                                                scripts/test.sh test/integration/support.test.ts
# Ends with exactly one line `N passed, N failed` (`, N skipped` when some were) and vitest's exit
# status. Services this run started are stopped at exit, unless KEEP_SERVICES=1 or another test
# run still uses them (scripts/services.sh leases).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
note() { printf 'test.sh: %s\n' "$*" >&2; }

TMP=$(mktemp -d)
LEASED=0
release_services() {
  if [ "$LEASED" -eq 1 ]; then
    LEASED=0
    bash scripts/services.sh release $$ >&2 || note "stopping services failed"
  fi
}
on_exit() {
  release_services
  rm -rf "$TMP"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Close a run that never got to vitest the same way as a crashed one.
fail_early() {
  note "$*"
  release_services
  echo "0 passed, 1 failed"
  exit 1
}

# 1. Dependencies: npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  t=$(now_ns)
  note "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund </dev/null >&2 || fail_early "npm ci failed"
  note "npm ci took $(ms_since "$t") ms"
fi

# 2. Services (Dovecot, Redis, PostgreSQL).
if [ "${KEEP_SERVICES:-0}" = 1 ]; then
  bash scripts/services.sh start >&2 || fail_early "scripts/services.sh start failed"
else
  LEASED=1
  SERVICES_LEASE=$$ bash scripts/services.sh start >&2 || fail_early "scripts/services.sh start failed"
fi

# 3. vitest, with a JSON report to count from.
t=$(now_ns)
npx vitest run --reporter=default --reporter=json --outputFile.json="$TMP/vitest.json" "$@" </dev/null
rc=$?
note "vitest exited $rc after $(ms_since "$t") ms"
release_services

if [ ! -s "$TMP/vitest.json" ]; then
  note "vitest wrote no JSON report (crashed before reporting?)"
  echo "0 passed, 1 failed"
  exit 1
fi

# A file that fails to load has no failed test but a failed suite; count it as one failure.
summary=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const rc = Number(process.argv[2]);
  const brokenFiles = (r.testResults || []).filter((f) => f.status === "failed" &&
    !(f.assertionResults || []).some((a) => a.status === "failed")).length;
  let failed = (r.numFailedTests || 0) + brokenFiles;
  if (rc !== 0 && failed === 0) {
    console.error(`test.sh: vitest exited ${rc} without a failed test (no test files matched, or an unhandled error); counted as 1 failure`);
    failed = 1;
  }
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  console.log(`${r.numPassedTests || 0} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$TMP/vitest.json" "$rc") || { echo "0 passed, 1 failed"; exit 1; }
echo "$summary"
if [ "$rc" -eq 0 ] && [[ "$summary" != *", 0 failed"* ]]; then rc=1; fi
exit "$rc"
