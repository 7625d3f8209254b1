#!/usr/bin/env bash
# Starts `askalike serve` on the bundled corpus (the English MedQuAD sample and
# the Chinese cmd-zh dialogues) and prints its address: open it in a browser,
# or call the JSON API (GET /v1/openapi.json describes it). Ctrl-C stops it.
# Installs what is missing (as root) and builds askalike first.
#
#   ./tools/serve-demo.sh                         # http://127.0.0.1:8080/
#   ./tools/serve-demo.sh --listen 127.0.0.1:9000 # any `askalike serve` option
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/install-deps
# Configure only a new build directory: an existing one keeps its build type.
[ -f build/CMakeCache.txt ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target askalike-cli

askalike=build/tools/askalike
db=build/serve-demo.db
# Rebuilt when the corpus or the program changed.
if [ ! -d "$db" ] || [ corpus/medquad-sample.jsonl -nt "$db" ] || [ corpus/cmd-zh.jsonl -nt "$db" ] ||
   [ "$askalike" -nt "$db" ]; then
  rm -rf "$db"
  "$askalike" index -d "$db" corpus/medquad-sample.jsonl corpus/cmd-zh.jsonl
fi

if [ $# -eq 0 ]; then set -- --listen 127.0.0.1:8080; fi
exec "$askalike" serve -d "$db" "$@"
