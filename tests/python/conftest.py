"""Fixtures for the askalike Python tests: small real databases in tmp_path.

Run with the package installed (``pip install .``) or from a CMake build
tree: ``PYTHONPATH=build/bindings/python python -m pytest tests/python``.
"""

from __future__ import annotations

import random

import pytest

import askalike

# A tiny Q&A collection: English, Chinese, accents and emoji, with
# categories, tags, dates and groups for the filters.
RECORDS = [
    {
        "id": "twitch",
        "title": "Facial twitching at night",
        "question": "My left cheek twitches from the eye to the mouth when I sleep.",
        "answer": "Usually benign; tiredness, caffeine and stress make it worse.",
        "category": "Neurology",
        "tags": ["face", "sleep"],
        "date": "2021-03-04",
        "doctor": "Dr. Ye",
    },
    {
        "id": "eyelid",
        "title": "Eyelid twitching for a week",
        "question": "My eyelid has been twitching for a week. Should I worry?",
        "answer": "Eyelid twitching (myokymia) usually stops by itself.",
        "category": "Neurology",
        "tags": ["eye"],
        "date": "2022-06-01",
    },
    {
        "id": "migraine",
        "title": "Migraine with aura",
        "question": "I see flashing lights before a strong headache. Is it a migraine?",
        "answer": "That is the typical aura of a migraine.",
        "category": "Neurology",
        "tags": ["headache"],
        "date": "2020-01-15",
    },
    {
        "id": "ibuprofen",
        "title": "Ibuprofen and high blood pressure",
        "question": "Is it safe to take ibuprofen when I have high blood pressure?",
        "answer": "Ibuprofen can raise blood pressure; ask about paracetamol instead.",
        "category": "Cardiology",
        "tags": ["drugs", "blood pressure"],
        "date": "2023-09-10",
        "group": "g1",
    },
    {
        "id": "bp-salt",
        "title": "Salt and blood pressure",
        "question": "How much salt can I eat with high blood pressure?",
        "answer": "Less than 5 g a day.",
        "category": "Cardiology",
        "tags": ["diet", "blood pressure"],
        "date": "2019-11-20",
        "group": "g1",
    },
    {
        "id": "cafe",
        "title": "Café-au-lait spots on my baby's skin",
        "question": "Are café-au-lait spots dangerous? 😟 There are three of them.",
        "answer": "A few are common and harmless; six or more need a check.",
        "category": "Dermatology",
        "tags": ["skin", "baby"],
        "date": "2022-02-02",
    },
    {
        "id": "zh-dangshen",
        "title": "高血压患者能吃党参吗",
        "question": "我有高血压，平时能吃党参吗？会不会升高血压？",
        "answer": "党参一般可以少量食用，但应监测血压。",
        "category": "中医科",
        "tags": ["高血压"],
        "lang": "zh",
        "date": "2021-07-07",
    },
    {
        "id": "zh-cough",
        "title": "孩子咳嗽一直不好怎么办",
        "question": "孩子咳嗽两个星期了，晚上咳得厉害，吃药也不见好。",
        "answer": "建议去儿科检查，排除支气管炎和过敏。",
        "category": "儿科",
        "tags": ["咳嗽"],
        "lang": "zh",
        "date": "2023-01-01",
    },
    {
        "id": "emoji",
        "title": "Rash after the beach 🏖️",
        "question": "Red itchy rash 🔴 on my arms after a day at the beach ☀️.",
        "answer": "Probably sun allergy (polymorphic light eruption) 🌞.",
        "category": "Dermatology",
        "tags": ["skin", "sun"],
        "date": "2024-08-15",
    },
]


@pytest.fixture
def records() -> list[dict]:
    """Fresh copies of the small collection (tests may change them)."""
    return [dict(r, tags=list(r["tags"])) for r in RECORDS]


@pytest.fixture
def db_path(tmp_path, records) -> str:
    """A committed database holding RECORDS."""
    path = str(tmp_path / "qa.db")
    with askalike.Index(path) as index:
        index.add_many(records)
    return path


@pytest.fixture
def searcher(db_path):
    with askalike.Searcher(db_path) as s:
        yield s


# A larger generated collection for the batch and GIL tests: a few thousand
# records of random words from a small vocabulary, so that every query
# matches many records and a batch takes a noticeable time.
WORDS = (
    "pain fever cough headache rash itch swelling nausea fatigue dizziness "
    "blood pressure sugar heart lung kidney liver skin stomach throat ear "
    "child baby adult elderly pregnant night morning week month year "
    "medicine tablet dose infection allergy diet exercise sleep stress "
    "chronic acute mild severe sudden recurring left right upper lower "
    "treatment surgery test scan doctor hospital emergency symptom cause"
).split()


def generate_records(n: int, seed: int = 4) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "id": f"gen{i}",
                "title": " ".join(rng.choices(WORDS, k=5)),
                "question": " ".join(rng.choices(WORDS, k=25)),
                "answer": " ".join(rng.choices(WORDS, k=40)),
                "category": rng.choice(["A", "B", "C", "D"]),
            }
        )
    return out


def generate_queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=12)) for _ in range(n)]


@pytest.fixture(scope="session")
def big_db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("big") / "big.db")
    with askalike.Index(path) as index:
        index.add_many(generate_records(3000))
    return path
