"""Spelling correction and question types (issue 13), from Python."""

from __future__ import annotations

import json
import pathlib

import pytest

import askalike

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpus" / "medquad-sample.jsonl"
EXTRA = ROOT / "tests" / "data" / "medquad-extra.jsonl"  # real MedQuAD pneumonia / Alzheimer records


@pytest.fixture(scope="module")
def medquad(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("medquad") / "db")
    with askalike.Index(path) as index:
        index.add_file(str(SAMPLE))
        index.add_file(str(EXTRA))
    return path


def test_a_misspelt_question_finds_its_record_and_says_so(medquad):
    searcher = askalike.Searcher(medquad)
    results = searcher.similar("what is pnuemonia?")
    assert results[0].id == "MPlusHealthTopics_0000723-1"
    assert [(c.word, c.correction) for c in results.corrections] == [("pnuemonia", "pneumonia")]
    assert searcher.similar("what is pneumonia?").corrections == []
    off = searcher.similar("what is pnuemonia?", spelling=False)
    assert off.corrections == []
    assert "MPlusHealthTopics_0000723-1" not in [h.id for h in off]


def test_question_type_and_its_bonus(medquad):
    assert askalike.question_type("Is Cowden syndrome genetic?") == "inheritance"
    assert askalike.question_type("糖尿病怎么治疗") == "treatment"
    assert askalike.question_type("hello") == ""
    searcher = askalike.Searcher(medquad)
    results = searcher.similar("Is Cowden syndrome genetic?")
    assert results.question_type == "inheritance"
    assert results[0].id == "GARD_0001618-4"  # Is Cowden syndrome inherited ?
    assert searcher.similar("Is Cowden syndrome genetic?", question_type_weight=0).question_type == ""
    with pytest.raises(askalike.InvalidArgumentError, match="question_type_weight must be"):
        searcher.similar("x", question_type_weight=-1)
    stats = searcher.stats()
    assert stats.spelling and stats.question_types


def test_a_new_database_without_the_tables(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path, spelling=False, question_types=False) as index:
        index.add_file(str(EXTRA))
    searcher = askalike.Searcher(path)
    assert not searcher.stats().spelling and not searcher.stats().question_types
    assert searcher.similar("what is pnuemonia?").corrections == []


def test_a_removed_record_is_no_longer_a_correction(tmp_path):
    path = str(tmp_path / "db")
    pneumonia = {"id": "p1", "title": "Pneumonia", "question": "What is (are) Pneumonia ?",
                 "answer": "Pneumonia is an infection in one or both of the lungs."}
    with askalike.Index(path) as index:
        index.add(pneumonia)
        index.add({"id": "b1", "title": "Bronchitis", "question": "What is (are) Bronchitis ?",
                   "answer": "Bronchitis is an inflammation of the tubes that carry air to the lungs."})
    corrections = askalike.Searcher(path).similar("what is pnuemonia?").corrections
    assert [(c.word, c.correction) for c in corrections] == [("pnuemonia", "pneumonia")]
    with askalike.Index(path) as index:
        assert index.remove("p1")
    assert askalike.Searcher(path).similar("what is pnuemonia?").corrections == []
    with askalike.Index(path) as index:
        index.add(pneumonia)  # back again: corrected again
    corrections = askalike.Searcher(path).similar("what is pnuemonia?").corrections
    assert [(c.word, c.correction) for c in corrections] == [("pnuemonia", "pneumonia")]
