#!/usr/bin/env python3
"""Rebuilds corpus/ from the development data sets (run from the repository root).

medquad-sample.jsonl: whole foci (every question about one topic) of MedQuAD,
picked in a fixed pseudo-random order until about 3.4 MB of records with
answers, plus small answerless foci (MedlinePlus A.D.A.M. and drugs) up to
3,000 records in all, plus the foci that the README's and the service page's
example questions ask about (EXAMPLE_FOCI), so that the examples have the
records a person would pick to find. cmd-zh.jsonl: the Toyhom sample, whole
and unchanged.
"""
import json
import subprocess
import random
import shutil
import sys
from collections import OrderedDict
from pathlib import Path

# (category, title) of MedQuAD foci added whole after the random sample: the
# README's "why does my face twitch when I sleep?" and the service page's
# "my left cheek twitches when I sleep, is it a stroke?" had nothing about
# twitching to find in it. make_queries.py leaves them out of its draw.
EXAMPLE_FOCI = [("ADAM", "Eyelid twitch"), ("ADAM", "Muscle twitching")]

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
OUT = Path(__file__).resolve().parent


def main():
    records = [json.loads(line) for line in open(DATA / "medquad/corpus.jsonl", encoding="utf-8")]
    foci = OrderedDict()
    for r in records:
        foci.setdefault((r.get("category"), r.get("title")), []).append(r)
    keys = list(foci)
    random.Random(20261126).shuffle(keys)
    chosen, size = [], 0
    for key in keys:
        group = foci[key]
        if not all("answer" in r for r in group):
            continue
        text = sum(len(json.dumps(r, ensure_ascii=False)) + 1 for r in group)
        if size + text > 3_400_000:
            continue
        chosen.extend(group)
        size += text
    for key in keys:
        group = foci[key]
        if len(chosen) + len(group) > 3000:
            break
        if any("answer" in r for r in group):
            continue
        chosen.extend(group)
    for key in EXAMPLE_FOCI:
        if key not in foci:
            sys.exit(f"make_corpus.py: no MedQuAD focus {key}")
        if not any(r is foci[key][0] for r in chosen):
            chosen.extend(foci[key])
    with open(OUT / "medquad-sample.jsonl", "w", encoding="utf-8") as f:
        for r in chosen:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    shutil.copyfile(DATA / "cmd-zh/corpus.jsonl", OUT / "cmd-zh.jsonl")
    shutil.copyfile(DATA / "cmd-zh/raw/LICENSE", OUT / "LICENSE.cmd-zh")
    print(f"medquad-sample.jsonl: {len(chosen)} records")
    # The example queries are derived from these files: keep them in step.
    subprocess.run([sys.executable, str(OUT / "make_queries.py")], check=True)


if __name__ == "__main__":
    main()
