"""A tiny random BERT model folder in the sentence-transformers layout
(hidden 32, 2 heads, 2 layers, intermediate 64), written with numpy and json
alone (the safetensors file by hand), for tests that need no download."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "my", "child", "has", "fever", "and",
         "rash", "high", "red", "when", "baby", "or", "infant", "why", "does", "face", "twitch", "i", "sleep",
         "cafe", "resume", "play", "##ing", "##s", "##ed", "un", "##know", "##n", ",", ".", "!", "?", "'",
         "(", ")", "高", "血", "压", "hello", "world", "naive", "uber", "##e"]

HIDDEN, HEADS, LAYERS, INTERMEDIATE, POSITIONS = 32, 2, 2, 64, 24


def tensors(seed=3, prefix="", hidden=HIDDEN):
    rng = np.random.default_rng(seed)
    out = {}

    def add(name, shape, offset=0.0):
        out[prefix + name] = (offset + rng.uniform(-0.5, 0.5, size=shape)).astype(np.float32)

    add("embeddings.word_embeddings.weight", (len(VOCAB), hidden))
    add("embeddings.position_embeddings.weight", (POSITIONS, hidden))
    add("embeddings.token_type_embeddings.weight", (2, hidden))
    add("embeddings.LayerNorm.weight", (hidden,), 1.0)
    add("embeddings.LayerNorm.bias", (hidden,))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for s in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            add(p + s + ".weight", (hidden, hidden))
            add(p + s + ".bias", (hidden,))
        add(p + "attention.output.LayerNorm.weight", (hidden,), 1.0)
        add(p + "attention.output.LayerNorm.bias", (hidden,))
        add(p + "intermediate.dense.weight", (INTERMEDIATE, hidden))
        add(p + "intermediate.dense.bias", (INTERMEDIATE,))
        add(p + "output.dense.weight", (hidden, INTERMEDIATE))
        add(p + "output.dense.bias", (hidden,))
        add(p + "output.LayerNorm.weight", (hidden,), 1.0)
        add(p + "output.LayerNorm.bias", (hidden,))
    return out


def safetensors_bytes(arrays):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, a in arrays.items():
        raw = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def write(folder, *, seed=3, prefix="", normalize=True, cls_pooling=False, model_type="bert", hidden=HIDDEN,
          vocab_json=False):
    """Writes the model folder and returns its path. vocab_json: the vocabulary
    in tokenizer.json (model.vocab) instead of vocab.txt."""
    folder = Path(folder)
    (folder / "1_Pooling").mkdir(parents=True, exist_ok=True)
    config = {"architectures": ["BertModel"], "model_type": model_type, "hidden_act": "gelu",
              "hidden_size": HIDDEN, "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
              "intermediate_size": INTERMEDIATE, "layer_norm_eps": 1e-12, "max_position_embeddings": POSITIONS,
              "type_vocab_size": 2, "vocab_size": len(VOCAB)}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    if vocab_json:
        tokenizer = {"version": "1.0", "normalizer": {"type": "BertNormalizer", "lowercase": True},
                     "model": {"type": "WordPiece", "unk_token": "[UNK]",
                               "vocab": {t: i for i, t in enumerate(VOCAB)}}}
        (folder / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False))
    else:
        (folder / "vocab.txt").write_text("".join(t + "\n" for t in VOCAB), encoding="utf-8")
        (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}))
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 16}))
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    (folder / "modules.json").write_text(json.dumps(modules, indent=2))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": cls_pooling,
         "pooling_mode_mean_tokens": not cls_pooling}))
    (folder / "model.safetensors").write_bytes(safetensors_bytes(tensors(seed, prefix, hidden)))
    return folder
