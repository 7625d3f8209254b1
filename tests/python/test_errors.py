"""Errors: one tree under askalike.Error, carrying the library's message."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import askalike


def test_hierarchy():
    for cls in (askalike.InvalidArgumentError, askalike.ParseError, askalike.NotFoundError,
                askalike.DatabaseLockedError, askalike.IncompatibleVersionError,
                askalike.CorruptDatabaseError, askalike.FileError, askalike.InternalError):
        assert issubclass(cls, askalike.Error)
        assert cls.__doc__
    assert issubclass(askalike.ParseError, ValueError)
    assert issubclass(askalike.NotFoundError, LookupError)
    assert issubclass(askalike.FileError, OSError)


def test_searcher_on_missing_database(tmp_path):
    missing = str(tmp_path / "nothing-here")
    with pytest.raises(askalike.NotFoundError) as info:
        askalike.Searcher(missing)
    assert missing in str(info.value)
    assert info.value.code == "not_found"
    assert info.value.message == str(info.value)


def test_index_without_create(tmp_path):
    with pytest.raises(askalike.NotFoundError):
        askalike.Index(str(tmp_path / "db"), create=False)
    askalike.Index(str(tmp_path / "db")).close()
    askalike.Index(str(tmp_path / "db"), create=False).close()


def test_not_a_database(tmp_path):
    (tmp_path / "file.txt").write_text("hello")
    with pytest.raises(askalike.Error):
        askalike.Searcher(str(tmp_path / "file.txt"))


def test_bad_record_in_add(tmp_path):
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.ParseError) as info:
            index.add({"title": "no id"})
        assert "id" in info.value.reason
        assert info.value.code == "parse"
        with pytest.raises(askalike.ParseError, match="tags"):
            index.add({"id": "x", "tags": 5})
        with pytest.raises(TypeError, match="a record is a dict"):
            index.add("just a string")
        with pytest.raises(TypeError, match="cannot be stored"):
            index.add({"id": "x", "blob": object()})
        with pytest.raises(askalike.InvalidArgumentError):
            index.add({"id": "x" * 1000})
        assert len(index) == 0


def test_bad_record_in_add_many_names_its_position(tmp_path):
    records = [{"id": "a"}, {"id": "b"}, {"title": "no id"}, {"id": "d"}]
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.ParseError) as info:
            index.add_many(records)
        assert info.value.line == 3
        assert info.value.source == "<add_many>"
        assert str(info.value).startswith("<add_many>:3:")
        with pytest.raises(TypeError):
            index.add_many({"id": "one record, not a list"})


def test_bad_line_in_file_names_file_and_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "title": "good"}\n\n{"id": "b", "title": \n', encoding="utf-8")
    path = str(tmp_path / "db")
    with askalike.Index(path) as index:
        with pytest.raises(askalike.ParseError) as info:
            index.add_file(str(src))
        assert info.value.line == 3
        assert info.value.source.endswith("in.jsonl")
        assert f"{info.value.source}:3:" in str(info.value)
    # The records before the bad line were committed.
    assert askalike.Searcher(path).get("a") is not None


def test_add_file_missing_file_and_bad_format(tmp_path):
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.FileError):
            index.add_file(str(tmp_path / "missing.jsonl"))
        with pytest.raises(askalike.InvalidArgumentError):
            index.add_file(str(tmp_path / "x.jsonl"), format="xml")


def test_progress_callback_exception_stops_the_load(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(f'{{"id": "r{i}", "title": "row {i}"}}\n' for i in range(2500)),
                   encoding="utf-8")

    def progress(count):
        if count >= 2000:
            raise KeyboardInterrupt

    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(KeyboardInterrupt):
            index.add_file(str(src), progress=progress)


def test_second_writer_is_locked_out(tmp_path):
    path = str(tmp_path / "db")
    first = askalike.Index(path)
    with pytest.raises(askalike.DatabaseLockedError) as info:
        askalike.Index(path)
    assert info.value.code == "database_locked"
    assert "locked" in str(info.value)
    # Searchers are not blocked by the writer.
    first.add({"id": "a", "title": "x"})
    first.commit()
    assert askalike.Searcher(path).get("a") is not None
    first.close()
    askalike.Index(path).close()  # free again


def test_errors_from_threads_are_raised_in_the_caller(searcher):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        fut = pool.submit(searcher.more_like, "no-such-id")
        with pytest.raises(askalike.NotFoundError):
            fut.result()


@pytest.mark.skipif(shutil.which("xapian-metadata") is None,
                    reason="needs xapian-metadata (Debian package xapian-tools)")
def test_database_from_a_newer_askalike(db_path):
    # Pretend a future askalike wrote the database: another schema number.
    subprocess.run(["xapian-metadata", "set", db_path, "askalike.schema", "999"], check=True)
    with pytest.raises(askalike.IncompatibleVersionError) as info:
        askalike.Searcher(db_path)
    assert "999" in str(info.value)
    assert info.value.code == "incompatible_version"
    with pytest.raises(askalike.IncompatibleVersionError):
        askalike.Index(db_path)


def test_text_that_is_not_unicode(tmp_path):
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.InvalidArgumentError, match="field title: text with a lone surrogate"):
            index.add({"id": "x", "title": "lone surrogate \ud800"})
