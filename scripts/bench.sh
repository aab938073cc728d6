#!/usr/bin/env bash
# Benchmarks: builds, brings the lab up if a section asked for needs it, runs bench/run.ts with tsx
# (inside the lab's station namespace for the lab sections), and takes the lab down again if this
# script started it. Results: bench-results/results.json.
# Bench code lives outside src/ so it never ships; it runs from source (tsx) and starts dist/cli.js;
# lvsdeck's own modules it imports are loaded from dist/ as they ship (bench/shipped-code.mjs).
# A lab that cannot come up (a host it cannot run on, see README) leaves the other sections to run;
# the exit code is then 2.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent build || exit 2
LAB_SECTIONS=" statusVsSsh warmPoll vipDetection consoleWatch watcher keepalivedEvents "
needs_lab=0
[ "$#" = 0 ] && needs_lab=1
for s in "$@"; do case "$LAB_SECTIONS" in *" $s "*) needs_lab=1 ;; esac; done
if [ "$needs_lab" = 0 ]; then
  NODE_ENV=production node --import tsx --import ./bench/shipped-code.mjs bench/run.ts "$@"
  exit $?
fi
was_up=0
node dist/cli.js lab status >/dev/null 2>&1 && was_up=1
if ! node dist/cli.js lab up; then
  echo "bench: the lab did not come up; the sections that need it are skipped" >&2
  NODE_ENV=production node --import tsx --import ./bench/shipped-code.mjs bench/run.ts "$@"
  exit 2
fi
node dist/cli.js lab exec -- env NODE_ENV=production node --import tsx --import ./bench/shipped-code.mjs bench/run.ts "$@"
rc=$?
[ "$was_up" = 1 ] || node dist/cli.js lab down
exit $rc
