#!/usr/bin/env bash
# Benchmarks: builds, brings the lab up if needed, runs bench/run.ts with tsx inside the lab's station
# namespace, and takes the lab down again if this script started it. Results: bench-results/results.json.
# Bench code lives outside src/ so it never ships; it runs from source (tsx) and starts dist/cli.js.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent build || exit 2
was_up=0
node dist/cli.js lab status >/dev/null 2>&1 && was_up=1
node dist/cli.js lab up || exit 2
node dist/cli.js lab exec -- env NODE_ENV=production npx tsx bench/run.ts "$@"
rc=$?
[ "$was_up" = 1 ] || node dist/cli.js lab down
exit $rc
