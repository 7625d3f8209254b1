#!/usr/bin/env bash
# Builds the packages (tools/package.sh) and proves each one works where a
# user would install it:
#
# - the wheel: installed into a fresh virtual environment, the Python tests
#   run with the system's Xapian, ICU and libcsv hidden (an empty file
#   mounted over each, in a private mount namespace) and LD_LIBRARY_PATH
#   empty, after ldd has shown that the extension loads only libraries from
#   the wheel or the few that manylinux lets a wheel take from the system;
# - the sdist: the wheel above was built from it by pip;
# - the .debs (libaskalike0, askalike, libaskalike-dev): each holds its share
#   of the files, the tool and the library depend on no -dev package, no
#   package has maintainer scripts; dpkg, on a private database, installs
#   and removes the three leaving no "rc" entry; unpacked (dpkg -x),
#   the consumer example built against them with CMake and pkg-config, the
#   tool run, and the Python module built against them by the fast
#   `pip install .` (tests/install/python_linked.sh). With CI=true (or
#   ASKALIKE_TEST_APT=1) also apt: the library alone, installed and removed
#   (nothing left, no "rc" entry), then with the tool, then with -dev, the
#   same checks under /usr, removed, then purged
#   (always, even on failure); skipped when one of them is already
#   installed, not to remove a user's copy.
#
# Needs root (apt, mount namespaces). Prints "N passed, N failed" at the end.
#
#   tools/test-packages.sh [--no-build]   # --no-build: test what dist/ holds
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/build-common.sh

[ "${1:-}" = "--no-build" ] || tools/package.sh

