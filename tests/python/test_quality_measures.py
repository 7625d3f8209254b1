"""The quality harness's own measures (benchmarks/quality/quality.py): what
QUALITY.md reports is only as right as these."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "quality"))

from quality import rerank_ap  # noqa: E402


def test_judged_re_rank_puts_unmatched_documents_below_every_matched_one():
    # The semantic stage scores records past its depth below 0: a relevant
    # record it matched at -0.9 still ranks above one it did not match.
    judged = {"q": {"relevant": 1, "other": 0}}
    assert rerank_ap({"q": [("relevant", -0.9)]}, judged, 1) == 1.0
    assert rerank_ap({"q": [("other", -0.9)]}, judged, 1) == 0.5


def test_judged_re_rank_follows_the_scores_and_averages_ties():
    judged = {"q": {"a": 1, "b": 0}}
    assert rerank_ap({"q": [("a", 2.0), ("b", 1.0)]}, judged, 1) == 1.0
    assert rerank_ap({"q": [("b", 2.0), ("a", 1.0)]}, judged, 1) == 0.5
    # A tie: the expectation over both orders (1 and 1/2), estimated by shuffles.
    tied = rerank_ap({"q": [("a", 1.0), ("b", 1.0)]}, judged, 1, shuffles=2000)
    assert abs(tied - 0.75) < 0.03
    # Neither matched: tied below everything, the same expectation.
    assert abs(rerank_ap({"q": []}, judged, 1, shuffles=2000) - 0.75) < 0.03
