# Sourced by tools/demo.sh, tools/serve-demo.sh, tools/test.sh and
# tools/package.sh: the one build directory and build type they share, so that
# running one after another builds and indexes nothing twice.
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

# demo_index: the bundled corpus' database, shared by demo.sh and
# serve-demo.sh ($DEMO_DB); indexes corpus/ first when the database is missing
# or older than the corpus or the askalike program (a new askalike may store
# records differently). Built beside and then moved, so that a running
# `askalike serve` never sees half a database.
DEMO_DB=$ASKALIKE_BUILD_DIR/demo.db
demo_index() {
  local askalike=$ASKALIKE_BUILD_DIR/tools/askalike
  local corpus=(corpus/medquad-sample.jsonl corpus/cmd-zh.jsonl)
  local f
  if [ -d "$DEMO_DB" ]; then
    for f in "${corpus[@]}" "$askalike"; do
      [ "$f" -nt "$DEMO_DB" ] && break
      f=
    done
    if [ -z "$f" ]; then
      echo "== Reusing $DEMO_DB (newer than corpus/ and $askalike)"
      return
    fi
  fi
  echo "== Indexing ${corpus[*]} (10,653 records) into $DEMO_DB"
  rm -rf "$DEMO_DB.new"
  "$askalike" index -d "$DEMO_DB.new" "${corpus[@]}"
  rm -rf "$DEMO_DB"
  mv "$DEMO_DB.new" "$DEMO_DB"
}
