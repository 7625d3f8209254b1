#!/usr/bin/env python3
"""Generate a large Q&A collection from the real sets, without plain copies.

A copied record repeats every posting and shares every idf, so a collection
of copies measures nothing real. Each generated record instead takes its
title, question and answer from three different real records of one
language (so the length of every field follows the real distribution), and
varies its English words so that the vocabulary keeps growing as a real
collection's does (Heaps' law, V = K * T^beta, fitted on the real records):
while the real text runs out of new words, a rare word is replaced by a
coined variant of it (an inflection-like or misspelling-like form) at the rate
the fit predicts, and coined variants recur in the place of their base word, so
they get document frequencies of their own instead of all being hapaxes.
Only rare words are varied (in fewer than RARE_DF real records): a real
collection grows its vocabulary with rare words (names, drugs, conditions,
typos) while its common words keep their document frequencies, and a posting
list's length is what a search's cost follows.
Chinese text is recombined only (its characters are a closed set; see
README.md).

    generate.py --data ../shared/data --count 1000000 > big.jsonl
    generate.py --data ../shared/data --count 200000 --check   # figures only

--check prints, on standard output, the vocabulary growth and the length
distribution of the generated records next to those of the real sets.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

SETS = {"en": ["medquad", "mediqa-rqe", "semeval2016", "mqp"], "zh": ["cmd-zh", "chip2019"]}
FIELDS = ("title", "question", "answer")
WORD = re.compile(r"[A-Za-z]+|[^\sA-Za-z]")  # Latin words; any other character on its own
LATIN = re.compile(r"[A-Za-z]{3,}")
VOWELS = "aeiou"
SUFFIXES = ["s", "ed", "ing", "er", "ly", "al", "ic", "ous", "ism", "ness"]
# A word in at least this many real records is common: never varied. 20 of
# the 55k real English records (0.036%) leaves the 1,000 commonest words'
# document frequencies as they are (see --check) while 5% of tokens stay
# available for coining.
RARE_DF = 20


def load(data: Path, seed: int) -> dict[str, list[dict]]:
    """The real records of each language, shuffled: the sets' files are sorted
    (by source, by topic), and a generated record draws from all of them."""
    pools: dict[str, list[dict]] = {}
    for lang, names in SETS.items():
        records = []
        for name in names:
            path = data / name / "corpus.jsonl"
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    if r.get("duplicate_of"):
                        continue
                    records.append({k: r.get(k, "") for k in (*FIELDS, "category", "lang")})
        if records:
            random.Random(seed).shuffle(records)
            pools[lang] = records
    return pools


def tokens(text: str) -> list[str]:
    return WORD.findall(text)


def heaps_fit(stream) -> tuple[float, float, list[tuple[int, int]]]:
    """K and beta of V = K T^beta over a token stream, and (T, V) points."""
    seen: set[str] = set()
    points = []
    t = 0
    next_point = 1000
    for tok in stream:
        t += 1
        seen.add(tok.lower())
        if t >= next_point:
            points.append((t, len(seen)))
            next_point = int(next_point * 1.5)
    points.append((t, len(seen)))
    # Least squares on log V = log K + beta log T, over the upper half (the
    # start of a stream is dominated by the commonest words).
    upper = [p for p in points if p[0] >= points[-1][0] / 100] or points
    xs = [math.log(p[0]) for p in upper]
    ys = [math.log(p[1]) for p in upper]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs) or 1.0
    beta = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return math.exp(my - beta * mx), beta, points


def coin(word: str, rng: random.Random) -> str:
    """A new word-like form of `word`."""
    w = word.lower()
    kind = rng.random()
    if kind < 0.4:
        return w + rng.choice(SUFFIXES)
    if kind < 0.7 and any(c in VOWELS for c in w):
        i = rng.choice([i for i, c in enumerate(w) if c in VOWELS])
        return w[:i] + rng.choice(VOWELS.replace(w[i], "")) + w[i + 1:]
    i = rng.randrange(1, len(w))
    return w[:i] + rng.choice("bcdfghklmnprstvz") + w[i:]


def document_frequencies(records) -> Counter:
    """In how many records each case-folded Latin word occurs."""
    df: Counter = Counter()
    for r in records:
        df.update({t.lower() for f in FIELDS for t in LATIN.findall(r.get(f, ""))})
    return df


class Varier:
    """Replaces rare English words so that the vocabulary follows V = K T^beta."""

    def __init__(self, k: float, beta: float, rng: random.Random, rare: set[str]):
        self.k, self.beta, self.rng, self.rare = k, beta, rng, rare
        self.tokens = 0
        self.vocabulary: set[str] = set()
        self.variants: dict[str, list[str]] = {}
        self.reuse = 0.3  # how often a word with variants appears as one of them

    def text(self, text: str) -> str:
        out = []
        for tok in tokens(text):
            self.tokens += 1
            if LATIN.fullmatch(tok):
                tok = self.word(tok)
            self.vocabulary.add(tok.lower())
            out.append(tok)
        # Words joined by spaces, other characters (CJK, punctuation) as they were.
        return "".join((" " + t if t[0].isalpha() and t.isascii() and i else t) for i, t in enumerate(out)).strip()

    def word(self, w: str) -> str:
        if w.lower() not in self.rare:
            return w
        target = self.k * self.tokens ** self.beta
        if len(self.vocabulary) < target:
            new = coin(w, self.rng)
            if new not in self.vocabulary:
                self.variants.setdefault(w.lower(), []).append(new)
                return new
        forms = self.variants.get(w.lower())
        if forms and self.rng.random() < self.reuse:
            return self.rng.choice(forms)
        return w


def generate(pools: dict[str, list[dict]], count: int, seed: int, fit: tuple[float, float], rare: set[str]):
    rng = random.Random(seed)
    varier = Varier(fit[0], fit[1], rng, rare)
    real = {lang: {triple(r) for r in pool} for lang, pool in pools.items()}
    languages = sorted(pools)
    weights = [len(pools[lang]) for lang in languages]
    for n in range(count):
        lang = rng.choices(languages, weights)[0]
        pool = pools[lang]
        while True:
            parts = [rng.choice(pool) for _ in FIELDS]  # usually three different real records
            record = {"id": f"gen-{n}", "lang": lang}
            for field, source in zip(FIELDS, parts):
                text = source[field]
                if text:
                    record[field] = varier.text(text) if lang == "en" else text
            # A record with one field only, or three short ones, can come out
            # as a real record: draw again, never a plain copy.
            if triple(record) not in real[lang]:
                break
        if parts[1]["category"]:
            record["category"] = parts[1]["category"]
        yield record


def triple(record: dict) -> int:
    return hash(tuple(record.get(f, "") for f in FIELDS))


def quantiles(histogram: Counter) -> str:
    """p10/p50/p90/p99 of the values counted in `histogram` (value -> count)."""
    total = sum(histogram.values())
    if not total:
        return "-"
    values = sorted(histogram.items())
    out = []
    for q in (0.1, 0.5, 0.9, 0.99):
        rank, seen = min(total - 1, int(q * total)), 0
        for value, count in values:
            seen += count
            if seen > rank:
                out.append(str(value))
                break
    return "/".join(out)


def check(pools, generated_records, fit, real_df: Counter, count: int) -> None:
    """Streams the generated records once (a 10M draw does not fit in memory
    as a list): field lengths as histograms, the vocabulary as a set."""
    real_en = pools.get("en", [])
    print(f"Heaps fit on the real English records: V = {fit[0]:.2f} * T^{fit[1]:.3f}")
    stream = lambda records: (t for r in records for f in FIELDS for t in tokens(r.get(f, "")))
    real_triples = {triple(r) for pool in pools.values() for r in pool}
    gen_lengths = {f: Counter() for f in FIELDS}
    counted = {"records": 0, "copies": 0, "english": 0}
    common = [w for w, _ in real_df.most_common(1000)]
    common_set = set(common)
    gen_df: Counter = Counter()
    # Question words that are not real words, per tenth of the draw.
    tenths = [[0, 0] for _ in range(10)]

    def generated_english():
        for r in generated_records:
            counted["records"] += 1
            counted["copies"] += triple(r) in real_triples
            if r["lang"] != "en":
                continue
            counted["english"] += 1
            words = {t.lower() for f in FIELDS for t in LATIN.findall(r.get(f, ""))}
            gen_df.update(words & common_set)
            q = [t.lower() for t in LATIN.findall(r.get("question", ""))]
            tenth = tenths[min(9, (counted["records"] - 1) * 10 // max(count, 1))]
            tenth[0] += sum(w not in real_df for w in q)
            tenth[1] += len(q)
            for f in FIELDS:
                if r.get(f):
                    gen_lengths[f][len(tokens(r[f]))] += 1
            yield r

    _, real_beta, real_points = heaps_fit(stream(real_en))
    _, gen_beta, gen_points = heaps_fit(stream(generated_english()))
    print(f"beta over the whole stream: real {real_beta:.3f}, generated {gen_beta:.3f}")
    print("\nvocabulary (distinct English words, case-folded) after T tokens")
    print(f"{'T':>12} {'real':>10} {'generated':>10} {'K*T^beta':>10}")
    real = dict(real_points)
    for t, v in gen_points:
        r = real.get(t, "")
        print(f"{t:>12} {r!s:>10} {v:>10} {fit[0] * t ** fit[1]:>10.0f}")
    print("\nwords per field, p10/p50/p90/p99 (English; Chinese fields are real text recombined)")
    for f in FIELDS:
        rl = Counter(len(tokens(r[f])) for r in real_en if r.get(f))
        print(f"{f:>9}: real {quantiles(rl):>18}  generated {quantiles(gen_lengths[f]):>18}")
    print("\nquestion words (3+ letters) that are no real word, per tenth of the draw")
    print("  " + " ".join(f"{100 * c / max(n, 1):.1f}%" for c, n in tenths))
    n_real, n_gen = len(real_en), max(counted["english"], 1)
    ratios = sorted(((gen_df[w] / n_gen) / (real_df[w] / n_real), w) for w in common)
    mid = ratios[len(ratios) // 2][0]
    print(f"\ndocument frequency (share of English records) of the 1,000 commonest real words,"
          f" generated / real: median {mid:.3f}, p10 {ratios[100][0]:.3f}, p90 {ratios[900][0]:.3f}")
    print("  lowest: " + ", ".join(f"{w} {r:.2f}" for r, w in ratios[:5]) +
          "; highest: " + ", ".join(f"{w} {r:.2f}" for r, w in ratios[-5:]))
    print(f"\ngenerated records equal to a real record: {counted['copies']} of {counted['records']}")
    print(f"real English records: {len(real_en)}, tokens: {real_points[-1][0]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="the shared data folder (medquad/, cmd-zh/, ...)")
    ap.add_argument("--count", type=int, default=1000000, help="records to generate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rare-df", type=int, default=RARE_DF,
                    help="vary only words found in fewer real records than this (default %(default)s; "
                         "a huge value varies every word, as the generator did before)")
    ap.add_argument("--check", action="store_true",
                    help="print vocabulary growth and field lengths against the real sets instead of records")
    args = ap.parse_args()
    pools = load(args.data, args.seed)
    if "en" not in pools:
        print(f"generate.py: no real English set under {args.data} (medquad/corpus.jsonl ...): nothing to do",
              file=sys.stderr)
        return 2
    k, beta, _ = heaps_fit(t for r in pools["en"] for f in FIELDS for t in tokens(r[f]))
    df = document_frequencies(pools["en"])
    rare = {w for w, n in df.items() if n < args.rare_df}
    records = generate(pools, args.count, args.seed, (k, beta), rare)
    if args.check:
        check(pools, records, (k, beta), df, args.count)
        return 0
    out = sys.stdout
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
