#!/usr/bin/env python3
"""Offline fusion study of the semantic stage (ABLATIONS.md, section 21; issue 28).

Step 1 (`windows`): each query's 100 best records by words, with their words' score and
their cosine (Hit.lexical_score, Hit.semantic_similarity), read once from a database that
carries vectors, and pickled:

    fusion_windows.py windows --data DATA --set mqp --db DB_WITH_VECTORS --out mqp.pkl

Step 2 (`study`): the fused ranking recomputed from the windows for each rule and scored
with the harness's measures (benchmarks/lib/metrics.py, quality.rerank_ap), per query half:

    fusion_windows.py study --data DATA --windows DIR [--lambdas 0.2] [--type-weights 0,0.03]

Rules: `N20` re-ranks the first 20 by words (the library's rule); `T0.5` the records whose
words' score is at least 0.5 x the best; `T20-0.5` the first 20 and any other of the
100 above that share. Records past the rule keep their order by words below the re-ranked
ones (-1 + λ x score / best), as the library scores them. `--type-weights` adds
μ x [the record asks the query's question type] (askalike.question_type; a record's
type from its question with its title taken out) to the re-ranked records' score.

The judged re-rank here sees only the 100-record windows (a judged record past them
counts as not matched), so it differs a little from the harness's, which ranks every
matched record. Needs the askalike Python module.
"""
import argparse
import json
import os
import pickle
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "lib"))
sys.path.insert(0, str(HERE.parent))
import metrics  # noqa: E402
from quality import rerank_ap  # noqa: E402

# set -> (corpus, main measure, lowest relevant grade, own record excluded)
SETS = {
    "liveqa-medquad": ("medquad", "nDCG@10", 2, False),
    "semeval2016": ("semeval2016", "MAP", 1, False),
    "mqp": ("mqp", "MRR", 1, True),
    "mediqa-rqe": ("mediqa-rqe", "MAP", 1, True),
    "chip2019": ("chip2019", "MRR", 1, True),
}


def half(qid):
    return "A" if zlib.crc32(qid.encode()) % 2 == 0 else "B"


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_windows(args):
    import askalike
    searcher = askalike.Searcher(args.db)
    exclude_self = SETS[args.set][3]
    out = {}
    for q in jsonl(Path(args.data) / args.set / "queries.jsonl"):
        kw = {"group": q["group"]} if q.get("group") else {}
        if exclude_self:
            kw["exclude"] = q["id"]
        res = searcher.similar(q["text"], k=100, semantic_depth=100, snippets=False, **kw)
        out[q["id"]] = sorted(((h.id, h.lexical_score, h.semantic_similarity) for h in res.hits),
                              key=lambda x: -x[1])
    with open(args.out, "wb") as f:
        pickle.dump(out, f)
    print(f"{args.set}: {len(out)} queries", file=sys.stderr)


def inside(rule, rank, share):
    kind, _, value = rule.partition(":")
    if kind == "N":
        return rank < int(value)
    if kind == "T":
        return share >= float(value)
    floor, threshold = value.split("-")
    return rank < int(floor) or share >= float(threshold)


def fuse(hits, rule, lam, mu, query_type, record_type, power=1.0):
    if not hits:
        return []
    best = hits[0][1]
    out = []
    for rank, (doc, lexical, cosine) in enumerate(hits):
        share = lexical / best if best > 0 else 0.0
        if inside(rule, rank, share):
            same = 1.0 if mu and query_type and record_type.get(doc) == query_type else 0.0
            out.append((doc, cosine + lam * share ** power + mu * same))
        else:
            out.append((doc, -1.0 + lam * share))
    return out


