#!/usr/bin/env bash
# The reference the benchmark compares against: the seeds' documented "CI API Flow" as a
# CI system would script it: create a CI run, then poll its decision, sleeping 5 s between polls.
# Usage: reference-gate.sh BASE_URL TOKEN CAMPAIGN_ID TRACE_ID
set -euo pipefail
base="$1" token="$2" campaign="$3" trace="$4"

run=$(curl -sf -X POST "$base/v1/ci/runs" \
  -H "Content-Type: application/json" \
  -H "X-Sepurux-Token: $token" \
  -d "{\"trace_id\":\"$trace\",\"campaign_id\":\"$campaign\",\"thresholds\":{\"min_pass_rate\":0.85,\"max_unsafe\":0}}")
run_id=$(printf '%s' "$run" | sed -n 's/.*"run_id":"\([^"]*\)".*/\1/p')

while true; do
  body=$(curl -sf "$base/v1/ci/runs/$run_id" -H "X-Sepurux-Token: $token")
  decision=$(printf '%s' "$body" | sed -n 's/.*"decision":"\([^"]*\)".*/\1/p')
  case "$decision" in
    pass) exit 0 ;;
    fail) exit 1 ;;
  esac
  sleep 5
done
