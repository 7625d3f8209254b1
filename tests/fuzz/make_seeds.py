#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets: small slices of real data.

From the bundled corpus/ (always) and the shared development data sets
(when present; they are read, never copied into the repository). One
directory per target under --out, one file per seed.
"""

import argparse
import csv
import io
import json
import zlib
import pathlib
import random
import struct
from urllib.parse import quote


def jsonl_lines(path, n, rng):
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return rng.sample(lines, min(n, len(lines)))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", required=True, type=pathlib.Path)
    ap.add_argument("--shared", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    args = ap.parse_args()
    rng = random.Random(14)  # the same seeds on every machine with the same data

    records = []
    for path in [args.source / "corpus" / "medquad-sample.jsonl", args.source / "corpus" / "cmd-zh.jsonl",
                 args.shared / "medquad" / "corpus.jsonl", args.shared / "semeval2016" / "corpus.jsonl",
                 args.shared / "chip2019" / "corpus.jsonl", args.shared / "mqp" / "corpus.jsonl"]:
        records += jsonl_lines(path, 15, rng)
    queries = []
    for path in [args.shared / "liveqa-medquad" / "queries.jsonl", args.shared / "chip2019" / "queries.jsonl",
                 args.shared / "mediqa-rqe" / "queries.jsonl"]:
        queries += [json.loads(line)["text"] for line in jsonl_lines(path, 15, rng)]
    texts = [json.loads(r).get("question", "") for r in records] + queries
    pages = [p for p in [args.source / "tests" / "data" / "seed-page.txt",
                         args.shared / "page-sample" / "seed-page.txt"] if p.is_file()]

    seeds = {name: [] for name in ["jsonl", "delimited", "page", "lines", "encoding", "analyzer", "query", "open",
                                   "metadata", "serve", "record", "http", "token",
                                   "safetensors", "wordpiece", "vector"]}
    for i in range(0, len(records), 3):
        seeds["jsonl"].append("\n".join(records[i:i + 3]).encode() + b"\n")
    fields = ["id", "title", "question", "answer", "category", "tags", "date"]
    for i in range(0, len(records), 4):
        for delimiter in [",", "\t"]:
            out = io.StringIO()
            w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
            w.writerow(fields)
            for line in records[i:i + 4]:
                r = json.loads(line)
                w.writerow([";".join(r[f]) if isinstance(r.get(f), list) else str(r.get(f, "")) for f in fields])
            seeds["delimited"].append(out.getvalue().encode())
    for p in pages:
        seeds["page"].append(p.read_bytes())
        seeds["lines"].append(p.read_bytes())
    for i in range(0, len(texts), 5):
        seeds["lines"].append("\n".join(t.replace("\n", " ") for t in texts[i:i + 5]).encode() + b"\n")
    for text in texts[:40]:
        for encoding in ["utf-8", "gb18030", "big5", "shift_jis", "utf-16", "utf-8-sig", "latin-1"]:
            try:
                seeds["encoding"].append(text.encode(encoding))
            except UnicodeEncodeError:
                pass
    for i, text in enumerate(texts):
        seeds["analyzer"].append(bytes([i % 9]) + text.encode())
        seeds["query"].append(bytes([0x0A, 0x07]) + text.encode())
    for line in records[:30]:
        # fuzz_record: an even first byte stores the input as it is (here a
        # record's JSON); an odd one puts the database's dictionary id before
        # the rest (here a raw deflate stream of the record).
        seeds["record"].append(line.encode())
        z = zlib.compressobj(6, zlib.DEFLATED, -15)
        seeds["record"].append(b"\x01" + z.compress(line.encode()) + z.flush())
    seeds["open"] += [b"auto db\n", b"glass db\n", b"# a comment\nauto db\nauto db\n", b"inmemory\n", b""]
    # metadata: a key selector (0 ranking, 1 field totals, 2 analyzer), then
    # the value as askalike writes it, and variants of it.
    ranking = {"title_weight": 1.0, "question_weight": 1.0, "answer_weight": 0.1, "bm25_b": 0.75, "scale": 1000.0}
    totals = {"length": [1800, 21000, 95000], "records": [600, 600, 590]}
    analyzer = {"fold_case": True, "fold_accents": True, "traditional_to_simplified": False, "stop_words": True,
                "stem": True, "cjk_bigrams": True, "cjk_unigrams": True, "cjk_unigram_weight": 0.4,
                "cjk_bigram_weight": 0.2, "default_language": "en", "max_term_bytes": 64}
    for key, value in enumerate([ranking, totals, analyzer]):
        seeds["metadata"].append(bytes([key]) + json.dumps(value, separators=(",", ":")).encode())
        seeds["metadata"].append(bytes([key]))  # the key present but empty
    seeds["metadata"].append(bytes([0]) + json.dumps(dict(ranking, scale=1e300, title_weight=1e300)).encode())
    seeds["metadata"].append(bytes([1]) + json.dumps({"length": [-5, 2**63 - 1, 0],
                                                      "records": [0, -1, 2**62]}).encode())
    seeds["metadata"].append(bytes([2]) + json.dumps(dict(analyzer, default_language="xx", max_term_bytes=0)).encode())
    # 3: index features, 4: the associations' summary, 5: one word's associations.
    seeds["metadata"].append(bytes([3]) + b'{"spelling":true,"question_types":true}')
    seeds["metadata"].append(bytes([4]) + b'{"records":600,"words":40,"associations":200,"per_word":5,'
                             b'"min_records":3,"answer_words":40}')
    seeds["metadata"].append(bytes([5]) + b"hypertens\t0.4\nblood\t0.2\nheart\t0.05\n")
    # serve: a request selector (0 POST /v1/similar body, 1 GET query string,
    # 2 POST /v1/records body), then the request.
    for i, text in enumerate(texts[:30]):
        seeds["serve"].append(b"\0" + json.dumps({"text": text, "k": 1 + i % 10, "facets": i % 2 == 0,
                                                   "category": ["Diseases"], "bm25_k1": 1.2}).encode())
        seeds["serve"].append(b"\1" + ("q=" + quote(text) + "&k=5&offset=2&tag=a&tag=b&since=2007-01").encode())
    for i in range(0, len(records), 3):
        seeds["serve"].append(b"\2" + "\n".join(records[i:i + 3]).encode() + b"\n")
    seeds["serve"].append(b"\2" + json.dumps(json.loads(records[0]), indent=2).encode())
    # http: raw bytes of a connection (issue 24): requests, kept alive,
    # pipelined, chunked, with ranges, odd ids.
    body = json.dumps({"text": texts[0], "k": 3}).encode()
    seeds["http"] += [
        b"GET /v1/similar?q=" + quote(texts[1]).encode() + b"&k=2 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /v1/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode() + b"\r\n\r\n" + body,
        b"POST /v1/similar HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3,
        b"GET /static/app.js HTTP/1.1\r\nHost: x\r\nRange: bytes=0-,0-,5-9\r\n\r\n",
        b"GET /v1/records/a%2Fsimilar/similar?k=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"DELETE /v1/records/x%0Ay HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n",
        b"POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    ]

    # token: a write token file's bytes (issue 24).
    seeds["token"] += [b"test-token-0123456789abcdef\n", b"\xef\xbb\xbf  test-token-0123456789abcdef \r\nsecond\n",
                       b"short\n", b"abc\x00defghijklmnopqrstu\n", b"", b"\n\n", b"t\xc3\xa9st-token-0123456789\n"]

    # wordpiece: an options byte (bit 0 lower case, 1 strip accents, 2 CJK,
    # the rest the token limit), then the text.
    for i, text in enumerate(texts[:40]):
        seeds["wordpiece"].append(bytes([(i % 8) | (((i * 5) % 32) << 3)]) + text.encode())
    seeds["wordpiece"].append(b"\x07Caf\xc3\xa9 unknowing playing, \xe9\xab\x98\xe8\xa1\x80 " + b"a" * 120)
    # safetensors: small files as the format writes them, and broken ones.
    def safetensors(tensors):
        header, data = {"__metadata__": {"format": "pt"}}, b""
        for name, (dtype, shape, raw) in tensors.items():
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
            data += raw
        text = json.dumps(header).encode()
        return len(text).to_bytes(8, "little") + text + data
    good = safetensors({"a.weight": ("F32", [2, 3], bytes(range(24))), "a.bias": ("F16", [3], bytes(6)),
                        "b": ("BF16", [1, 2], bytes(4)), "ids": ("I64", [2], bytes(16))})
    seeds["safetensors"] += [good, good[:-3], good[:8], safetensors({}),
                             safetensors({"x": ("F32", [0], b"")}), b"\xff" * 8 + b"{}"]
    # vector: a dimension byte, then a stored embedding (float32s, or a
    # scale and int8s), right and wrong lengths, a NaN.
    for dim in (3, 4, 8):
        seeds["vector"].append(bytes([dim - 1]) + struct.pack("<%df" % dim, *[0.5 - i / dim for i in range(dim)]))
        seeds["vector"].append(bytes([dim - 1]) + struct.pack("<f", 0.01) + bytes(range(dim)))
    seeds["vector"] += [bytes([3]) + struct.pack("<4f", 1, float("nan"), 0, 1), bytes([3]) + b"abc", bytes([0])]
    for name, items in seeds.items():
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for n, data in enumerate(items):
            (folder / f"seed-{n:03d}").write_bytes(data)


if __name__ == "__main__":
    main()
