"""Hostile input through the Python module: database stubs that would run a
program, deep JSON, bad text and bad options give a clear askalike error
and never run anything or kill the interpreter."""

from __future__ import annotations

import pytest

import askalike


def test_stub_that_would_start_a_program_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "s.db").mkdir()
    (tmp_path / "s.db" / "XAPIANDB").write_text(f"remote :/usr/bin/touch {marker}\n")
    (tmp_path / "stub").write_text(f"remote :/usr/bin/touch {marker}\n")
    for db in (tmp_path / "s.db", tmp_path / "stub"):
        with pytest.raises(askalike.InvalidArgumentError, match="would start a program"):
            askalike.Searcher(str(db))
    with pytest.raises(askalike.InvalidArgumentError, match="would start a program"):
        askalike.Index(str(tmp_path / "s.db"))
    assert not marker.exists()


def test_deep_json_is_a_parse_error_and_the_record_before_is_kept(tmp_path):
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"id":"ok","question":"knee pain"}\n'
                    '{"id":"x","v":' + "[" * 100000 + "]" * 100000 + "}\n")
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.ParseError, match="nested deeper than the limit of 100") as info:
            index.add_file(str(deep))
        assert info.value.line == 2
        assert "ok" in index


def test_input_limits_as_keywords(tmp_path):
    wide = tmp_path / "wide.jsonl"
    wide.write_text('{"id":"w","a":1,"b":2,"c":3}\n')
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.ParseError, match=r"more fields than the limit of 3 \(max_fields\)"):
            index.add_file(str(wide), max_fields=3)
        with pytest.raises(askalike.InvalidArgumentError, match="max_line_bytes must be between 1"):
            index.add_file(str(wide), max_line_bytes=0)
        with pytest.raises(askalike.InvalidArgumentError, match="threads must be between 0 and 1024, not -1"):
            index.add_file(str(wide), threads=-1)
        assert index.add_file(str(wide)).added == 1


@pytest.fixture
def small_searcher(tmp_path):
    with askalike.Index(str(tmp_path / "db")) as index:
        index.add({"id": "knee", "title": "Knee pain", "question": "My knee hurts on stairs"})
    with askalike.Searcher(str(tmp_path / "db")) as searcher:
        yield searcher


def test_a_lone_surrogate_is_a_clear_error(small_searcher):
    for call in (lambda: small_searcher.similar("knee \udc80 pain"),
                 lambda: small_searcher.get("\udc80"),
                 lambda: small_searcher.similar("knee", lang="e\udc80n")):
        with pytest.raises(askalike.InvalidArgumentError, match="lone surrogate"):
            call()


@pytest.mark.parametrize("keywords, message", [
    ({"bm25_k1": float("nan")}, "bm25_k1 must be a finite number of at least 0, not nan"),
    ({"bm25_k1": float("inf")}, "bm25_k1 must be a finite number of at least 0, not inf"),
    ({"since": "2007-13-45"}, "since must be a date"),
    ({"offset": -5}, "offset must be between 0 and 10000000, not -5"),
    ({"max_query_terms": -1}, "max_query_terms must be between 1 and 1000, not -1"),
    ({"max_query_bytes": 4}, r"more than the limit of 4 \(max_query_bytes\)"),
])
def test_bad_options_in_the_library_s_words(small_searcher, keywords, message):
    with pytest.raises(askalike.InvalidArgumentError, match=message):
        small_searcher.similar("knee pain", **keywords)


def test_a_guessed_encoding_is_reported(tmp_path):
    lines = "".join('{"id":"g%d","title":"高血压患者能吃党参吗？我有高血压这两天头痛"}\n' % i for i in range(20))
    path = tmp_path / "gb.jsonl"
    path.write_bytes(lines.encode("gb18030"))
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.warns(UserWarning, match="read as GB18030 \\(guessed"):
            assert index.add_file(str(path)).added == 20
        assert index.get("g0")["title"] == "高血压患者能吃党参吗？我有高血压这两天头痛"
    short = tmp_path / "short.jsonl"
    short.write_bytes('{"id":"a","title":"胃痛"}\n'.encode("gb18030"))
    with askalike.Index(str(tmp_path / "db2")) as index:
        with pytest.raises(askalike.InvalidArgumentError, match="cannot tell the encoding"):
            index.add_file(str(short))
        index.add_file(str(short), encoding="GB18030")
        assert index.get("a")["title"] == "胃痛"


# Issue 24, reproducer 11: argument errors in askalike's words, not pybind11's.
@pytest.mark.parametrize("keywords, message", [
    ({"k": 10**30}, "k must be between 1 and 100000, not 1000000000000000000000000000000"),
    ({"offset": 2**63}, "offset must be between 0 and 10000000, not 9223372036854775808"),
    ({"offset": -2**70}, "offset must be between 0 and 10000000, not -1180591620717411303424"),
])
def test_huge_ints_are_out_of_range_not_a_cast_error(small_searcher, keywords, message):
    with pytest.raises(askalike.InvalidArgumentError, match=message):
        small_searcher.similar("knee pain", **keywords)


def test_paths_with_a_lone_surrogate_or_a_nul_are_refused(tmp_path):
    with pytest.raises(askalike.InvalidArgumentError, match="lone surrogate"):
        askalike.Searcher("\ud800")
    with pytest.raises(askalike.InvalidArgumentError, match="lone surrogate"):
        askalike.Index(str(tmp_path / "db\udc80"))
    (tmp_path / "a").mkdir()
    for call in (askalike.Searcher, askalike.Index):
        with pytest.raises(askalike.InvalidArgumentError, match="NUL"):
            call(str(tmp_path / "a\x00b"))  # was: opened (or made) "a"
    assert not any((tmp_path / "a").iterdir())


def test_a_record_s_bad_values_are_named_by_field(tmp_path):
    with askalike.Index(str(tmp_path / "db")) as index:
        with pytest.raises(askalike.InvalidArgumentError, match=r"<record>:1: field id: text with a lone surrogate"):
            index.add({"id": "\ud800"})
        with pytest.raises(askalike.ParseError) as info:
            index.add({"id": "x", "title": "t", "score": float("nan")})
        assert "field 'score': the number nan is not finite" in str(info.value)
        assert "parse_error" not in str(info.value) and "[json" not in str(info.value)
        with pytest.raises(askalike.ParseError, match="field 'meta': the number inf is not finite"):
            index.add({"id": "x", "title": "t", "meta": {"a": [1, float("inf")]}})
        index.add({"id": "x", "title": "t", "score": 1.5})
