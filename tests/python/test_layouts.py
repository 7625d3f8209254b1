"""Issue 23: the Python module takes every layout `-d` takes (a database, a
collection of shards, a stub of one or many lines, local or served by stock
xapian-tcpsrv) and answers the same of the same records."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

import askalike
import pytest

from conftest import RECORDS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def tcpsrv(db):
    """Stock xapian-tcpsrv over `db` on 127.0.0.1, in a session of its own (it
    signals its process group when stopped), always stopped."""
    # The wheel's own tests run with the system's Xapian hidden: no server then.
    if not shutil.which("xapian-tcpsrv"):
        pytest.skip("xapian-tcpsrv (Xapian's own server, package xapian-tools) cannot be run here")
    port = free_port()
    log = db.parent / (db.name + ".tcpsrv.log")
    with open(log, "w") as out:
        try:
            p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), str(db)],
                                 stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as e:
            pytest.skip("xapian-tcpsrv cannot be run here: %s" % e)
    try:
        deadline = time.monotonic() + 20
        while "Listening" not in log.read_text():  # printed once it accepts connections
            assert p.poll() is None and time.monotonic() < deadline, "xapian-tcpsrv did not start: " + log.read_text()
            time.sleep(0.05)
        yield port, p
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=15)


def stats_of(s: askalike.Searcher):
    st = s.stats()
    return (st.documents, st.distinct_terms, st.average_length, st.categories, st.languages, st.analyzer,
            st.ranking, st.spelling)


def test_every_layout_answers_alike(tmp_path):
    one, collection = tmp_path / "one", tmp_path / "collection"
    with askalike.Index(str(one)) as index:
        index.add_many(RECORDS)
    with askalike.Index(str(collection), shards=3) as index:
        index.add_many(RECORDS)
    shards = [collection / ("shard-%d" % i) for i in range(3)]
    with contextlib.ExitStack() as stack:
        ports = [stack.enter_context(tcpsrv(s))[0] for s in shards]
        one_port, _ = stack.enter_context(tcpsrv(one))
        layouts = {"collection": collection}
        for name, text in {
            "one-local-line": "auto %s\n" % one,
            "local-lines": "".join("auto %s\n" % s for s in shards),
            "one-remote-line": "remote 127.0.0.1:%d\n" % one_port,
            "remote-lines": "".join("remote 127.0.0.1:%d\n" % p for p in ports),
        }.items():
            layouts[name] = tmp_path / name
            layouts[name].write_text(text)
        expected = askalike.Searcher(str(one))
        queries = ["twitching eyelid", "migraine headache", "头痛", "what is pnuemonia"]
        for name, path in layouts.items():
            s = askalike.Searcher(path, timeout_ms=5000)
            assert stats_of(s) == stats_of(expected), name
            assert len(s) == len(expected) == len(RECORDS)
            for r in RECORDS:
                assert s.get(r["id"]) == expected.get(r["id"]), name
            for q in queries:
                a, b = expected.similar(q), s.similar(q)
                assert [h.id for h in b] == [h.id for h in a], (name, q)
                assert [h.score for h in b] == pytest.approx([h.score for h in a], rel=1e-9)


def test_a_stopped_shard_is_named(tmp_path):
    collection = tmp_path / "collection"
    with askalike.Index(str(collection), shards=2) as index:
        index.add_many(RECORDS)
    with tcpsrv(collection / "shard-0") as (p0, _), tcpsrv(collection / "shard-1") as (p1, server):
        stub = tmp_path / "remote.stub"
        stub.write_text("remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n" % (p0, p1))
        s = askalike.Searcher(stub, timeout_ms=2000)
        assert s.similar("migraine headache")
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
        with pytest.raises(askalike.UnavailableError, match="remote 127.0.0.1:%d" % p1):
            s.similar("migraine headache")
