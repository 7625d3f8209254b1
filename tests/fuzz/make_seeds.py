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

    seeds = {name: [] for name in ["jsonl", "delimited", "page", "encoding", "analyzer", "query", "open", "record"]}
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

    for name, items in seeds.items():
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for n, data in enumerate(items):
            (folder / f"seed-{n:03d}").write_bytes(data)


if __name__ == "__main__":
    main()
