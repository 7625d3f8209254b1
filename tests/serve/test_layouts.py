"""Issue 23: `check` and `serve` take every layout `-d` takes: a stub of one
`remote` line served by stock xapian-tcpsrv, and a collection of shards
(`check` names the shard that is damaged)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from conftest import RECORDS, index, run_cli, serving


@contextlib.contextmanager
def tcpsrv(db: Path):
    """Stock xapian-tcpsrv over `db` on 127.0.0.1 at a free port, always stopped."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), str(db)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            assert p.poll() is None, "xapian-tcpsrv exited"
            time.sleep(0.1)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=15)


def test_check_and_serve_take_a_stub_of_one_remote_line(tmp_path):
    db = tmp_path / "one.db"
    index(db, RECORDS)
    with tcpsrv(db) as port:
        stub = tmp_path / "remote.stub"
        stub.write_text("remote 127.0.0.1:%d\n" % port)
        r = run_cli("check", "-d", str(stub), timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout == "%s: sound\n" % stub
        with serving(stub) as s:
            status, body, _ = s.get("/healthz")
            assert status == 200
            assert body["status"] == "ok" and body["documents"] > 0
            assert body["revision"] == 0  # a remote database tells no revision
            status, body, _ = s.get("/v1/similar?q=pnuemonia")
            assert status == 200


def test_check_of_a_collection_checks_every_shard_and_names_the_damaged_one(tmp_path):
    db = tmp_path / "sharded"
    r = run_cli("index", "-d", str(db), "--shards", "2", str(RECORDS))
    assert r.returncode == 0, r.stderr
    r = run_cli("check", "-d", str(db))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "%s: sound\n" % db
    postlist = db / "shard-1" / "postlist.glass"
    with open(postlist, "r+b") as f:
        f.truncate(postlist.stat().st_size // 2)
    r = run_cli("check", "-d", str(db))
    assert r.returncode == 1
    assert r.stdout.startswith("%s: damaged" % db)
    assert "shard-1" in r.stdout and "shard-0" not in r.stdout
    assert "does not contain a Xapian database" not in r.stdout + r.stderr
