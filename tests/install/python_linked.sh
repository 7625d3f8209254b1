#!/usr/bin/env bash
# The fast `pip install .`: the module built against an installed askalike
# (ASKALIKE_PYTHON_USE_INSTALLED) compiles none of the library, loads that
# prefix's shared library and finds a record it indexed.
#
#   tests/install/python_linked.sh PREFIX VENV   # PREFIX: where lib/libaskalike.so.0 and
#                                                # lib/cmake/askalike are; VENV: made afresh
# Run from the repository root (tools/test-packages.sh runs it on the .debs' files).
set -euo pipefail
prefix=$(cd "$1" && pwd)
venv=$2

rm -rf "$venv"
python3 -m venv "$venv"
log=$venv/pip.log
if ! "$venv/bin/pip" install -v --disable-pip-version-check . \
     -C cmake.define.ASKALIKE_PYTHON_USE_INSTALLED=ON -C cmake.define.CMAKE_PREFIX_PATH="$prefix" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  exit 1
fi
# The library was linked, not compiled: no object of lib/ in the build.
if grep -q "CMakeFiles/askalike.dir/" "$log"; then
  echo "pip compiled the library although ASKALIKE_PYTHON_USE_INSTALLED was on (see $log)" >&2
  exit 1
fi

cd "$venv"  # outside the source tree: the installed package, not bindings/python
module=$(bin/python -c 'import askalike._askalike as m; print(m.__file__)')
loaded=$(ldd "$module" | awk '$1 == "libaskalike.so.0" { print $3 }')
if [ "$(readlink -f "$loaded")" != "$(readlink -f "$prefix"/lib*/libaskalike.so.0)" ]; then
  echo "the module loads libaskalike.so.0 from '$loaded', not from $prefix" >&2
  exit 1
fi
bin/python - <<'EOF'
import tempfile, askalike
with tempfile.TemporaryDirectory() as d:
    with askalike.Index(d + "/qa.db") as index:
        index.add({"id": "gout-1", "title": "Gout and diet", "question": "Which foods should I avoid with gout?"})
        index.add({"id": "fever-1", "title": "Fever in a child", "question": "My child has a fever, when should I call a doctor?"})
    hits = askalike.Searcher(d + "/qa.db").similar("what should a gout patient not eat", k=1)
    assert [h.id for h in hits] == ["gout-1"], [h.id for h in hits]
EOF
echo "the module links $loaded and finds the record"
