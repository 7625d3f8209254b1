#!/usr/bin/env python3
"""A Chinese vocabulary learned from a collection (ABLATIONS.md, section 19; issue 29).

Counts the character n-grams of the Han runs of every record (title, question, answer) and
keeps the 2..MAX-character ones that are frequent (--min-count), cohesive (pointwise mutual
information of their weakest split, --min-pmi, natural log) and free on both sides (the
smaller of the left and right branching entropies, --min-entropy; a run's edge counts as a
new neighbour each time). Writes one n-gram a line, most frequent first.

    cjk_vocabulary.py CORPUS.jsonl OUT.txt [--min-count 5 --min-pmi 4 --min-entropy 1.5]
        [--no-function-chars]

The prototype analyzer (cjk_vocabulary.diff, applied to a copy of the library given to
run.sh as ASKALIKE_SOURCE_DIR) reads OUT.txt from PROTO_CJK_VOCAB and adds every listed
n-gram of a Han run that ICU did not make a word of as a word. PROTO_CJK_VOCAB_MINLEN=3:
only the 3- and 4-character ones; PROTO_CJK_VOCAB_NGRAM=1: they count as n-grams
(cjk_bigram_weight) instead of words; PROTO_CJK_VOCAB_RESEG=1: a one-character ICU word
inside a listed n-gram is dropped (its unigram stays), i.e. the list re-segments.
"""
import argparse
import collections
import json
import math
import re
import sys
import unicodedata

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Characters of question words, particles and common verbs: an n-gram holding one is a
# phrase ("可以吃", "会传染"), not a term.
FUNCTION_CHARS = set("吗吃能可以会什么怎如何有是得的了不要哪些该多少后前用做为请问出现吧呢啊和与及或在就都也还很最"
                     "这那个里上下中来去到对把被让给从没")


def entropy(counter):
    total = sum(counter.values())
    return -sum(v / total * math.log(v / total) for v in counter.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--min-pmi", type=float, default=4.0)
    ap.add_argument("--min-entropy", type=float, default=1.5)
    ap.add_argument("--max-chars", type=int, default=4)
    ap.add_argument("--no-function-chars", action="store_true", help="drop n-grams holding FUNCTION_CHARS")
    a = ap.parse_args()

    runs = []
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                for field in ("title", "question", "answer"):
                    if r.get(field):
                        runs += HAN.findall(unicodedata.normalize("NFKC", r[field]))
    count = collections.Counter()
    left = collections.defaultdict(collections.Counter)
    right = collections.defaultdict(collections.Counter)
    edge = 0
    for s in runs:
        for n in range(1, a.max_chars + 1):
            for i in range(len(s) - n + 1):
                w = s[i:i + n]
                count[w] += 1
                if n < 2:
                    continue
                edge += 1
                left[w][s[i - 1] if i > 0 else ("^", edge)] += 1
                right[w][s[i + n] if i + n < len(s) else ("$", edge)] += 1
    chars = sum(v for k, v in count.items() if len(k) == 1)
    keep = []
    for w, c in count.items():
        if len(w) < 2 or c < a.min_count:
            continue
        if a.no_function_chars and set(w) & FUNCTION_CHARS:
            continue
        pmi = min(math.log(c * chars / (count[w[:k]] * count[w[k:]])) for k in range(1, len(w)))
        if pmi >= a.min_pmi and min(entropy(left[w]), entropy(right[w])) >= a.min_entropy:
            keep.append((-c, w))
    keep.sort()
    with open(a.out, "w", encoding="utf-8") as f:
        f.writelines(w + "\n" for _, w in keep)
    print(f"{len(keep)} n-grams", file=sys.stderr)


if __name__ == "__main__":
    main()
