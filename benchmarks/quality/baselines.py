"""Baselines computed in Python for the quality benchmark.

- TfidfModel: TF-IDF cosine (scikit-learn's TfidfVectorizer, l2-normalised,
  smoothed idf, raw tf). English: word unigrams + bigrams (tokens of 2+ word
  characters, lower-cased). Chinese: character unigrams + bigrams of the
  NFKC-normalised, lower-cased text with whitespace and punctuation removed.
  English drops scikit-learn's English stop words. Documents are title +
  question (no answer); only documents with a positive cosine are returned
  (as a search engine would), also in a group. Used for retrieval (cosine of query and document) and for pair scores
  (cosine of the two texts). The idf is fitted on the set's corpus.
- Bm25Pairs: an FTS5-style BM25 pair score. FTS5's bm25() formula (k1 1.2,
  b 0.75, idf = log((N - n + 0.5) / (n + 0.5)) floored at 1e-6) with corpus
  statistics from the set's corpus (title, question, answer); the terms are
  those of SQLite FTS5's own tokenizer, as the fts5_plain peer uses it
  ('porter unicode61' for English, 'trigram' for Chinese), read back through
  an fts5vocab table by the harness. BM25 is not
  symmetric and not bounded, so the pair score is the mean of bm25(a -> b) /
  bm25(a -> a) and bm25(b -> a) / bm25(b -> b): how much of each text's best
  possible self-score the other text reaches.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

_WS_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _zh_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return _WS_PUNCT.sub("", text)


def _en_preprocess(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class TfidfModel:
    def __init__(self, lang: str):
        self.lang = lang
        if lang == "zh":
            self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), preprocessor=_zh_normalize,
                                       dtype=np.float32)
        else:
            self.vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), preprocessor=_en_preprocess,
                                       stop_words="english", dtype=np.float32)
        self.doc_ids: List[str] = []
        self.doc_groups: List[str] = []
        self.matrix = None

    def fit_corpus(self, docs: Sequence[Tuple[str, str, str]]) -> None:
        """docs: (id, text, group)."""
        self.doc_ids = [d[0] for d in docs]
        self.doc_groups = [d[2] for d in docs]
        self.matrix = self.vec.fit_transform([d[1] for d in docs]).tocsr()

    def transform(self, texts: Sequence[str]):
        return self.vec.transform(texts).tocsr()

    def search(self, queries: Sequence[Dict], k: int, exclude_self: bool) -> Dict[str, List[Tuple[str, float]]]:
        """queries: dicts with id, text and optional group. Returns {qid: [(docid, score)]}."""
        run: Dict[str, List[Tuple[str, float]]] = {}
        id_pos = {d: i for i, d in enumerate(self.doc_ids)}
        groups: Dict[str, np.ndarray] = {}
        for i, g in enumerate(self.doc_groups):
            if g:
                groups.setdefault(g, []).append(i)
        groups = {g: np.array(v) for g, v in groups.items()}
        mt = self.matrix.T.tocsc()
        batch = 256
        for start in range(0, len(queries), batch):
            qs = queries[start:start + batch]
            qm = self.transform([q["text"] for q in qs])
            sims = (qm @ mt).toarray()
            for row, q in enumerate(qs):
                s = sims[row]
                if q.get("group"):
                    cand = groups.get(q["group"], np.array([], dtype=int))
                else:
                    cand = np.nonzero(s > 0)[0]
                if exclude_self and q["id"] in id_pos:
                    cand = cand[cand != id_pos[q["id"]]]
                cand = cand[s[cand] > 0]
                if len(cand) > k:
                    top = cand[np.argpartition(-s[cand], k - 1)[:k]]
                else:
                    top = cand
                hits = sorted(((self.doc_ids[i], float(s[i])) for i in top), key=lambda h: (-h[1], h[0]))
                run[q["id"]] = hits[:k]
        return run

    def pair_scores(self, pairs: Sequence[Tuple[str, str]]) -> List[float]:
        a = self.transform([p[0] for p in pairs])
        b = self.transform([p[1] for p in pairs])
        return [float(x) for x in np.asarray(a.multiply(b).sum(axis=1)).ravel()]


# --- FTS5-style BM25 pair score ----------------------------------------------------

class Bm25Pairs:
    """FTS5's bm25() between two texts; `tokenize` maps a text to its terms."""

    K1 = 1.2
    B = 0.75

    def __init__(self, tokenize: Callable[[str], List[str]]):
        self.tokenize = tokenize
        self.n = 0
        self.avgdl = 1.0
        self.df: Counter = Counter()

    def fit(self, corpus_texts: Iterable[str]) -> None:
        total_len = 0
        for text in corpus_texts:
            terms = self.tokenize(text)
            self.n += 1
            total_len += len(terms)
            self.df.update(set(terms))
        self.avgdl = total_len / self.n if self.n else 1.0

    def _idf(self, term: str) -> float:
        d = self.df.get(term, 0)
        idf = math.log((self.n - d + 0.5) / (d + 0.5))
        return idf if idf > 1e-6 else 1e-6

    def _bm25(self, q_terms: Iterable[str], doc_tf: Counter, dl: int) -> float:
        score = 0.0
        norm = self.K1 * (1 - self.B + self.B * dl / self.avgdl)
        for t in q_terms:
            tf = doc_tf.get(t, 0)
            if tf:
                score += self._idf(t) * tf * (self.K1 + 1) / (tf + norm)
        return score

    def score(self, a: str, b: str) -> float:
        ta, tb = self.tokenize(a), self.tokenize(b)
        ca, cb = Counter(ta), Counter(tb)
        parts = []
        for q, doc, dl, self_doc, self_dl in ((set(ta), cb, len(tb), ca, len(ta)), (set(tb), ca, len(ta), cb, len(tb))):
            best = self._bm25(q, self_doc, self_dl)
            parts.append(self._bm25(q, doc, dl) / best if best > 0 else 0.0)
        return sum(parts) / 2.0

    def pair_scores(self, pairs: Sequence[Tuple[str, str]]) -> List[float]:
        return [self.score(a, b) for a, b in pairs]
