#!/usr/bin/env python3
"""Accuracy of askalike's question-type detector (askalike::question_type).

  python3 benchmarks/quality/question_types.py --pair-scores build-quality/quality/pair_scores

1. MedQuAD (../shared/data/medquad/corpus.jsonl): each record's first tag is its question type.
   Scored on query half A and half B separately (CRC-32 of the record id even / odd, as
   quality.py splits queries), on the question as a user would ask it, and with the record's
   title (its subject) taken out, as the index stores the type.
2. TREC LiveQA'17 consumer questions (../shared/data/liveqa-medquad/queries.jsonl) against the
   hand labels in benchmarks/quality/liveqa-qtypes.tsv ("other": no MedQuAD type fits; the
   detector is right there when it answers nothing); also per half (CRC-32 of the question id):
   the rules for long messages were refined looking at half A's confusions only, half B is
   held out.
Prints a Markdown table and the confusions.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def detect(pair_scores, texts):
    """{id: type} from `pair_scores qtype` over {id: text}."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for i, t in texts.items():
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
        path = f.name
    try:
        out = subprocess.run([pair_scores, "qtype", path], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    types = {}
    for line in out.splitlines():
        i, _, t = line.partition("\t")
        types[i] = t
    return types


def without_subject(question, title):
    q = question.lower()
    return q.replace(title.lower(), " ") if title else q


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pair-scores", default=os.path.join(REPO, "build-quality", "quality", "pair_scores"))
    ap.add_argument("--data", default=os.path.normpath(os.path.join(REPO, "..", "shared", "data")))
    args = ap.parse_args()

    corpus = os.path.join(args.data, "medquad", "corpus.jsonl")
    if not os.path.exists(corpus):
        print(f"question_types: {corpus} is missing: skipped", file=sys.stderr)
        return 0
    records = [json.loads(l) for l in open(corpus, encoding="utf-8") if l.strip()]
    records = [r for r in records if r.get("tags")]
    asked = detect(args.pair_scores, {r["id"]: r["question"] for r in records})
    stored = detect(args.pair_scores, {r["id"]: without_subject(r["question"], r.get("title", "")) for r in records})
    print("| data | questions | accuracy (as asked) | accuracy (subject removed, as indexed) |")
    print("|---|---:|---:|---:|")
    confusions = collections.Counter()
    for half, keep in (("A", 0), ("B", 1)):
        part = [r for r in records if zlib.crc32(r["id"].encode()) % 2 == keep]
        ok_asked = sum(asked[r["id"]] == r["tags"][0] for r in part)
        ok_stored = sum(stored[r["id"]] == r["tags"][0] for r in part)
        if half == "A":  # the half the rules were refined on
            confusions.update((r["tags"][0], asked[r["id"]]) for r in part if asked[r["id"]] != r["tags"][0])
        print(f"| MedQuAD half {half} | {len(part)} | {ok_asked / len(part):.3f} | {ok_stored / len(part):.3f} |")

    labels = {}
    with open(os.path.join(HERE, "liveqa-qtypes.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            labels[cols[0]] = cols[1]
    queries = [json.loads(l) for l in open(os.path.join(args.data, "liveqa-medquad", "queries.jsonl"), encoding="utf-8")]
    found = detect(args.pair_scores, {q["id"]: q["text"] for q in queries if q["id"] in labels})
    right = lambda i: found[i] == labels[i] or (labels[i] == "other" and found[i] == "")
    typed = [i for i in labels if labels[i] != "other"]
    ok_all = sum(right(i) for i in labels)
    ok_typed = sum(right(i) for i in typed)
    answered = [i for i in typed if found[i]]
    print(f"| LiveQA'17 consumer questions, hand-labelled | {len(labels)} | {ok_all / len(labels):.3f} | |")
    for half, keep in (("A", 0), ("B", 1)):  # the rules for long messages were refined on A only
        part = [i for i in labels if zlib.crc32(i.encode()) % 2 == keep]
        print(f"| ... half {half} | {len(part)} | {sum(right(i) for i in part) / len(part):.3f} | |")
    print(f"| ... of them with a MedQuAD type | {len(typed)} | {ok_typed / len(typed):.3f} | |")
    print(f"| ... precision where the detector answers | {len(answered)} | "
          f"{sum(right(i) for i in answered) / max(len(answered), 1):.3f} | |")
    print("\nMedQuAD half A, most frequent confusions (label -> detected):")
    for (a, b), n in confusions.most_common(8):
        print(f"  {n:5d}  {a} -> {b or '(none)'}")
    print("\nLiveQA'17 half A confusions (id: label -> detected):")
    for i in labels:
        if not right(i) and zlib.crc32(i.encode()) % 2 == 0:
            print(f"  {i}: {labels[i]} -> {found[i] or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
