#!/usr/bin/env bash
# Runs every libFuzzer target of $FUZZ_BUILD (default build-asan, where
# tools/check-sanitizers.sh fuzz builds them) for SECONDS each, one after
# the other on one core, from the seeds made at configure time. New inputs
# that reach new code are kept in BUILD/tests/fuzz/corpus/NAME; a failing
# input is left in BUILD/tests/fuzz/findings and fails the script.
# Usage: tools/fuzz.sh [SECONDS] [TARGET...]      (default: 20 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
dir=${FUZZ_BUILD:-build-asan}/tests/fuzz
targets=("$@")
if ((${#targets[@]} == 0)); then
  for t in "$dir"/fuzz_*; do
    if [ -x "$t" ]; then targets+=("${t##*/fuzz_}"); fi
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz.sh: no targets in $dir; run tools/check-sanitizers.sh fuzz" >&2
  exit 1
fi

# No detect_stack_use_after_return here: its fake stacks cost more executions
# than they find in parsers (check-sanitizers.sh asan keeps it on the tests).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$dir/findings"
for name in "${targets[@]}"; do
  mkdir -p "$dir/corpus/$name"
  echo "-- fuzz_$name: $seconds s"
  log="$dir/findings/$name.log"
  rc=0
  # -rss_limit_mb: a runaway input is a finding, not a machine out of memory.
  # -max_len: short inputs reach the same code, many times faster.
  nice -n 10 "$dir/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -max_len=2048 \
    -artifact_prefix="$dir/findings/$name-" -print_final_stats=1 \
    "$dir/corpus/$name" "$dir/seeds/$name" >"$log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)|fuzz invariant' "$log" || true
  if ((rc != 0)); then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: fuzz_$name failed (exit $rc); input and log in $dir/findings" >&2
    exit 1
  fi
done
