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
