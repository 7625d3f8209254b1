#!/usr/bin/env bash
# The main job on the bundled corpus: installs what is missing (as root),
# builds askalike, indexes corpus/, and prints the questions most similar to
# an English and a Chinese example question.
#
#   ./tools/demo.sh ["your own question"]
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/build-common.sh

.ci/install-deps
configure_build
build_targets askalike-cli

askalike=$ASKALIKE_BUILD_DIR/tools/askalike
demo_index
db=$DEMO_DB

ask() {
  echo
  echo "=== Similar questions for: $1"
  "$askalike" similar -d "$db" -k 5 "$1"
}

if [ $# -gt 0 ]; then
  ask "$*"
else
  ask "I have been taking atorvastatin for my cholesterol and now my muscles ache. Is that a side effect, and should I stop taking it?"
  ask "我有高血压，最近头痛得厉害，可以吃党参泡水喝吗？"
fi
echo
echo "The tool is $askalike: put it on PATH with"
echo "  export PATH=\"$PWD/$ASKALIKE_BUILD_DIR/tools:\$PATH\""
echo "or install it (and the library) under /usr/local, as root, with 'cmake --install $ASKALIKE_BUILD_DIR'."
