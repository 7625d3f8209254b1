"""Retrieval and pair-classification measures, with trec_eval's definitions.

Pure Python (no third-party package), shared by the benchmark programs.

Conventions (as trec_eval 9.x):
- A run is ordered by score, highest first; ties are broken by document id in
  *descending* string order (trec_eval sorts on (score, docno) both
  descending). The rank column of a run file is ignored, as trec_eval does.
- A document is relevant when its qrels grade is >= `min_grade` (trec_eval's
  relevance_level, default 1). Unjudged documents are non-relevant.
- Averages are over the queries of the qrels (trec_eval -c): a query that is in
  the qrels but has no hits counts with 0 on every measure, and a query that
  has qrels lines but no relevant document counts as AP = 0 (the SemEval
  convention, and trec_eval's too). Queries that are not in the qrels are
  ignored.

Measures:
- ap: average precision over the whole ranking given (trec_eval "map").
- rr: reciprocal rank of the first relevant document (trec_eval
  "recip_rank"); rr(cutoff=10) is MRR@10.
- p_at(k): precision at k (trec_eval "P_k").
- ndcg_cut(k): nDCG@k with the graded qrels value as the gain and a log2(rank+1)
  discount; the ideal ranking is all judged documents sorted by grade (trec_eval
  "ndcg_cut_k"); 0 when the query has no document with a positive grade.
- "MRR(judged)", "MAP(judged)": the same on the condensed list (unjudged
  documents removed from the ranking first).
- roc_auc: the Mann-Whitney estimate, ties counted half.
- best_threshold_accuracy: the accuracy of "score >= t means positive" at the
  best t (fitted on the same labels: an upper bound, say so when reporting).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

Qrels = Dict[str, Dict[str, int]]
Run = Dict[str, List[Tuple[str, float]]]


def read_qrels(path: str) -> Qrels:
    """`qid 0 docid grade` lines -> {qid: {docid: grade}} (a repeated line keeps the higher grade)."""
    qrels: Qrels = defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise ValueError(f"{path}: bad qrels line: {line!r}")
            qid, _, docid, grade = parts
            g = int(grade)
            if docid not in qrels[qid] or g > qrels[qid][docid]:
                qrels[qid][docid] = g
    return dict(qrels)


def read_run(path: str) -> Run:
    """TREC run `qid Q0 docid rank score tag` -> {qid: [(docid, score)]} in trec_eval order."""
    run: Run = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 5:
                raise ValueError(f"{path}: bad run line: {line!r}")
            run[parts[0]].append((parts[2], float(parts[4])))
    return {qid: sort_hits(hits) for qid, hits in run.items()}


def sort_hits(hits: Iterable[Tuple[str, float]]) -> List[Tuple[str, float]]:
    """trec_eval order: score descending, then docid descending; a repeated docid keeps its first line."""
    seen = set()
    unique = []
    for docid, score in hits:
        if docid not in seen:
            seen.add(docid)
            unique.append((docid, score))
    return sorted(unique, key=lambda h: (h[1], h[0]), reverse=True)


def write_run(path: str, run: Mapping[str, Sequence[Tuple[str, float]]], tag: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for qid, hits in run.items():
            for rank, (docid, score) in enumerate(hits, 1):
                f.write(f"{qid} Q0 {docid} {rank} {score:.6f} {tag}\n")


# --- per-query measures; `ranked` is a list of docids, best first -----------------

def ap(ranked: Sequence[str], judged: Mapping[str, int], min_grade: int = 1) -> float:
    num_rel = sum(1 for g in judged.values() if g >= min_grade)
    if num_rel == 0:
        return 0.0
    hits = 0
    total = 0.0
    for i, d in enumerate(ranked, 1):
        if judged.get(d, 0) >= min_grade:
            hits += 1
            total += hits / i
    return total / num_rel


def rr(ranked: Sequence[str], judged: Mapping[str, int], min_grade: int = 1, cutoff: int = 0) -> float:
    for i, d in enumerate(ranked, 1):
        if cutoff and i > cutoff:
            break
        if judged.get(d, 0) >= min_grade:
            return 1.0 / i
    return 0.0


def p_at(ranked: Sequence[str], judged: Mapping[str, int], k: int, min_grade: int = 1) -> float:
    return sum(1 for d in ranked[:k] if judged.get(d, 0) >= min_grade) / k


def ndcg_cut(ranked: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    ideal_gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal_gains, 1))
    if idcg <= 0:
        return 0.0
    dcg = sum(judged.get(d, 0) / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1) if judged.get(d, 0) > 0)
    return dcg / idcg


def top1_grade(ranked: Sequence[str], judged: Mapping[str, int]) -> float:
    return float(judged.get(ranked[0], 0)) if ranked else 0.0


MEASURES = {
    "MAP": lambda r, j, g: ap(r, j, g),
    "MRR": lambda r, j, g: rr(r, j, g),
    "MRR@10": lambda r, j, g: rr(r, j, g, cutoff=10),
    "P@1": lambda r, j, g: p_at(r, j, 1, g),
    "P@10": lambda r, j, g: p_at(r, j, 10, g),
    "nDCG@10": lambda r, j, g: ndcg_cut(r, j, 10),
    "top1grade": lambda r, j, g: top1_grade(r, j),
    # Condensed lists (Sakai 2007): the ranking with every unjudged document
    # removed, so that unjudged (possibly relevant) documents cost nothing.
    "MRR(judged)": lambda r, j, g: rr([d for d in r if d in j], j, g),
    "MAP(judged)": lambda r, j, g: ap([d for d in r if d in j], j, g),
}


def evaluate(run: Mapping[str, Sequence[Tuple[str, float]]], qrels: Qrels, measures: Sequence[str],
             min_grade: int = 1, depth: int = 0, per_query: bool = False):
    """Mean of each measure over the qrels' queries; with per_query also {measure: {qid: value}}.

    `run` hits need not be sorted: they are put in trec_eval order here. `depth`
    > 0 cuts every ranking to that many hits first (as trec_eval -M).
    """
    values: Dict[str, Dict[str, float]] = {m: {} for m in measures}
    for qid, judged in qrels.items():
        ranked = [d for d, _ in sort_hits(run.get(qid, []))]
        if depth:
            ranked = ranked[:depth]
        for m in measures:
            values[m][qid] = MEASURES[m](ranked, judged, min_grade)
    means = {m: (sum(v.values()) / len(v) if v else float("nan")) for m, v in values.items()}
    return (means, values) if per_query else means


# --- pair classification ---------------------------------------------------------

def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Probability that a random positive scores above a random negative (ties: half)."""
    pairs = sorted(zip(scores, labels), key=lambda p: p[0])
    n_pos = sum(1 for l in labels if l)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    # Mann-Whitney U from average ranks of tied groups.
    rank_sum_pos = 0.0
    i = 0
    n = len(pairs)
    while i < n:
        j = i
        while j + 1 < n and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 2) / 2.0  # 1-based ranks i+1 .. j+1
        rank_sum_pos += avg_rank * sum(1 for k in range(i, j + 1) if pairs[k][1])
        i = j + 1
    u = rank_sum_pos - n_pos * (n_pos + 1) / 2.0
    return u / (n_pos * n_neg)