def cmd_study(args):
    import askalike
    import numpy as np
    sets = [s for s in SETS if (Path(args.windows) / f"{s}.pkl").exists()]
    windows = {s: pickle.load(open(Path(args.windows) / f"{s}.pkl", "rb")) for s in sets}
    qrels = {s: metrics.read_qrels(str(Path(args.data) / s / "qrels.txt")) for s in sets}
    queries = {s: jsonl(Path(args.data) / s / "queries.jsonl") for s in sets}
    qtype = {s: {q["id"]: askalike.question_type(q["text"]) for q in queries[s]} for s in sets}
    rtype = {}
    for s in sets:
        need = {d for hits in windows[s].values() for d, _, _ in hits}
        for r in jsonl(Path(args.data) / SETS[s][0] / "corpus.jsonl"):
            if r["id"] in need and r["id"] not in rtype:
                title, question = r.get("title", ""), r.get("question", "") or r.get("title", "")
                rtype[r["id"]] = askalike.question_type(question.replace(title, " ") if title and question != title
                                                        else question)
    judged = {}
    if "mediqa-rqe" in sets:
        validation = {q["id"] for q in queries["mediqa-rqe"] if q.get("split") == "validation"}
        judged = {q: j for q, j in qrels["mediqa-rqe"].items() if q in validation}
    rules = ["words"] + args.rules.split(",")
    print("| rule | λ | p | μ | " + " | ".join(sets) + " | mean of half A | mediqa-rqe judged re-rank |")
    print("|---" * (len(sets) + 6) + "|")
    for lam in (float(x) for x in args.lambdas.split(",")):
      for power in (float(x) for x in args.powers.split(",")):
        for mu in (float(x) for x in args.type_weights.split(",")):
            for rule in rules:
                cells, half_a, judged_cell = [], [], ""
                for s in sets:
                    _, measure, grade, _ = SETS[s]
                    if rule == "words":
                        run = {q: [(d, lex) for d, lex, _ in h] for q, h in windows[s].items()}
                    else:
                        run = {q: fuse(h, rule, lam, mu, qtype[s].get(q, ""), rtype, power)
                               for q, h in windows[s].items()}
                    _, per = metrics.evaluate(run, qrels[s], [measure], grade, per_query=True)
                    v = per[measure]
                    a = float(np.mean([x for q, x in v.items() if half(q) == "A"]))
                    b = float(np.mean([x for q, x in v.items() if half(q) == "B"]))
                    cells.append(f"{a:.4f} / {b:.4f}")
                    half_a.append(a)
                    if s == "mediqa-rqe" and judged:
                        ja = rerank_ap(run, {q: j for q, j in judged.items() if half(q) == "A"}, grade, 200)
                        jb = rerank_ap(run, {q: j for q, j in judged.items() if half(q) == "B"}, grade, 200)
                        judged_cell = f"{ja:.4f} / {jb:.4f}"
                print(f"| {rule} | {lam} | {power} | {mu} | " + " | ".join(cells) + f" | {np.mean(half_a):.4f} | {judged_cell} |",
                      flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("windows", help="read each query's 100 best records by words with their cosines")
    w.add_argument("--data", required=True, help="the labelled sets folder")
    w.add_argument("--set", required=True, choices=sorted(SETS))
    w.add_argument("--db", required=True, help="the set's database, with vectors")
    w.add_argument("--out", required=True, help="the pickle to write (SET.pkl in the folder `study` reads)")
    s = sub.add_parser("study", help="score the fusion rules from the windows, per query half")
    s.add_argument("--data", required=True, help="the labelled sets folder")
    s.add_argument("--windows", required=True, help="folder of SET.pkl files written by `windows`")
    s.add_argument("--rules", default="N:10,N:20,N:30,N:50,N:100,T:0.3,T:0.5,T:0.6,T:0.7,T20:20-0.5,T20:20-0.6,T20:20-0.7",
                   help="comma-separated rules (N:depth, T:share, T20:floor-share)")
    s.add_argument("--lambdas", default="0.2", help="comma-separated weights of the words' score (λ)")
    s.add_argument("--powers", default="1", help="comma-separated powers p of the words' share (λ x share^p)")
    s.add_argument("--type-weights", default="0", help="comma-separated weights of the question-type agreement (μ)")
    args = ap.parse_args()
    cmd_windows(args) if args.cmd == "windows" else cmd_study(args)


if __name__ == "__main__":
    main()
