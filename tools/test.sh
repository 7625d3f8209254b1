#!/usr/bin/env bash
# Builds askalike and runs every test: the C++ suite under ctest (library,
# command-line tool, installed package) and the Python suite under pytest
# (in a fresh virtual environment, with the module built by `pip install .`).
# Installs missing Debian packages when run as root. Shares its build with
# tools/demo.sh: after the demo, only the tests are left to compile.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/build-common.sh

# Measured: 23 minutes whole on a loaded 2-core machine (RELIABILITY.md, round 4);
# 32 minutes after demo.sh on a fresh clone at load average 20 (CHANGELOG, issue 25).
echo "== test.sh: expect 20-35 minutes on 2 cores (the build, ctest, then pip install . and pytest)"
.ci/install-deps --test
jobs=$(nproc)

configure_build
build_targets
echo "== C++: ctest"
ctest --test-dir "$ASKALIKE_BUILD_DIR" --output-on-failure -j "$jobs"

venv=$ASKALIKE_BUILD_DIR/venv
echo "== Python: a fresh virtual environment in $venv, with pytest"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pytest numpy  # numpy: the embedding reference (test_embedding.py)
echo "== Python: pip install . (builds the module with CMake; a few minutes)"
"$venv/bin/pip" install --disable-pip-version-check .
echo "== Python: pytest"
# Run from outside the source tree so that the installed package is tested.
(cd "$ASKALIKE_BUILD_DIR" && venv/bin/python -m pytest -q "$OLDPWD/tests/python")
