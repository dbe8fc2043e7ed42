#!/usr/bin/env bash
# Regenerates the promptfoo results files the tests read (test/fixtures/promptfoo/results/) with
# the real promptfoo, offline: each suite in test/fixtures/promptfoo/suites/ is evaluated by a
# provider that answers from the test's own vars (test/fixtures/promptfoo/provider.mjs).
# promptfoo needs Node 22.22 or later and installs about 1.5 GB, so it is no devDependency:
# `npx --yes` fetches the pinned version once into npm's cache. See CONTRIBUTING.md.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/promptfoo"

PROMPTFOO_VERSION=0.123.1
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1
# promptfoo exits 100 when a test fails; these suites fail on purpose.
export PROMPTFOO_FAILED_TEST_EXIT_CODE=0
# Its database and logs go to a scratch home, never the user's ~/.promptfoo.
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export PROMPTFOO_CONFIG_DIR="$home" VARS_PROVIDER_STATE="$home"

promptfoo() { npx --yes "promptfoo@$PROMPTFOO_VERSION" "$@"; }

mkdir -p results
# name of the results file, suite, the agent's release (AGENT_RELEASE), then promptfoo's own flags
while read -r name suite release flags; do
  case "$name" in "" | "#"*) continue ;; esac
  echo "AGENT_RELEASE=$release promptfoo eval -c suites/$suite $flags -> results/$name.json"
  # shellcheck disable=SC2086 # the flags are words
  AGENT_RELEASE="$release" promptfoo eval -c "suites/$suite" -o "results/$name.json" \
    --no-cache --no-progress-bar -j 1 $flags >/dev/null
done <<'SUITES'
support-pass support-agent.yaml current
support-regressed support-agent.yaml regressed
search-errors provider-errors.yaml current
billing-repeats repeats.yaml current --repeat 3
SUITES
