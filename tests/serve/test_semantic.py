"""askalike serve over a database built with a sentence-embedding model
(issue 28): the API re-ranks with the database's model, says so, and names
the model in /v1/stats. The model is a tiny random one written by the test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import RECORDS, run_cli, serving

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
tiny_bert = pytest.importorskip("tiny_bert", reason="numpy writes the tiny model (python3-numpy)")


@pytest.fixture
def semantic_db(tmp_path) -> Path:
    model = tiny_bert.write(tmp_path / "tiny-model")
    db = tmp_path / "sem.db"
    r = run_cli("index", "-d", str(db), "--model", str(model), str(RECORDS))
    assert r.returncode == 0, r.stderr
    return db


def test_the_api_reranks_with_the_databases_model_and_names_it(semantic_db):
    with serving(semantic_db) as s:
        status, stats, _ = s.get("/v1/stats")
        assert status == 200 and stats["embedding_model"] == {"name": "tiny-model", "dimension": 32}
        status, body, _ = s.post("/v1/similar", {"text": "why does my face twitch when I sleep", "k": 5})
        assert status == 200 and body["semantic"] is True and body["hits"]
        for hit in body["hits"]:
            assert -1.0 <= hit["semantic_similarity"] <= 1.0
            assert hit["lexical_score"] > 0
        scores = [h["score"] for h in body["hits"]]
        assert scores == sorted(scores, reverse=True)
        # Words alone, on request.
        status, words, _ = s.post("/v1/similar", {"text": "why does my face twitch when I sleep", "k": 5, "semantic": False})
        assert status == 200 and words["semantic"] is False and "semantic_similarity" not in words["hits"][0]
        # A caller's own query vector must have the database's dimension.
        status, err, _ = s.post("/v1/similar", {"text": "face twitching", "vector": [0.5, 0.5]})
        assert status == 400 and "dimensions" in err["error"]["message"]
        status, own, _ = s.post("/v1/similar", {"text": "face twitching", "vector": [0.1] * 32})
        assert status == 200 and own["semantic"] is True


def test_the_cli_stores_int8_vectors_unless_told_float32_and_refuses_other_precisions(tmp_path):
    model = tiny_bert.write(tmp_path / "tiny-model")
    for flag, shown in (([], "int8"), (["--vector-precision", "float32"], "float32")):
        db = tmp_path / f"{shown}.db"
        r = run_cli("index", "-d", str(db), "--model", str(model), *flag, str(RECORDS))
        assert r.returncode == 0, r.stderr
        stats = run_cli("stats", "-d", str(db))
        assert stats.returncode == 0 and f"32 dimensions, {shown}, from" in stats.stdout, stats.stdout
    bad = run_cli("index", "-d", str(tmp_path / "bad.db"), "--model", str(model), "--vector-precision", "int4",
                  str(RECORDS))
    assert bad.returncode != 0 and "--vector-precision" in bad.stderr
    assert not (tmp_path / "bad.db").exists()
