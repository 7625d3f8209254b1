"""Query expansion (issue 13): learned word associations and pseudo-relevance feedback."""

from __future__ import annotations

import pytest

import askalike

HEART = [
    ("ha-what", "What is a heart attack?",
     "A heart attack, also called a myocardial infarction, blocks blood flow to the heart muscle."),
    ("ha-signs", "What are the warning signs of a heart attack?",
     "Chest pain is the usual sign of a myocardial infarction."),
    ("ha-risk", "Who is at risk of a heart attack?", "The risk of myocardial infarction rises with age and smoking."),
    ("ha-exercise", "How soon after a heart attack can I exercise?",
     "After a myocardial infarction, rehabilitation starts with short walks."),
    ("mi-recovery", "How long does recovery from a myocardial infarction take?",
     "Most patients return to work within weeks."),
    ("flu", "What is the flu?", "Influenza is a contagious viral infection."),
    ("sleep", "How much sleep do adults need?", "Seven to nine hours a night."),
    ("back", "What helps lower back pain?", "Gentle exercise and heat."),
]


def build(path, learn):
    with askalike.Index(str(path)) as index:
        for id_, question, answer in HEART:
            index.add({"id": id_, "question": question, "answer": answer})
        index.commit()
        if learn:
            return index.learn_associations()
    return None


def ids(results):
    return [h.id for h in results]


def test_learned_associations_find_the_clinical_words(tmp_path):
    report = build(tmp_path / "db", learn=True)
    assert report["records"] == len(HEART)
    assert report["words"] > 0 and report["associations"] > 0 and report["bytes"] > 0
    with askalike.Searcher(str(tmp_path / "db")) as s:
        stats = s.stats()
        assert stats.associations_learned_from == len(HEART)
        assert stats.association_words == report["words"]
        learned = s.associations("heart")
        assert "myocardi" in [term for term, _ in learned]
        assert all(0 < strength <= 1 for _, strength in learned)
        assert "mi-recovery" not in ids(s.similar("heart attack"))
        expanded = s.similar("heart attack", max_associations=5, association_weight=0.1)
        assert "mi-recovery" in ids(expanded)
        assert "myocardi" in [t.term for t in expanded.added_terms]
        assert s.similar("heart attack").added_terms == []


def test_feedback_and_a_database_that_learned_nothing(tmp_path):
    build(tmp_path / "db", learn=False)
    with askalike.Searcher(str(tmp_path / "db")) as s:
        assert s.stats().associations_learned_from == 0
        assert s.associations("heart") == []
        assert ids(s.similar("heart attack", max_associations=5)) == ids(s.similar("heart attack"))
        results = s.similar("heart attack", feedback_terms=5, feedback_documents=4, feedback_weight=0.2)
        assert "mi-recovery" in ids(results)
        assert results.added_terms and all(0 < t.weight <= 0.2 for t in results.added_terms)


def test_expansion_options_are_checked(tmp_path):
    build(tmp_path / "db", learn=False)
    with askalike.Searcher(str(tmp_path / "db")) as s:
        with pytest.raises(askalike.InvalidArgumentError, match="max_associations must be between 0 and 100, not 101"):
            s.similar("heart", max_associations=101)
        with pytest.raises(askalike.InvalidArgumentError, match="feedback_weight must be between 0 and 1"):
            s.similar("heart", feedback_weight=1.5)
        with pytest.raises(TypeError):
            s.similar("heart", feedback_terms="5")
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.InvalidArgumentError, match="per_word must be between 1 and 64, not 0"):
            index.learn_associations(per_word=0)
