#!/usr/bin/env bash
# Runs every test: builds, starts the lab, runs vitest inside the lab's station namespace (unit and
# lab projects), and always takes the lab down afterwards. Extra arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent build || exit 2
node dist/cli.js lab up || exit 2
node dist/cli.js lab exec -- npx vitest run "$@"
rc=$?
node dist/cli.js lab down || rc=2
exit $rc
