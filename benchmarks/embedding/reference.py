#!/usr/bin/env python3
"""An independent reference for askalike's sentence embeddings (issue 28).

A BERT forward pass in numpy (float64), written straight from config.json and
model.safetensors, and the `tokenizers` library's WordPiece. Two uses:

  * imported by tests/python/test_embedding.py, which checks the C++ module
    against `Reference` on a tiny random model (no `tokenizers` needed);
  * run as a program, it checks askalike on a real model folder:

      pip install numpy tokenizers
      python3 benchmarks/embedding/reference.py --model DIR --bench build/benchmarks/embedding_bench

    It embeds real questions (medquad, cmd-zh Chinese, and accented text) and
    ten long answers with
    `embedding_bench print` and with this reference, and reports token
    mismatches and the largest difference of the embeddings.
"""
import argparse
import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def load_safetensors(path):
    """name -> numpy array (BF16 widened to float32)."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        raw = body[begin:end]
        if t["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, dtype=np.dtype(DTYPES[t["dtype"]]).newbyteorder("<"))
        out[name] = a.reshape(t["shape"])
    return out


def gelu(x):
    from math import erf
    return 0.5 * x * (1.0 + np.vectorize(erf)(x / np.sqrt(2.0)))


class Reference:
    """A sentence-transformers BERT folder, run in numpy."""

    def __init__(self, folder):
        folder = Path(folder)
        self.folder = folder
        self.config = json.loads((folder / "config.json").read_text())
        tensors = load_safetensors(folder / "model.safetensors")
        self.w = {(k[5:] if k.startswith("bert.") else k): v.astype(np.float64) for k, v in tensors.items()}
        self.pooling, self.normalize = "mean", False
        modules = folder / "modules.json"
        if modules.exists():
            for m in json.loads(modules.read_text()):
                if m["type"].endswith("Pooling"):
                    pooling = json.loads((folder / m["path"] / "config.json").read_text())
                    self.pooling = "cls" if pooling.get("pooling_mode_cls_token") else "mean"
                elif m["type"].endswith("Normalize"):
                    self.normalize = True

    def forward(self, ids):
        c, w = self.config, self.w
        eps = c.get("layer_norm_eps", 1e-12)
        heads = c["num_attention_heads"]

        def norm(x, name):
            mean = x.mean(-1, keepdims=True)
            var = ((x - mean) ** 2).mean(-1, keepdims=True)
            return (x - mean) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]

        def dense(x, name):
            return x @ w[name + ".weight"].T + w[name + ".bias"]

        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        d = x.shape[1] // heads
        for i in range(c["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            q, k, v = (dense(x, p + "attention.self." + s).reshape(n, heads, d).transpose(1, 0, 2)
                       for s in ("query", "key", "value"))
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, heads * d)
            x = norm(x + dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = gelu(dense(x, p + "intermediate.dense"))
            x = norm(x + dense(h, p + "output.dense"), p + "output.LayerNorm")
        pooled = x[0] if self.pooling == "cls" else x.mean(0)
        if self.normalize:
            pooled = pooled / max(np.linalg.norm(pooled), 1e-12)
        return pooled

    def tokenizer(self, max_tokens):
        """The `tokenizers` library's tokenizer for this folder, truncating at max_tokens."""
        from tokenizers import Tokenizer
        from tokenizers.implementations import BertWordPieceTokenizer
        if (self.folder / "tokenizer.json").exists():
            tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        else:
            settings = {}
            if (self.folder / "tokenizer_config.json").exists():
                settings = json.loads((self.folder / "tokenizer_config.json").read_text())
            lower = settings.get("do_lower_case", True)
            tok = BertWordPieceTokenizer(str(self.folder / "vocab.txt"), lowercase=lower,
                                         strip_accents=settings.get("strip_accents"),
                                         handle_chinese_chars=settings.get("tokenize_chinese_chars", True))
        tok.no_padding()
        tok.enable_truncation(max_length=max_tokens)
        return tok


def real_texts(shared, per_set):
    """Questions from medquad (English), cmd-zh (Chinese), accented text, and
    a few long medquad answers (truncated to max_tokens)."""
    texts = []
    answers = Path(shared) / "medquad" / "corpus.jsonl"
    if answers.exists():
        lines = answers.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line).get("answer", "") for line in lines[7::max(1, len(lines) // 10)][:10]]
    for name in ("medquad", "cmd-zh"):
        path = Path(shared) / name / "corpus.jsonl"
        if not path.exists():
            print(f"no {path}: skipped", file=sys.stderr)
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        step = max(1, len(lines) // per_set)
        for line in lines[::step][:per_set]:
            r = json.loads(line)
            texts.append(r.get("question") or r.get("title") or "")
    # Accented and mixed text: accents to strip, upper case, punctuation, symbols.
    accented = ["Café, crème brûlée et naïveté: à quoi sert la pénicilline?",
                "¿Qué es la diabetes? ¿Cómo se trata en niños pequeños?",
                "Ärztliche Behandlung: Übelkeit, Schwindel & Kopfschmerzen — was tun?",
                "Ça fait mal à l'épaule droite depuis trois années.",
                "São Paulo: infecção, coração e pulmões – ÁÉÍÓÚ ñ ç",
                "Crohn's disease (CD) vs. ulcerative colitis [UC]: what's the #1 difference?!",
                "İstanbul'da ĞÜŞÖÇ hastalığı nedir?",
                "Dosage: 5mg/kg\u00a0twice daily\u2014or 10\u202fmg?",
                "emoji 😀 and zero\u200bwidth and tab\tnew\nline",
                "ΣΟΦΙΑ ΚΑΙ ΥΓΕΙΑ: Ωμέγα-3 λιπαρά οξέα"]
    return texts + accented


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a sentence-transformers model folder")
    ap.add_argument("--bench", required=True, help="the embedding_bench program (build/benchmarks/embedding_bench)")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared" / "data"),
                    help="the shared data sets (medquad, cmd-zh)")
    ap.add_argument("--per-set", type=int, default=100, help="questions taken from each set")
    ap.add_argument("--max-tokens", type=int, default=256, help="as askalike's EmbeddingOptions::max_tokens")
    args = ap.parse_args()

    texts = real_texts(args.shared, args.per_set)
    run = subprocess.run([args.bench, "print", args.model],
                         input="".join(json.dumps(t) + "\n" for t in texts),
                         capture_output=True, text=True, check=True)
    ours = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(ours) == len(texts), (len(ours), len(texts))

    ref = Reference(args.model)
    tok = ref.tokenizer(args.max_tokens)
    token_mismatches, max_diff, min_cos = 0, 0.0, 1.0
    for text, got in zip(texts, ours):
        enc = tok.encode(text)
        if enc.tokens != got["tokens"]:
            token_mismatches += 1
            print("tokens differ:", repr(text), "\n  tokenizers:", enc.tokens, "\n  askalike:  ", got["tokens"])
        expected = ref.forward(np.array(enc.ids))
        mine = np.array(got["embedding"])
        diff = float(np.abs(expected - mine).max())
        cos = float(expected @ mine / (np.linalg.norm(expected) * np.linalg.norm(mine)))
        max_diff, min_cos = max(max_diff, diff), min(min_cos, cos)
    print(f"{len(texts)} texts: {token_mismatches} token mismatches, "
          f"largest embedding difference {max_diff:.2e}, smallest cosine {min_cos:.7f}")
    return 0 if token_mismatches == 0 and max_diff < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