def best_threshold_accuracy(scores: Sequence[float], labels: Sequence[int]) -> Tuple[float, float]:
    """(accuracy, threshold) of the best rule "positive when score >= threshold"."""
    pairs = sorted(zip(scores, labels), key=lambda p: p[0], reverse=True)
    n = len(pairs)
    n_neg = n - sum(1 for l in labels if l)
    best_acc = n_neg / n if n else float("nan")  # threshold above every score: all negative
    best_t = float("inf")
    tp = fp = 0
    i = 0
    while i < n:
        t = pairs[i][0]
        while i < n and pairs[i][0] == t:
            if pairs[i][1]:
                tp += 1
            else:
                fp += 1
            i += 1
        acc = (tp + (n_neg - fp)) / n
        if acc > best_acc:
            best_acc, best_t = acc, t
    return best_acc, best_t


def accuracy_at(scores: Sequence[float], labels: Sequence[int], threshold: float) -> float:
    return sum(1 for s, l in zip(scores, labels) if (s >= threshold) == bool(l)) / len(labels)


def cross_fitted_accuracy(scores: Sequence[float], labels: Sequence[int], folds: Sequence[int]) -> float:
    """Accuracy with the threshold fitted on the other fold(s): an honest estimate.

    `folds` gives each pair's fold number; each fold is scored with the best
    threshold of the pairs outside it, and the accuracies are pooled.
    """
    correct = 0
    for f in sorted(set(folds)):
        train = [(s, l) for s, l, k in zip(scores, labels, folds) if k != f]
        test = [(s, l) for s, l, k in zip(scores, labels, folds) if k == f]
        if not train:
            return float("nan")
        _, t = best_threshold_accuracy([s for s, _ in train], [l for _, l in train])
        correct += sum(1 for s, l in test if (s >= t) == bool(l))
    return correct / len(scores)
