"""Collections of shards, remote-shard errors and changesets from Python."""

from __future__ import annotations

import os
import socket

import askalike
import pytest

from conftest import RECORDS


def ids(results) -> list[str]:
    return [h.id for h in results]


def test_a_collection_of_shards_searches_as_one_database(tmp_path):
    one, many = str(tmp_path / "one"), str(tmp_path / "many")
    with askalike.Index(one) as index:
        index.add_many(RECORDS)
    with askalike.Index(many, shards=3) as index:
        index.add_many(RECORDS)
    assert sorted(os.listdir(many)) == ["XAPIANDB", "shard-0", "shard-1", "shard-2"]
    a, b = askalike.Searcher(one), askalike.Searcher(many)
    serial = askalike.Searcher(many, parallel_shards=False)  # the default searches the shards at once
    # ... when a query's words have 20,000 postings: every query here (issue 27)
    every = askalike.Searcher(many, parallel_min_postings=0)
    for text in ("twitching eyelid", "migraine headache", "头痛"):
        ra, rb, rs, re_ = a.similar(text), b.similar(text), serial.similar(text), every.similar(text)
        assert ids(ra) == ids(rb) == ids(rs) == ids(re_)
        assert [h.score for h in ra] == pytest.approx([h.score for h in rb], rel=1e-9)
        assert [h.score for h in rs] == pytest.approx([h.score for h in rb], rel=1e-9)
        assert [h.score for h in re_] == pytest.approx([h.score for h in ra], rel=1e-9)
    with pytest.raises(askalike.InvalidArgumentError, match="parallel_min_postings"):
        askalike.Searcher(many, parallel_min_postings=-1)
    assert b.stats().documents == len(RECORDS)
    # A later Index finds the count; another count is refused.
    with askalike.Index(many) as index:
        index.remove(RECORDS[0]["id"])
    assert askalike.Searcher(many).stats().documents == len(RECORDS) - 1
    with pytest.raises(askalike.InvalidArgumentError, match="holds 3 shards"):
        askalike.Index(many, shards=2)


def test_a_remote_shard_that_is_down_raises_unavailable(tmp_path):
    # A port that nothing listens on (the kernel's free choice, then closed).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stub = tmp_path / "remote.stub"
    stub.write_text(f"remote 127.0.0.1:{port}\n")
    with pytest.raises(askalike.UnavailableError) as caught:
        askalike.Searcher(str(stub), timeout_ms=2000)
    assert caught.value.code == "unavailable"
    assert isinstance(caught.value, ConnectionError)


def test_a_remote_shard_that_does_not_answer_is_caught_as_the_builtin_timeout_error(tmp_path):
    # A server that takes the connection (the kernel's backlog does) and
    # never answers.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(4)
        stub = tmp_path / "hung.stub"
        stub.write_text(f"remote 127.0.0.1:{hung.getsockname()[1]}\n")
        caught = None
        try:
            askalike.Searcher(str(stub), timeout_ms=500)
        except TimeoutError as e:  # Python's own name, as code that knows nothing of askalike writes it
            caught = e
    assert isinstance(caught, askalike.TimeoutError), caught
    assert isinstance(caught, askalike.Error)
    assert caught.code == "timeout"
    assert "did not answer in time" in str(caught)


def test_max_changesets_keeps_changesets_for_replicas(tmp_path):
    db = str(tmp_path / "master")
    with askalike.Index(db, max_changesets=5) as index:
        index.add_many(RECORDS[:2])
        index.commit()
        index.add_many(RECORDS[2:])
    assert any(name.startswith("changes") for name in os.listdir(db))


def test_bad_shard_counts_and_timeouts_are_refused_in_the_librarys_words(tmp_path):
    with pytest.raises(askalike.InvalidArgumentError, match="shards must be between 1 and 1024, not 0"):
        askalike.Index(str(tmp_path / "db"), shards=0)
    assert not (tmp_path / "db").exists()
    with askalike.Index(str(tmp_path / "db")) as index:
        index.add_many(RECORDS)
    with pytest.raises(askalike.InvalidArgumentError, match="timeout_ms must be between 0 and"):
        askalike.Searcher(str(tmp_path / "db"), timeout_ms=-1)
