"""Ranking settings of a database, reindex, compact, and stub files (shards)."""

from __future__ import annotations

import askalike
import pytest

RECORDS = [
    {"id": "t", "title": "Kidney stones", "question": "What is this?", "answer": "Drink water."},
    {"id": "a", "title": "Diet", "question": "What should I eat?",
     "answer": "Kidney stones form from calcium oxalate."},
    {"id": "g", "title": "Gout", "question": "Why does my toe hurt?", "answer": "Uric acid crystals."},
]


def build(path, **ranking) -> str:
    with askalike.Index(str(path), **ranking) as index:
        index.add_many(RECORDS)
    return str(path)


def ids(results) -> list[str]:
    return [h.id for h in results]


def test_ranking_settings_are_the_databases(tmp_path):
    default = build(tmp_path / "default")
    answers = build(tmp_path / "answers", title_weight=0.1, answer_weight=2.0)
    assert ids(askalike.Searcher(default).similar("kidney stones")) == ["t", "a"]
    assert ids(askalike.Searcher(answers).similar("kidney stones")) == ["a", "t"]
    assert askalike.Searcher(answers).stats().ranking == {
        "title_weight": 0.1, "question_weight": 1.0, "answer_weight": 2.0, "bm25_b": 0.75}
    # An existing database keeps its settings.
    with pytest.raises(askalike.InvalidArgumentError, match="askalike reindex"):
        askalike.Index(default, answer_weight=2.0)
    with pytest.raises(askalike.InvalidArgumentError, match="bm25_b"):
        askalike.Index(str(tmp_path / "bad"), bm25_b=2.0)


def test_reindex_changes_the_settings(tmp_path):
    default = build(tmp_path / "default")
    renewed = str(tmp_path / "renewed")
    askalike.reindex(default, renewed, title_weight=0.1, answer_weight=2.0)
    assert ids(askalike.Searcher(renewed).similar("kidney stones")) == ["a", "t"]
    assert askalike.Searcher(renewed).stats().ranking["question_weight"] == 1.0
    assert ids(askalike.Searcher(default).similar("kidney stones")) == ["t", "a"]  # left as it was
    with pytest.raises(askalike.InvalidArgumentError, match="already exists"):
        askalike.reindex(default, renewed)


def test_a_search_only_copy_ranks_as_its_source_and_refuses_writes(tmp_path):
    source = build(tmp_path / "source")
    full, slim = str(tmp_path / "full"), str(tmp_path / "slim")
    askalike.compact(source, full)
    askalike.compact(source, slim, search_only=True)
    assert not (tmp_path / "slim" / "termlist.glass").exists()
    for q in ["kidney stones", "why does my toe hurt", "kidny stone diet"]:
        a, b = askalike.Searcher(full).similar(q), askalike.Searcher(slim).similar(q)
        assert ids(a) == ids(b) and ids(a)
        assert [h.score for h in a] == [h.score for h in b]
        assert [h.matched_terms for h in a] == [h.matched_terms for h in b]
        assert [h.confidence for h in a] == [h.confidence for h in b]
    with pytest.raises(askalike.InvalidArgumentError, match="compacted without term lists"):
        askalike.Index(slim)
    with pytest.raises(askalike.InvalidArgumentError, match="--search-only"):
        askalike.Searcher(slim).similar("kidney stones", feedback_terms=2)
    assert askalike.Searcher(slim).stats().documents == 3  # nothing lost
    with pytest.raises(askalike.InvalidArgumentError, match="already exists"):
        askalike.compact(source, slim)


def test_searcher_opens_a_stub_file(tmp_path):
    db = build(tmp_path / "db")
    stub = tmp_path / "db.stub"
    stub.write_text(f"auto {db}\n")
    direct, via_stub = askalike.Searcher(db), askalike.Searcher(str(stub))
    a, b = direct.similar("kidney stones"), via_stub.similar("kidney stones")
    assert ids(a) == ids(b)
    assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-9)
    assert via_stub.stats().documents == 3
