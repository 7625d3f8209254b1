"""Issue 23: `serve` over remote shards (stock xapian-tcpsrv). A shard that is
stopped or hangs makes searches 503 with Retry-After, naming the shard;
/healthz reports each shard and fails while one is down; the connections to
the shards are kept and reused, not opened again at every check."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from conftest import RECORDS, run_cli, serving

DEADLINE = 20  # seconds any wait for a state change may take


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpServer:
    """Stock xapian-tcpsrv over `db` on 127.0.0.1:`port`, in its own session
    (it signals its whole process group when it stops). Its log has a line
    per connection it accepts (each a fork)."""

    def __init__(self, db: Path, port: int, log: Path):
        self.port = port
        self.log = log
        self.process = subprocess.Popen(
            ["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), str(db)],
            stdout=open(log, "a"), stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(200):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            assert self.process.poll() is None, "xapian-tcpsrv exited: " + log.read_text()
            time.sleep(0.05)
        raise AssertionError("xapian-tcpsrv did not listen")

    def connections(self) -> int:
        return self.log.read_text().count("Connection from")

    def pause(self) -> None:  # a hung shard: connections accepted, nothing answered
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGCONT)
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=15)
        self.process.stdout.close() if self.process.stdout else None


@contextlib.contextmanager
def shards(tmp_path: Path, n: int = 2):
    """A collection of `n` shards, each served by its own xapian-tcpsrv, and a
    stub naming them; every server is stopped at the end."""
    collection = tmp_path / "collection"
    r = run_cli("index", "-d", str(collection), "--shards", str(n), str(RECORDS))
    assert r.returncode == 0, r.stderr
    servers = []
    try:
        for i in range(n):
            servers.append(TcpServer(collection / ("shard-%d" % i), free_port(), tmp_path / ("tcpsrv-%d.log" % i)))
        stub = tmp_path / "remote.stub"
        stub.write_text("".join("remote 127.0.0.1:%d\n" % s.port for s in servers))
        yield stub, servers
    finally:
        for s in servers:
            s.stop()


def wait_for(predicate, what: str):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("not within %ds: %s" % (DEADLINE, what))


@contextlib.contextmanager
def serving_shards(tmp_path: Path, *args: str):
    """serve over 2 remote shards, once it has answered a search."""
    with shards(tmp_path) as (stub, servers), serving(stub, *args) as s:
        assert s.get("/v1/similar?q=pneumonia")[0] == 200
        yield s, servers


def failing_health(s):
    """/healthz's body and headers when it fails, else None."""
    status, body, headers = s.get("/healthz")
    return (body, headers) if status == 503 else None


def assert_search_503(s, code: str, shard: str):
    status, body, headers = s.get("/v1/similar?q=pneumonia")
    assert status == 503, body
    assert headers["Retry-After"]
    assert body["error"]["code"] == code
    assert shard in body["error"]["message"]


def test_healthz_reports_each_shard(tmp_path):
    with shards(tmp_path) as (stub, servers), serving(stub, "--reload-interval", "0.1") as s:
        status, body, _ = s.get("/healthz")
        assert status == 200 and body["status"] == "ok"
        assert [x["shard"] for x in body["shards"]] == ["remote 127.0.0.1:%d" % t.port for t in servers]
        assert all(x["status"] == "ok" for x in body["shards"])
        assert sum(x["documents"] for x in body["shards"]) == body["documents"] > 0


def test_a_stopped_shard_is_503_named_and_healthz_fails_until_it_is_back(tmp_path):
    with serving_shards(tmp_path, "--reload-interval", "0.1", "--timeout", "2000") as (s, servers):
        down = servers[1]
        name = "remote 127.0.0.1:%d" % down.port
        down.stop()

        body, headers = wait_for(lambda: failing_health(s), "/healthz fails with a shard stopped")
        assert body["status"] == "unavailable" and headers["Retry-After"]
        assert body["shards"][0]["status"] == "ok"
        assert body["shards"][1]["shard"] == name
        assert body["shards"][1]["status"] == "shard_unavailable"
        assert name in body["shards"][1]["error"]
        assert_search_503(s, "shard_unavailable", name)

        # The same server back on the same port: searches work again.
        servers[1] = TcpServer(down.log.parent / "collection" / "shard-1", down.port, down.log)
        wait_for(lambda: s.get("/healthz")[0] == 200, "/healthz ok with the shard back")
        wait_for(lambda: s.get("/v1/similar?q=pneumonia")[0] == 200, "searches work with the shard back")


def test_a_hung_shard_is_503_timeout_named(tmp_path):
    with serving_shards(tmp_path, "--reload-interval", "0.2", "--timeout", "1000") as (s, servers):
        hung = servers[0]
        name = "remote 127.0.0.1:%d" % hung.port
        hung.pause()
        try:
            start = time.monotonic()
            assert_search_503(s, "shard_timeout", name)
            assert time.monotonic() - start < 10
            body, _ = wait_for(lambda: failing_health(s), "/healthz fails with a shard hung")
            assert body["shards"][0]["shard"] == name
            assert body["shards"][0]["status"] == "shard_timeout"
            assert body["shards"][1]["status"] == "ok"
        finally:
            hung.resume()
        wait_for(lambda: s.get("/healthz")[0] == 200, "/healthz ok with the shard answering again")
        wait_for(lambda: s.get("/v1/similar?q=pneumonia")[0] == 200, "searches work again")


def test_serve_keeps_its_connections_to_the_shards(tmp_path):
    # A check 10 times a second: before issue 23, each opened new connections.
    with serving_shards(tmp_path, "--reload-interval", "0.1") as (s, servers):
        before = [t.connections() for t in servers]
        time.sleep(2)  # idle: 20 checks
        for _ in range(50):  # under load, one client after another
            assert s.get("/v1/similar?q=pneumonia")[0] == 200
        after = [t.connections() for t in servers]
        assert after == before, (before, after)
        assert all(n <= 3 for n in before), before  # the checker's and the searcher's
