# Sourced by tools/demo.sh, tools/test.sh and tools/package.sh: the one build
# directory and build type they share, so that running one after another
# builds and indexes nothing twice.
ASKALIKE_BUILD_DIR=build
ASKALIKE_BUILD_TYPE=RelWithDebInfo

# configure_build: CMake's configure step, one line unless it fails.
configure_build() {
  echo "== Configuring the C++ build ($ASKALIKE_BUILD_TYPE, in $ASKALIKE_BUILD_DIR/)"
  local log
  log=$(mktemp)
  if ! cmake -S . -B "$ASKALIKE_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$ASKALIKE_BUILD_TYPE" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# build_targets [TARGET...]: builds them (all without arguments); Ninja prints
# a line per compiled file.
build_targets() {
  echo "== Compiling ${*:-everything} (a few minutes the first time; nothing when up to date)"
  local targets=()
  (($#)) && targets=(--target "$@")
  cmake --build "$ASKALIKE_BUILD_DIR" -j "$(nproc)" "${targets[@]}"
}
