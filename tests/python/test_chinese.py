"""Chinese analysis settings from Python: Traditional -> Simplified and the n-gram weights (issue 29)."""

from __future__ import annotations

import pytest

import askalike

RECORDS = [
    {"id": "doctor", "question": "高血压应该看哪个科的医生", "lang": "zh"},
    {"id": "diet", "question": "高血压患者饮食要注意什么", "lang": "zh"},
    {"id": "sleep", "question": "晚上失眠睡不着怎么办", "lang": "zh"},
    {"id": "checkup", "question": "体检发现血糖偏高", "lang": "zh"},
]


def build(tmp_path, name, **options):
    path = str(tmp_path / name)
    with askalike.Index(path, **options) as index:
        index.add_many(RECORDS)
    return path


def test_traditional_question_finds_simplified_record(tmp_path):
    path = build(tmp_path, "db")
    with askalike.Searcher(path) as s:
        assert s.stats().analyzer["traditional_to_simplified"] is True
        # 醫生 / 體檢 are the Traditional forms of the records' 医生 / 体检.
        assert [h.id for h in s.similar("醫生")] == ["doctor"]
        assert [h.id for h in s.similar("體檢")] == ["checkup"]
    plain = build(tmp_path, "plain", traditional_to_simplified=False)
    with askalike.Searcher(plain) as s:
        assert s.stats().analyzer["traditional_to_simplified"] is False
        assert [h.id for h in s.similar("體檢")] == []  # no character in common
    assert askalike.Analyzer().terms("醫生", lang="zh") == askalike.Analyzer().terms("医生", lang="zh")
    assert askalike.Analyzer(traditional_to_simplified=False).terms("醫生", lang="zh") != \
        askalike.Analyzer().terms("医生", lang="zh")


def test_ngram_weights_are_stored_and_change_the_score(tmp_path):
    # 看病 is no word of any record: only its characters (看) and none of its bigrams match,
    # so the unigram weight alone sets the score of the record that holds 看.
    scores = {}
    for weight in (0.3, 1.0):
        path = build(tmp_path, f"u{weight}", cjk_unigram_weight=weight, cjk_bigram_weight=weight)
        with askalike.Searcher(path) as s:
            assert s.stats().analyzer["cjk_unigram_weight"] == weight
            assert s.stats().analyzer["cjk_bigram_weight"] == weight
            hits = s.similar("看病")
            assert [h.id for h in hits] == ["doctor"]
            scores[weight] = hits[0].score
    assert scores[1.0] == pytest.approx(scores[0.3] / 0.3, rel=1e-6)
    assert askalike.Analyzer(cjk_unigram_weight=0.5).options["cjk_unigram_weight"] == 0.5


def test_bad_weight_is_refused(tmp_path):
    with pytest.raises(askalike.InvalidArgumentError, match="cjk_unigram_weight"):
        askalike.Index(str(tmp_path / "db"), cjk_bigram_weight=1.5)
    with pytest.raises(askalike.InvalidArgumentError, match="cjk_unigram_weight"):
        askalike.Analyzer(cjk_unigram_weight=-1)
