#!/usr/bin/env bash
# Runs every test: checks the layering (scripts/check-layers.sh), builds, starts the lab, runs vitest
# inside the lab's station namespace (unit and lab projects), takes the lab down, then runs the
# topologies project (each file brings up its own lab), and always takes the lab down afterwards.
# Extra arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."
# The layering rule first: an upward import or a cycle fails the run before anything is built.
bash scripts/check-layers.sh || exit $?
npm run --silent build || exit 2
node dist/cli.js lab up || exit 2
# Unit tests first, then the lab tests: run together, the lab's user-mode kernel starves timing-sensitive
# unit tests of CPU. Extra arguments (e.g. a file filter) go to both runs.
node dist/cli.js lab exec -- npx vitest run --project unit --passWithNoTests "$@"
rc=$?
node dist/cli.js lab exec -- npx vitest run --project lab --passWithNoTests "$@"
lab_rc=$?
[ $rc -eq 0 ] && rc=$lab_rc
node dist/cli.js lab down || rc=2
# The lab's other topologies (NAT, TUN, IPv6): each file brings the lab up from its own profile and takes
# it down again, so they run here, outside the station namespace, with the lab down.
npx vitest run --project topologies --passWithNoTests "$@"
topo_rc=$?
[ $rc -eq 0 ] && rc=$topo_rc
# A file stopped before its teardown must not leave its lab behind (any profile: one boot folder, one namespace).
node dist/cli.js lab down || rc=2
exit $rc
