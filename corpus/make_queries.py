#!/usr/bin/env python3
"""Derives corpus/queries.jsonl and corpus/qrels.txt from the bundled corpus
alone (run from anywhere; reads and writes beside this file).

They make the README's `--queries` and `eval` examples run as written; they
are a worked example, not a quality benchmark (benchmarks/quality has those).
Each query is the question of one record, with the record's id, so that
`--exclude-self` leaves the record itself out:

- English (medquad-sample.jsonl): for 60 foci with at least two records,
  picked in a fixed pseudo-random order, one record's question; relevant
  (grade 1) are the other records about the same focus (same category and
  title): "other questions on this topic". The foci added for the README's
  examples (make_corpus.EXAMPLE_FOCI) are not drawn from, so the queries
  stay those of the random sample.
- Chinese (cmd-zh.jsonl): for 40 records that others duplicate exactly
  (`duplicate_of`), the record's question; relevant are its duplicates: the
  "has this been asked before?" check.

Same corpus, same output: the order is fixed by a seeded shuffle.
"""
import json
import random
from collections import OrderedDict
from pathlib import Path

from make_corpus import EXAMPLE_FOCI

HERE = Path(__file__).resolve().parent
SEED = 20261130


def read(name):
    with open(HERE / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def english(records, count):
    foci = OrderedDict()
    for r in records:
        foci.setdefault((r.get("category"), r.get("title")), []).append(r)
    keys = [k for k, group in foci.items() if len(group) >= 2 and k not in EXAMPLE_FOCI]
    rng = random.Random(SEED)
    rng.shuffle(keys)
    for key in keys[:count]:
        group = foci[key]
        query = rng.choice(group)
        yield query, [r["id"] for r in group if r is not query]


def chinese(records, count):
    copies = OrderedDict()
    for r in records:
        if "duplicate_of" in r:
            copies.setdefault(r["duplicate_of"], []).append(r["id"])
    by_id = {r["id"]: r for r in records}
    originals = list(copies)
    random.Random(SEED).shuffle(originals)
    for original in originals[:count]:
        yield by_id[original], copies[original]


def main():
    pairs = list(english(read("medquad-sample.jsonl"), 60)) + list(chinese(read("cmd-zh.jsonl"), 40))
    with open(HERE / "queries.jsonl", "w", encoding="utf-8") as q, open(HERE / "qrels.txt", "w") as qrels:
        for record, relevant in pairs:
            q.write(json.dumps({"id": record["id"], "text": record["question"]}, ensure_ascii=False) + "\n")
            for doc in relevant:
                qrels.write(f"{record['id']} 0 {doc} 1\n")
    print(f"queries.jsonl: {len(pairs)} queries; qrels.txt: {sum(len(r) for _, r in pairs)} judgments")


if __name__ == "__main__":
    main()
