#!/usr/bin/env bash
# The retrieval-quality benchmark in one command (see benchmarks/README.md):
#
#   benchmarks/quality/run.sh [quality.py options]     e.g. --sets mqp --variant 'k1_09:bm25_k1=0.9'
#
# 1. a Python environment in benchmarks/work/venv with numpy, scipy and
#    scikit-learn (from PyPI), made once;
# 2. the askalike library (Release, in build-quality/ unless ASKALIKE_BUILD_DIR
#    says otherwise) and benchmarks/quality/pair_scores.cpp linked to it
#    (BUILD/quality/pair_scores);
# 3. the C++ peers xapian_plain and fts5_plain (benchmarks/peers), in
#    build-quality/peers;
# 4. quality.py: every system on every set, the table on stdout and in
#    benchmarks/QUALITY.md.
# Builds are incremental and use one job (JOBS=N to change), the machine is shared.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$repo/benchmarks/work"
build="${ASKALIKE_BUILD_DIR:-$repo/build-quality}"
# ASKALIKE_SOURCE_DIR: build the library from another source tree (a patched
# copy, to measure a change to the ranking before it is made).
src="${ASKALIKE_SOURCE_DIR:-$repo}"
jobs="${JOBS:-1}"
mkdir -p "$work/quality"

venv="$work/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy, scipy, sklearn' 2>/dev/null; then
  echo "quality: creating $venv (numpy, scipy, scikit-learn)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy scipy scikit-learn
fi

# The library and pair_scores. A library that does not build yet only skips askalike.
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DASKALIKE_BUILD_TESTS=OFF \
       -DASKALIKE_BUILD_TOOLS=OFF -DASKALIKE_BUILD_BENCHMARKS=OFF >"$work/quality/cmake.log" 2>&1 &&
     nice ninja -C "$build" -j"$jobs" askalike >"$work/quality/build.log" 2>&1; then
    lib="$build/lib/libaskalike.so"
    [ -e "$lib" ] || lib="$build/lib/libaskalike.a"
    mkdir -p "$build/quality"
    exe="$build/quality/pair_scores"
    if [ ! -x "$exe" ] || [ "$here/pair_scores.cpp" -nt "$exe" ] || [ "$lib" -nt "$exe" ]; then
      nice g++ -std=c++17 -O2 -Wall -Wextra -I"$src/include" -I"$build/include" "$here/pair_scores.cpp" \
        -o "$exe.tmp" -L"$build/lib" -laskalike -Wl,-rpath,"$build/lib" -pthread \
        >"$work/quality/pair_scores.log" 2>&1 && mv "$exe.tmp" "$exe" ||
        echo "quality: pair_scores did not build (see $work/quality/pair_scores.log)" >&2
    fi
  else
    echo "quality: the askalike library did not build (see $work/quality/*.log): askalike is skipped" >&2
    rm -f "$build/quality/pair_scores"
  fi
  if cmake -S "$repo/benchmarks" -B "$build/peers" -G Ninja -DCMAKE_BUILD_TYPE=Release \
       >"$work/quality/peers-cmake.log" 2>&1; then
    nice ninja -C "$build/peers" -j"$jobs" xapian_plain fts5_plain >"$work/quality/peers-build.log" 2>&1 ||
      echo "quality: a peer did not build (see $work/quality/peers-build.log)" >&2
  else
    echo "quality: the peers did not configure (see $work/quality/peers-cmake.log)" >&2
  fi
  # Lucene (Maven Central): skipped with a message where Java, Maven or the registry is missing.
  lucene="$repo/benchmarks/peers/lucene"
  if ls "$lucene"/target/*.jar >/dev/null 2>&1; then
    :
  elif command -v mvn >/dev/null && command -v java >/dev/null; then
    (cd "$lucene" && mvn -q -B package -DskipTests >"$work/quality/lucene-build.log" 2>&1) ||
      echo "quality: the Lucene peer did not build (see $work/quality/lucene-build.log): lucene is skipped" >&2
  else
    echo "quality: no Java/Maven: the Lucene peer is skipped" >&2
  fi
  # tantivy (crates.io): skipped with a message where cargo or the registry is missing.
  tantivy="$repo/benchmarks/peers/tantivy"
  if [ -x "$tantivy/target/release/tantivy-peer" ]; then
    :
  elif command -v cargo >/dev/null; then
    (cd "$tantivy" && cargo build -q --release --locked --target-dir "$tantivy/target" \
       >"$work/quality/tantivy-build.log" 2>&1) ||
      echo "quality: the tantivy peer did not build (see $work/quality/tantivy-build.log): tantivy is skipped" >&2
  else
    echo "quality: no cargo: the tantivy peer is skipped" >&2
  fi
fi

exec "$venv/bin/python" "$here/quality.py" --build-dir "$build" --peers-dir "$build/peers" "$@"
