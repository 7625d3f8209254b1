#!/usr/bin/env bash
# Builds askalike and runs every test: the C++ suite under ctest (library,
# command-line tool, installed package) and the Python suite under pytest
# (in a fresh virtual environment, with the module built by `pip install .`).
# Installs missing Debian packages when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/install-deps
jobs=$(nproc)

echo "== C++: build and ctest"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== Python: pip install . into a fresh virtual environment, then pytest"
venv=build/venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet . pytest
# Run from outside the source tree so that the installed package is tested.
(cd build && venv/bin/python -m pytest -q "$OLDPWD/tests/python")
