"""Fixtures for the askalike serve tests: the built program serving a real
database on 127.0.0.1 at a free port, always stopped at the end.

ctest runs these with ASKALIKE_CLI set to the built program (see
CMakeLists.txt here); by hand:
ASKALIKE_CLI=build/tools/askalike python3 -m pytest tests/serve
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE.parent.parent
CORPUS = SOURCE_DIR / "corpus" / "medquad-sample.jsonl"
RECORDS = HERE / "records.jsonl"
TOKEN = "test-token-0123456789abcdef"
START_TIMEOUT = 30  # seconds for the service to print its address


def cli() -> str:
    path = os.environ.get("ASKALIKE_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set ASKALIKE_CLI to the built askalike program (ctest does)")
    return path


def run_cli(*args: str, input: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([cli(), *args], input=input, capture_output=True, text=True, timeout=timeout)


def index(db: Path, *files: str | Path) -> None:
    r = run_cli("index", "-d", str(db), *map(str, files))
    assert r.returncode == 0, r.stderr


class Service:
    """A running `askalike serve`; `url` is its base address."""

    def __init__(self, db: Path, *args: str):
        self.process = subprocess.Popen(
            [cli(), "serve", "-d", str(db), "--listen", "127.0.0.1:0", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.url = self._read_address()

    def _read_address(self) -> str:
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(START_TIMEOUT):
            self.stop()
            pytest.fail("askalike serve printed no address within %ds" % START_TIMEOUT)
        line = self.process.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
        if not match:
            self.stop()
            pytest.fail("askalike serve did not start: %r %r" % (line, self.process.stderr.read()))
        return match.group(1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()
        return self.process.returncode

    # --- HTTP, answers as (status, JSON body or text, headers)
    def request(self, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, raw, hdrs = response.status, response.read(), response.headers
        except urllib.error.HTTPError as e:
            status, raw, hdrs = e.code, e.read(), e.headers
        text = raw.decode("utf-8")
        if hdrs.get_content_type() == "application/json":
            return status, json.loads(text), hdrs
        return status, text, hdrs

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, value, **kw):
        body = value if isinstance(value, (str, bytes)) else json.dumps(value)
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        return self.request("POST", path, body=body, headers=headers, **kw)


@contextlib.contextmanager
def serving(db: Path, *args: str):
    service = Service(db, *args)
    try:
        yield service
    finally:
        code = service.stop()
        assert code == 0, "askalike serve ended with %s" % code


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """The bundled MedQuAD sample plus the test records; read-only."""
    db = tmp_path_factory.mktemp("serve") / "corpus.db"
    index(db, CORPUS, RECORDS)
    return db


@pytest.fixture(scope="session")
def service(corpus_db):
    """One read-only service shared by the tests that only read."""
    with serving(corpus_db, "--max-k", "50", "--max-body-bytes", "4096") as s:
        yield s


@pytest.fixture
def small_db(tmp_path) -> Path:
    """A fresh database of the test records, for tests that change it."""
    db = tmp_path / "small.db"
    index(db, RECORDS)
    return db


@pytest.fixture
def token_file(tmp_path) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    return path
