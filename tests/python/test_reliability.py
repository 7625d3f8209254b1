"""Searching while another process writes: no search fails because of a commit."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import askalike

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus" / "medquad-sample.jsonl"

# The writer: replaces and adds records in batches of 100, committing each,
# until it has committed `rounds` batches.
WRITER = """
import json, sys, askalike
db, corpus, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
records = [json.loads(line) for line in open(corpus, encoding="utf-8")]
with askalike.Index(db) as index:
    for n in range(rounds):
        batch = [dict(r, answer=r.get("answer", "") + " revision %d" % n)
                 for r in records[(n * 100) % len(records):][:100]]
        index.add_many(batch)
        index.commit()
        print(n, flush=True)
"""


def _records():
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _build(db, records):
    with askalike.Index(db) as index:
        index.add_many(records)


def test_similar_batch_while_another_process_commits(tmp_path):
    db = str(tmp_path / "db")
    records = _records()
    _build(db, records[:500])
    questions = [r["question"] for r in records[:2000]]
    searcher = askalike.Searcher(db)
    expected_first = searcher.similar(questions[0], k=1).hits[0].id

    writer = subprocess.Popen([sys.executable, "-c", WRITER, db, str(CORPUS), "40"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        batches = during_writes = 0
        deadline = time.monotonic() + 300
        while (writer.poll() is None or batches == 0) and time.monotonic() < deadline:
            running = writer.poll() is None
            results = searcher.similar_batch(questions, k=5, threads=8)  # raised FileError before
            assert len(results) == len(questions)
            assert all(r.hits for r in results[:10])
            batches += 1
            during_writes += running
        out, err = writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, err
    assert out.split()[-1] == "39"  # every batch committed
    assert during_writes >= 1
    assert searcher.similar(questions[0], k=1).hits[0].id == expected_first


def test_a_searcher_with_a_refresh_interval_sees_new_commits(tmp_path):
    db = str(tmp_path / "db")
    _build(db, _records()[:50])
    fixed = askalike.Searcher(db)
    following = askalike.Searcher(db, refresh_interval_ms=1)
    with askalike.Index(db) as index:
        index.add({"id": "zebra", "title": "Zebra allergy", "question": "Am I allergic to zebras?"})
    time.sleep(0.02)
    assert following.similar("zebra allergy").hits[0].id == "zebra"
    assert "zebra" not in [h.id for h in fixed.similar("zebra allergy").hits]
    fixed.reopen()
    assert fixed.similar("zebra allergy").hits[0].id == "zebra"
