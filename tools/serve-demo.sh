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

source tools/build-common.sh

.ci/install-deps
configure_build
build_targets askalike-cli

askalike=$ASKALIKE_BUILD_DIR/tools/askalike
# The database tools/demo.sh made, when it is still up to date.
demo_index
db=$DEMO_DB

if [ $# -eq 0 ]; then set -- --listen 127.0.0.1:8080; fi
exec "$askalike" serve -d "$db" "$@"
