"""Chinese, accents and emoji: in, searched, and out unchanged."""

from __future__ import annotations

import askalike


def test_records_round_trip_exactly(searcher, records):
    for r in records:
        got = searcher.get(r["id"])
        for key, value in r.items():
            assert got[key] == value, key


def test_chinese_query_finds_chinese_record(searcher):
    res = searcher.similar("高血压的人可以吃党参吗")
    assert res[0].id == "zh-dangshen"
    assert res[0].record["title"] == "高血压患者能吃党参吗"
    assert "党参" in res[0].snippet
    assert res.categories.get("中医科") == 1
    assert searcher.similar("小孩咳嗽很久")[0].id == "zh-cough"


def test_accents_fold_both_ways(searcher):
    assert searcher.similar("cafe au lait spots")[0].id == "cafe"
    assert searcher.similar("CAFÉ spots")[0].id == "cafe"
    hit = searcher.similar("cafe spots")[0]
    assert "Café" in hit.record["title"]   # stored text keeps its accents
    assert "café" in hit.snippet           # and so do snippets


def test_emoji_survive(searcher):
    hit = searcher.similar("itchy rash after the beach")[0]
    assert hit.id == "emoji"
    assert hit.record["title"] == "Rash after the beach 🏖️"
    assert "🔴" in hit.record["question"]
    assert "🔴" in hit.snippet or "☀️" in hit.snippet
    assert "🌞" in hit.answer_snippet
    # A query of emoji only has no word to search for.
    assert len(searcher.similar("🏖️☀️")) == 0


def test_emoji_and_cjk_ids(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        index.add({"id": "问题-1 🙂", "title": "naïve résumé", "question": "Ĳssel Straße"})
    s = askalike.Searcher(path)
    assert s.get("问题-1 🙂")["title"] == "naïve résumé"
    assert s.similar("naive resume")[0].id == "问题-1 🙂"
    assert s.similar("strasse")[0].id == "问题-1 🙂"
    assert s.more_like("问题-1 🙂").hits == []


def test_analyzer_positions_are_str_indices():
    a = askalike.Analyzer()
    text = "Café 😀 高血压患者"
    toks = [t for t in a.tokens(text) if not t.bigram]
    assert [t.term for t in toks][:1] == ["cafe"]
    for t in toks:
        assert a.normalize(text[t.start:t.end]) .startswith(t.term[:1])
    assert a.normalize("ＡＢＣ Straße") == "abc strasse"
    assert "高血压" in a.terms("高血压患者")
    assert askalike.Analyzer(fold_accents=False).terms("café", lang="fr")[0].startswith("caf")
