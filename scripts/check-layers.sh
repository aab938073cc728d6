#!/usr/bin/env bash
# The layering rule (.dependency-cruiser.cjs): nothing in src/ imports a layer above its own, no import
# cycles, src/ never imports tests or benchmarks. Exit 0 clean, 1 a violation (listed), 2 cannot check.
# Uses the project's dependency-cruiser (devDependency); LVSDECK_DEPCRUISE names another depcruise binary.
set -uo pipefail
cd "$(dirname "$0")/.."
depcruise="${LVSDECK_DEPCRUISE:-node_modules/.bin/depcruise}"
if [ ! -x "$depcruise" ]; then
	echo "check-layers: dependency-cruiser is not installed (npm install -D dependency-cruiser@^16.10.4)" >&2
	exit 2
fi
"$depcruise" --config .dependency-cruiser.cjs --output-type err src "$@" || exit 1
