#!/usr/bin/env bash
# The checking passes of CI, after tools/test.sh (see RELIABILITY.md):
#   asan  the C++ tests (library and command-line tool) under AddressSanitizer
#         and UndefinedBehaviorSanitizer, in build-asan;
#   tsan  the concurrency tests (a shared Searcher, parallel ingest, readers
#         during commits) under ThreadSanitizer, in build-tsan;
#   fuzz  every libFuzzer target built (Clang) and run briefly from its seeds,
#         in build-fuzz (FUZZ_SECONDS each, default 20).
# Usage: tools/check-sanitizers.sh [asan|tsan|fuzz]...   (default: all three)
# Each pass builds only what it runs. Any finding fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/install-deps --checks
jobs=$(nproc)
passes=("$@")
((${#passes[@]})) || passes=(asan tsan fuzz)
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASKALIKE_BUILD_BENCHMARKS=OFF -DASKALIKE_INSTALL=OFF)

# Every finding is fatal; leaks are findings too.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"

# The test cases where threads share askalike objects or race a writer.
concurrency_tests="*serves many threads*,*several threads*,*parallel load*,*while a writer commits*"
concurrency_tests+=",*refresh interval*,*beside a writer holding the lock*"

for pass in "${passes[@]}"; do
  case "$pass" in
    asan)
      echo "== ASan+UBSan: the C++ tests"
      cmake -S . -B build-asan "${common[@]}" -DASKALIKE_SANITIZE=address,undefined
      cmake --build build-asan -j "$jobs" --target askalike_tests askalike_cli_tests
      ctest --test-dir build-asan --output-on-failure -j "$jobs" -E installed_package
      ;;
    tsan)
      echo "== TSan: the concurrency tests"
      cmake -S . -B build-tsan "${common[@]}" -DASKALIKE_SANITIZE=thread -DASKALIKE_BUILD_TOOLS=OFF
      cmake --build build-tsan -j "$jobs" --target askalike_tests
      build-tsan/tests/askalike_tests --test-case="$concurrency_tests"
      ;;
    fuzz)
      echo "== libFuzzer: every target, ${FUZZ_SECONDS:-20} s each"
      CXX=clang++ cmake -S . -B build-fuzz "${common[@]}" -DASKALIKE_FUZZ=ON -DBUILD_SHARED_LIBS=OFF \
        -DASKALIKE_BUILD_TESTS=OFF -DASKALIKE_BUILD_TOOLS=OFF
      cmake --build build-fuzz -j "$jobs"
      tools/fuzz.sh "${FUZZ_SECONDS:-20}"
      ;;
    *)
      echo "check-sanitizers.sh: unknown pass '$pass' (asan, tsan or fuzz)" >&2
      exit 2
      ;;
  esac
done