version=$(sed -n 's/^project(askalike VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
passed=0
failed=0
check() {  # check NAME COMMAND...: runs it, counts it, goes on after a failure
  local name=$1
  shift
  echo "== test: $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "   ok: $name"
  else
    failed=$((failed + 1))
    echo "   FAILED: $name" >&2
  fi
}

# --- the wheel -------------------------------------------------------------
wheel=$(ls dist/askalike-"$version"-*.whl)
venv=$ASKALIKE_BUILD_DIR/wheel-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" pytest
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
extension=$(ls "$site"/askalike/_askalike*.so)

# The system libraries the wheel must not need, as real files, and Xapian's
# tools (a Python test that uses xapian-metadata then skips, as it says).
shopt -s nullglob
mapfile -t system_libs < <(for f in /usr/lib/*-linux-gnu/lib{xapian,icuuc,icui18n,icudata,csv}.so.* /usr/bin/xapian-*; do
  readlink -f "$f"; done | sort -u)
shopt -u nullglob

# Libraries that manylinux lets a wheel load from the system (auditwheel's
# policy), and the dynamic loader.
allowed='^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libc\.so\.6|libm\.so\.6|libmvec\.so\.1|libdl\.so\.2|librt\.so\.1|libpthread\.so\.0|libanl\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libatomic\.so\.1|libutil\.so\.1|libresolv\.so\.2|libnsl\.so\.1|libz\.so\.1|libexpat\.so\.1)$'
wheel_only_libraries() {
  local bad=0 name path
  while read -r name _ path _; do
    [ "$path" = "not" ] && { echo "   not found: $name" >&2; bad=1; continue; }
    name=${name##*/}  # the loader is listed by its path
    [ -n "$path" ] && path=$(readlink -f "$path")  # the wheel's are listed as askalike/../askalike.libs/
    if [[ "$name" =~ $allowed ]] || [[ "$path" == "$(readlink -f "$site")"/askalike.libs/* ]]; then
      echo "   $name -> ${path:-(loader)}"
    else
      echo "   from outside the wheel: $name -> $path" >&2
      bad=1
    fi
  done < <(LD_LIBRARY_PATH= ldd "$extension" | sed 's/^\s*//')
  return $bad
}
check "the wheel's extension loads only bundled or manylinux-allowed libraries" wheel_only_libraries

# tools/icu-data-subset.sh's ICU data, not the system's full one.
reduced_icu_data() {
  local bundled system_size
  bundled=$(ls "$site"/askalike.libs/libicudata*.so* 2>/dev/null | head -n 1)
  [ -n "$bundled" ] || { echo "   no libicudata in the wheel" >&2; return 1; }
  system_size=$(stat -L -c %s "$(ls /usr/lib/*-linux-gnu/libicudata.so.* | head -n 1)")
  echo "   $(basename "$bundled"): $(stat -c %s "$bundled") bytes (the system's: $system_size)"
  (($(stat -c %s "$bundled") < system_size / 2))
}
check "the wheel carries the reduced ICU data" reduced_icu_data

# Runs "$@" with the system's Xapian, ICU and libcsv hidden (an empty,
# non-executable file mounted over each); first proves
# that they really are out of reach (else the test could not fail).
without_system_libs() {
  local empty
  empty=$(mktemp)
  unshare --mount --propagation private bash -c '
    empty=$1; shift
    count=$1; shift
    for ((i = 0; i < count; i++)); do mount --bind "$empty" "$1"; shift; done
    if python3 -c "import ctypes; ctypes.CDLL(\"libxapian.so.30\")" 2>/dev/null; then
      echo "   the system Xapian is still loadable: nothing was hidden" >&2; exit 1
    fi
    LD_LIBRARY_PATH= exec "$@"' _ "$empty" "${#system_libs[@]}" "${system_libs[@]}" "$@"
  local rc=$?
  rm -f "$empty"
  return $rc
}
check "the Python tests pass on the wheel with the system's Xapian and ICU hidden" \
  without_system_libs bash -c 'cd "$1" && "$2" -m pytest -q -p no:cacheprovider "$3"' _ \
  "$ASKALIKE_BUILD_DIR" "$PWD/$venv/bin/python" "$PWD/tests/python"
check "the wheel's version is CMake's ($version)" \
  test "$("$venv/bin/python" -c 'import askalike; print(askalike.__version__)')" = "$version"

# --- the sdist -------------------------------------------------------------
sdist_has_sources() {
  local listing
  listing=$(tar -tzf dist/askalike-"$version".tar.gz)
  for f in CMakeLists.txt pyproject.toml lib/analysis/analyzer.cpp bindings/module.cpp include/askalike/askalike.hpp; do
    grep -qx "askalike-$version/$f" <<<"$listing" || { echo "   missing from the sdist: $f" >&2; return 1; }
  done
}
check "the sdist holds the sources (and pip built the wheel above from it)" sdist_has_sources

# --- the .debs ------------------------------------------------------------
runtime_deb=$(ls dist/libaskalike[0-9]*_"$version"_*.deb)
runtime_pkg=$(dpkg-deb -f "$runtime_deb" Package)
tool_deb=$(ls dist/askalike_"$version"_*.deb)
dev_deb=$(ls dist/libaskalike-dev_"$version"_*.deb)
debs=("$runtime_deb" "$tool_deb" "$dev_deb")
packages=("$runtime_pkg" askalike libaskalike-dev)
tool_version_is() {  # tool_version_is PROGRAM
  local out
  out=$("$1" --version)
  echo "   $out"
  [[ "$out" == "askalike $version (database schema "[0-9]*")" ]]
}
consumer_builds() {  # consumer_builds PREFIX WORK_DIR
  cmake -DPREFIX="$1" -DSOURCE_DIR="$PWD" -DWORK_DIR="$2" -P tests/install/check_install.cmake
}
for deb in "${debs[@]}"; do
  check "$(basename "$deb")'s version is CMake's ($version)" test "$(dpkg-deb -f "$deb" Version)" = "$version"
done
holds_only() {  # holds_only DEB PATTERN: every file of DEB matches PATTERN (an extended regex)
  local other
  other=$(dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $6 }' | grep -Ev "$2" || true)
  [ -z "$other" ] || { echo "   also holds: $other" >&2; return 1; }
}
check "$runtime_pkg holds the shared library only" holds_only "$runtime_deb" '^\./usr/lib/libaskalike\.so\.'
check "askalike holds the tool only" holds_only "$tool_deb" '^\./usr/bin/askalike$'
check "libaskalike-dev holds headers, the .so link, CMake and pkg-config files" \
  holds_only "$dev_deb" '^\./usr/(include/askalike/|lib/libaskalike\.so$|lib/cmake/askalike/|lib/pkgconfig/askalike\.pc$)'
no_dev_depends() {  # the command and its library pull in no development package
  local deps
  deps=$(dpkg-deb -f "$runtime_deb" Depends)", "$(dpkg-deb -f "$tool_deb" Depends)
  echo "   $deps"
  ! grep -q -- '-dev\b' <<<"$deps"
}
check "the tool and the library depend on no -dev package" no_dev_depends
no_scripts() {  # a maintainer script would leave the removed package in the "rc" state
  local deb scripts
  for deb in "${debs[@]}"; do
    scripts=$(dpkg-deb -I "$deb" | grep -Eo '\b(preinst|postinst|prerm|postrm)\b' || true)
    [ -z "$scripts" ] || { echo "   $(basename "$deb"): $scripts" >&2; return 1; }
  done
  dpkg-deb -I "$runtime_deb" triggers | grep -qx 'activate-noawait ldconfig'
}
check "no package has maintainer scripts; the library runs ldconfig by trigger" no_scripts
# dpkg itself, on a private database and root (the system's untouched): the
# three installed together, removed, and none left in the "rc" state.
removal_leaves_nothing() {
  local dir=$PWD/$ASKALIKE_BUILD_DIR/dpkg-check known
  rm -rf "$dir"
  mkdir -p "$dir"/admin/{updates,info,triggers} "$dir/root"
  touch "$dir/admin/status" "$dir/admin/available"
  local dpkg=(dpkg --admindir="$dir/admin" --instdir="$dir/root" --force-depends --force-not-root)
  "${dpkg[@]}" -i "${debs[@]}" >/dev/null &&
    test -x "$dir/root/usr/bin/askalike" &&
    "${dpkg[@]}" -r "${packages[@]}" >/dev/null || return 1
  known=$(dpkg-query --admindir="$dir/admin" -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null || true)
  rm -rf "$dir"
  [ -z "$known" ] || { echo "   left after removal: $known" >&2; return 1; }
}
check "dpkg installs the three and removes them leaving nothing (private dpkg database)" removal_leaves_nothing
root=$PWD/$ASKALIKE_BUILD_DIR/deb-root
rm -rf "$root"
for deb in "${debs[@]}"; do dpkg -x "$deb" "$root"; done
check "the tool runs (the .debs unpacked with dpkg -x)" tool_version_is "$root/usr/bin/askalike"
check "the consumer example builds against the .debs' files (dpkg -x)" \
  consumer_builds "$root/usr" "$PWD/$ASKALIKE_BUILD_DIR/deb-check"
check "pip install . links the .debs' library instead of compiling it (ASKALIKE_PYTHON_USE_INSTALLED)" \
  tests/install/python_linked.sh "$root/usr" "$ASKALIKE_BUILD_DIR/linked-venv"

if [ "${CI:-}" = true ] || [ "${ASKALIKE_TEST_APT:-}" = 1 ]; then
  if dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -q "ok installed"; then
    echo "== askalike is already installed on this machine: the apt install tests are skipped"
  else
    trap 'apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true' EXIT
    left_nothing() {  # nothing of the packages known to dpkg (no "rc" entry) nor on disk
      local known
      known=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null | grep -v '^un ' || true)
      [ -z "$known" ] || { echo "   still known to dpkg: $known" >&2; return 1; }
      [ ! -e /usr/bin/askalike ] && [ ! -e /usr/include/askalike ] && ! ls /usr/lib/libaskalike.so* >/dev/null 2>&1
    }
    check "apt install ./$runtime_deb alone" apt-get install -y -qq "./$runtime_deb"
    remove_library_alone() { apt-get remove -y -qq "$runtime_pkg" && left_nothing; }
    check "apt remove $runtime_pkg leaves nothing behind" remove_library_alone
    check "apt install the tool with its library" apt-get install -y -qq "./$runtime_deb" "./$tool_deb"
    check "the installed tool runs (/usr/bin/askalike)" tool_version_is /usr/bin/askalike
    check "apt install the -dev package with it" apt-get install -y -qq "./$runtime_deb" "./$tool_deb" "./$dev_deb"
    check "the consumer example builds against the installed packages" \
      consumer_builds /usr "$PWD/$ASKALIKE_BUILD_DIR/apt-check"
    check "apt remove of all three" apt-get remove -y -qq "${packages[@]}"
    check "the removal left nothing behind (no rc entry)" left_nothing
    # Purged from installed (after the clean removal above apt no longer
    # knows the local packages at all, so there is nothing left to purge).
    check "apt install the three again" apt-get install -y -qq "./$runtime_deb" "./$tool_deb" "./$dev_deb"
    purge_all() { apt-get purge -y -qq "${packages[@]}" && left_nothing; }
    check "apt-get purge of all three leaves nothing behind" purge_all
    trap - EXIT
  fi
fi

echo
echo "packages: $passed passed, $failed failed"
((failed == 0))
