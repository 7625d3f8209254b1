#!/usr/bin/env python3
"""What float16 or int8 weights would cost in quality (issue 28, SPEED.md).

The numpy reference forward pass (reference.py) runs on real questions with
the dense layers' weights as stored (float32), then rounded to float16, then
to int8 with one scale per output column (symmetric, scale = max |w| / 127);
activations stay in float64. Reports the cosine of each text's embedding
against float32's (smallest, mean) and the size of the dense weights.

    pip install numpy tokenizers
    python3 benchmarks/embedding/quantized.py --model DIR [--count 200]
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import Reference  # noqa: E402

DENSE = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
         "intermediate.dense", "output.dense")


def quantized(weights, kind):
    """A copy of the dense weights (PyTorch layout: out x in) rounded as `kind`."""
    if kind == "float16":
        return weights.astype(np.float16).astype(np.float64)
    scale = np.abs(weights).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return np.clip(np.round(weights / scale), -127, 127) * scale


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a sentence-transformers model folder")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared" / "data"),
                    help="the shared data sets (medquad questions are taken from there)")
    ap.add_argument("--count", type=int, default=200, help="medquad questions (every n-th one)")
    args = ap.parse_args()

    corpus = Path(args.shared) / "medquad" / "corpus.jsonl"
    if not corpus.exists():
        print(f"no {corpus}: skipped")
        return 0
    lines = corpus.read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) // args.count)
    texts = [json.loads(line).get("question", "") for line in lines[3::step][:args.count]]

    ref = Reference(args.model)
    tok = ref.tokenizer(256)
    ids = [tok.encode(t).ids for t in texts]
    names = [k for k in ref.w if k.startswith("encoder.layer.") and any(k.endswith(d + ".weight") for d in DENSE)]
    original = {n: ref.w[n] for n in names}
    count = sum(w.size for w in original.values())
    base = [ref.forward(i) for i in ids]
    print(f"{len(texts)} medquad questions, {count:,} dense weights "
          f"(float32 {count * 4 / 2**20:.1f} MiB, float16 {count * 2 / 2**20:.1f} MiB, int8 {count / 2**20:.1f} MiB)")
    for kind in ("float16", "int8"):
        for n in names:
            ref.w[n] = quantized(original[n], kind)
        cos = []
        for i, b in zip(ids, base):
            e = ref.forward(i)
            cos.append(float(e @ b / (np.linalg.norm(e) * np.linalg.norm(b))))
        for n in names:
            ref.w[n] = original[n]
        print(f"{kind}: cosine to float32 smallest {min(cos):.6f}, mean {np.mean(cos):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
