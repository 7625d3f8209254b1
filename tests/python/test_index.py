"""askalike.Index: adding, replacing, removing, loading files, committing."""

from __future__ import annotations

import datetime
import json
import pickle
from pathlib import Path

import pytest

import askalike


def test_add_dict_and_record_then_get(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        assert index.add({"id": "a", "title": "First", "question": "one", "score": 3}) is False
        rec = askalike.Record("b", title="Second", question="two", tags=["x", "y"],
                              date=datetime.date(2024, 5, 6), extra={"votes": [1, 2]})
        assert index.add(rec) is False
        assert len(index) == 2
        assert "a" in index and "zzz" not in index
        a = index.get("a")
        assert a["title"] == "First" and a["question"] == "one"
        assert a["score"] == 3  # an extra field keeps its JSON type
        b = index.get("b")
        assert b["tags"] == ["x", "y"] and b["date"] == "2024-05-06" and b["votes"] == [1, 2]
        assert index.get("zzz") is None
    with askalike.Searcher(path) as s:
        assert s.get("b") == b


def test_add_same_id_replaces(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        assert index.add({"id": "a", "title": "old title"}) is False
        assert index.add({"id": "a", "title": "new title"}) is True
        assert len(index) == 1
        assert index.get("a")["title"] == "new title"


def test_add_many_report_and_generator(tmp_path, records):
    with askalike.Index(str(tmp_path / "db")) as index:
        report = index.add_many(r for r in records)  # any iterable, even a generator
        assert (report.read, report.added, report.replaced) == (len(records), len(records), 0)
        again = index.add_many(records[:2], batch_size=1)
        assert (again.added, again.replaced) == (0, 2)
        assert "IngestReport(read=2" in repr(again)


def test_remove(tmp_path, records):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        index.add_many(records)
        assert index.remove("twitch") is True
        assert index.remove("twitch") is False
    with askalike.Searcher(path) as s:
        assert s.get("twitch") is None
        assert all(hit.id != "twitch" for hit in s.similar("cheek twitches when I sleep"))


def test_changes_are_visible_after_commit_only(tmp_path):
    path = str(tmp_path / "db")
    index = askalike.Index(path)
    index.add({"id": "a", "title": "pancreas enzyme test"})
    index.commit()
    s = askalike.Searcher(path)
    index.add({"id": "b", "title": "pancreas enzyme levels"})
    assert [h.id for h in s.similar("pancreas enzyme")] == ["a"]
    index.commit()
    assert [h.id for h in s.similar("pancreas enzyme")] == ["a"]  # the old snapshot
    s.reopen()
    assert sorted(h.id for h in s.similar("pancreas enzyme")) == ["a", "b"]
    index.close()
    s.close()


def test_context_manager_commits_on_success(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        index.add({"id": "a", "title": "kept"})
    assert index.closed
    with askalike.Searcher(path) as s:
        assert s.get("a")["title"] == "kept"


def test_context_manager_rolls_back_on_exception(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        index.add({"id": "a", "title": "committed before"})
    with pytest.raises(RuntimeError, match="boom"):
        with askalike.Index(path) as index:
            index.add({"id": "b", "title": "never committed"})
            index.remove("a")
            raise RuntimeError("boom")
    assert index.closed  # the lock is released even so
    with askalike.Searcher(path) as s:
        assert s.get("a") is not None
        assert s.get("b") is None
        assert len(s) == 1
    # ... and the database can be written again.
    with askalike.Index(path) as index:
        index.add({"id": "c", "title": "after"})
    assert len(askalike.Searcher(path)) == 2


def test_commit_inside_block_survives_a_later_exception(tmp_path):
    path = str(tmp_path / "db")
    with pytest.raises(KeyError):
        with askalike.Index(path) as index:
            index.add({"id": "a", "title": "committed"})
            index.commit()
            index.add({"id": "b", "title": "rolled back"})
            raise KeyError("x")
    s = askalike.Searcher(path)
    assert s.get("a") is not None and s.get("b") is None


def test_rollback(tmp_path):
    path = str(tmp_path / "db")
    index = askalike.Index(path)
    index.add({"id": "a", "title": "one"})
    index.commit()
    index.add({"id": "b", "title": "two"})
    index.rollback()
    assert index.get("b") is None and index.get("a") is not None
    index.close()


def test_close_commits_and_releases(tmp_path):
    path = str(tmp_path / "db")
    index = askalike.Index(path)
    index.add({"id": "a", "title": "one"})
    index.close()
    index.close()  # idempotent
    assert "closed" in repr(index)
    with pytest.raises(askalike.InvalidArgumentError, match="closed"):
        index.add({"id": "b"})
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError too
        index.commit()
    assert askalike.Searcher(path).get("a")["title"] == "one"
    askalike.Index(path).close()  # the lock was released


def test_stats(db_path, records):
    with askalike.Index(db_path) as index:
        st = index.stats()
    assert st.documents == len(records)
    assert st.distinct_terms > 50
    assert st.average_length > 5
    assert st.categories["Neurology"] == 3
    assert list(st.categories)[0] == "Neurology"  # most frequent first
    assert st.languages.get("zh") == 2
    assert st.path.endswith("qa.db")
    assert st.analyzer["fold_accents"] is True
    assert "documents=9" in repr(st)
    assert askalike.Searcher(db_path).stats().documents == len(records)


def test_analyzer_options_are_stored(tmp_path):
    path = str(tmp_path / "db")
    with askalike.Index(path, fold_accents=False, stem=False, default_language="fr") as index:
        index.add({"id": "a", "title": "café"})
        assert index.analyzer.options["fold_accents"] is False
    # Reopening with other options keeps the stored ones.
    with askalike.Index(path, fold_accents=True) as index:
        assert index.stats().analyzer["fold_accents"] is False
        assert index.stats().analyzer["default_language"] == "fr"
        assert index.analyzer.terms("Cafés") == ["cafés"]


def test_add_file_jsonl(tmp_path, records):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                   encoding="utf-8")
    seen = []
    with askalike.Index(tmp_path / "db") as index:  # os.PathLike works for paths
        report = index.add_file(src, progress=seen.append)
        assert report.read == report.added == len(records)
        assert index.get("zh-cough")["title"] == "孩子咳嗽一直不好怎么办"


def test_add_file_csv_with_field_map(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("key,headline,body\n"
                   "c1,Knee pain,My knee hurts when I climb stairs\n"
                   "c2,\"Back pain, lower\",\"It hurts, mostly in the morning\"\n",
                   encoding="utf-8")
    with askalike.Index(str(tmp_path / "db")) as index:
        report = index.add_file(str(src), field_map={"id": "key", "title": "headline",
                                                     "question": "body"})
        assert report.added == 2
        assert index.get("c2")["title"] == "Back pain, lower"
        assert index.get("c2")["question"] == "It hurts, mostly in the morning"


def test_add_file_legacy_encoding(tmp_path):
    src = tmp_path / "gbk.jsonl"
    line = json.dumps({"id": "g1", "title": "头痛怎么办", "question": "经常头痛"},
                      ensure_ascii=False)
    src.write_bytes((line + "\n").encode("gb18030"))
    with askalike.Index(str(tmp_path / "db")) as index:
        index.add_file(str(src), encoding="GB18030")
        assert index.get("g1")["title"] == "头痛怎么办"


def test_add_file_skip_bad_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "title": "good"}\n'
                   'not json at all\n'
                   '{"title": "no id"}\n'
                   '{"id": "b", "title": "good too"}\n', encoding="utf-8")
    with askalike.Index(str(tmp_path / "db")) as index:
        report = index.add_file(str(src), skip_bad_lines=True)
    assert report.added == 2
    assert report.skipped == 2
    assert [b.line for b in report.bad_lines] == [2, 3]
    assert report.bad_lines[0].source.endswith("in.jsonl")
    assert "line=2" in repr(report.bad_lines[0])


def test_add_file_threads_give_the_same_database(tmp_path):
    lines = []
    for i in range(600):
        lines.append(json.dumps({"id": f"r{i % 450}", "title": f"row {i}",
                                 "question": f"question {i} about knee pain"}))
        if i == 300:
            lines.append("not json at all")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = []
    for threads in (1, 3):
        with askalike.Index(str(tmp_path / f"db{threads}")) as index:
            report = index.add_file(str(src), skip_bad_lines=True, threads=threads,
                                    batch_size=64)
            results.append(((report.read, report.added, report.replaced, report.skipped),
                            [b.line for b in report.bad_lines],
                            [index.get(f"r{i}")["title"] for i in range(450)]))
    assert results[0] == results[1]
    assert results[0][0] == (600, 450, 150, 1)
    assert results[0][1] == [302]
    assert results[0][2][0] == "row 450"  # the last record of an id wins


def test_record_class():
    r = askalike.Record("x1", title="Title", question="Q?", tags=("a", "b"), lang="en",
                        extra={"when": datetime.date(2020, 1, 2), "n": 1.5})
    assert r.tags == ["a", "b"]
    assert r.extra == {"when": "2020-01-02", "n": 1.5}
    assert json.loads(r.to_json())["id"] == "x1"
    assert askalike.Record.from_json(r.to_json()) == r
    assert askalike.Record.from_dict(r.to_dict()) == r
    assert pickle.loads(pickle.dumps(r)) == r
    assert repr(r) == "Record(id='x1', title='Title')"
    r.tags = ["c"]
    r.date = "2021"
    assert r.to_dict()["tags"] == ["c"] and r.date == "2021"
    assert r != askalike.Record("x2")
    with pytest.raises(TypeError):
        hash(r)


def test_one_index_shared_by_threads(tmp_path):
    import threading

    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        def work(part):
            for i in range(300):
                index.add({"id": f"{part}-{i}", "title": f"thread {part} record {i}"})
            index.add_many({"id": f"{part}-many-{i}"} for i in range(200))

        threads = [threading.Thread(target=work, args=(p,)) for p in "abc"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(index) == 3 * 500
    assert len(askalike.Searcher(path)) == 1500


def test_add_file_qa_page(tmp_path):
    page = Path(__file__).resolve().parent.parent / "data" / "seed-page.txt"
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        report = index.add_file(page, format="page")
    assert report.added == 1
    s = askalike.Searcher(path)
    hit = s.similar("twitching of the face while sleeping")[0]
    assert hit.record["category"] == "Neurology"
    assert "twitching" in hit.record["question"]
    assert "stroke" in hit.record["answer"]


def test_add_file_lines(tmp_path):
    """A question list, named ("lines") or by a .txt without a page's marks (issue 25)."""
    questions = tmp_path / "questions.txt"
    questions.write_text("How do I reset my password?\n\nWhy was my credit card rejected?\n")
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        assert index.add_file(questions).added == 2
        again = index.add_file(questions, format="lines")
        assert (again.added, again.replaced) == (0, 2)  # the ids are the text's hash
    hits = askalike.Searcher(path).similar("credit card rejected")
    assert hits[0].record["question"] == "Why was my credit card rejected?"
    assert hits[0].id.startswith("q-") and hits[0].record["title"] == ""


def test_a_writer_waits_for_the_lock_when_told(tmp_path):
    # Issue 24, reproducer 9: a second writer failed at once, with no way to wait.
    import threading
    import time
    db = str(tmp_path / "db")
    first = askalike.Index(db)
    with pytest.raises(askalike.DatabaseLockedError, match="--wait-lock SECONDS"):
        askalike.Index(db)
    start = time.monotonic()
    with pytest.raises(askalike.DatabaseLockedError, match="after waiting 0.3 s"):
        askalike.Index(db, wait_lock=0.3)
    assert time.monotonic() - start >= 0.29
    for bad in (-1, float("nan"), 10**9):
        with pytest.raises(askalike.InvalidArgumentError, match="wait_lock must be a number of seconds"):
            askalike.Index(db, wait_lock=bad)
    threading.Timer(0.5, first.close).start()
    with askalike.Index(db, wait_lock=30) as second:
        second.add({"id": "x", "title": "Written after waiting"})
    with askalike.Searcher(db) as s:
        assert s.get("x")["title"] == "Written after waiting"
