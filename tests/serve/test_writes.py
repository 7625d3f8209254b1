"""Writes: only with the configured token, committed before the answer."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS as CORPUS_FILE, RECORDS, TOKEN, cli, index, run_cli, serving

NEW = {"id": "new-1", "title": "Hiccups that last for days", "question": "I have had hiccups for three days.",
       "answer": "Hiccups lasting more than two days need a doctor.", "category": "Gastroenterology"}
AUTH = {"Authorization": "Bearer " + TOKEN}


def test_writes_are_refused_without_a_configured_token(small_db):
    with serving(small_db) as s:
        for headers in ({}, AUTH):
            status, body, _ = s.post("/v1/records", NEW, headers=headers)
            assert status == 403 and "--write-token-file" in body["error"]["message"]
            status, body, _ = s.request("DELETE", "/v1/records/twitch", headers=headers)
            assert status == 403
        assert s.get("/v1/records/new-1")[0] == 404
        assert s.get("/v1/records/twitch")[0] == 200


def test_the_readme_s_token_file_recipe_enables_writes(small_db, tmp_path):
    """The README's command that makes a token file (issue 25), run as written."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    recipe = next(line for line in readme.splitlines() if "> token.txt" in line and "urandom" in line)
    subprocess.run(["sh", "-c", recipe], cwd=tmp_path, check=True)
    token_path = tmp_path / "token.txt"
    assert token_path.stat().st_mode & 0o077 == 0  # readable by its owner alone
    token = token_path.read_text().strip()
    with serving(small_db, "--write-token-file", str(token_path)) as s:
        status, body, _ = s.post("/v1/records", NEW, headers={"Authorization": "Bearer " + token})
        assert status == 200 and body["ids"] == ["new-1"]


def test_writes_need_the_right_token(small_db, token_file):
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789abcd"},
                        {"Authorization": "Bearer " + TOKEN[:-1]}, {"Authorization": "Bearer " + TOKEN + "x"},
                        {"Authorization": TOKEN}, {"Authorization": "Basic " + TOKEN}):
            status, body, _ = s.post("/v1/records", NEW, headers=headers)
            assert status == 403, headers
            assert "Authorization: Bearer" in body["error"]["message"]
            assert s.request("DELETE", "/v1/records/twitch", headers=headers)[0] == 403
        assert s.get("/v1/records/new-1")[0] == 404


def test_a_write_is_committed_before_the_answer(small_db, token_file):
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        status, body, _ = s.post("/v1/records", NEW, headers={"Authorization": "bearer " + TOKEN})
        assert status == 200 and body["added"] == 1 and body["replaced"] == 0 and body["ids"] == ["new-1"]
        # Seen by the very next request...
        status, got, _ = s.get("/v1/records/new-1")
        assert status == 200 and got["record"]["title"] == NEW["title"]
        hits = s.get("/v1/similar?q=hiccups+for+days")[1]["hits"]
        assert hits[0]["id"] == "new-1"
        # ... and on disk, by another process, while the service still runs.
        export = run_cli("export", "-d", str(small_db))
        assert export.returncode == 0, export.stderr
        assert "new-1" in [json.loads(line)["id"] for line in export.stdout.splitlines()]

        # JSON Lines: an upsert of an existing id and a new one.
        lines = json.dumps(dict(NEW, title="Hiccups for a week")) + "\n" + json.dumps({"id": "new-2", "title": "Sore knee"}) + "\n"
        status, body, _ = s.post("/v1/records", lines, headers=dict(AUTH, **{"Content-Type": "application/x-ndjson"}))
        assert status == 200 and body["added"] == 1 and body["replaced"] == 1
        assert s.get("/v1/records/new-1")[1]["record"]["title"] == "Hiccups for a week"

        status, body, _ = s.request("DELETE", "/v1/records/new-2", headers=AUTH)
        assert status == 200 and body["deleted"] == "new-2"
        assert s.get("/v1/records/new-2")[0] == 404
        assert s.request("DELETE", "/v1/records/new-2", headers=AUTH)[0] == 404


def test_a_bad_record_writes_nothing_and_names_its_line(small_db, token_file):
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        before = s.get("/healthz")[1]
        body = json.dumps({"id": "ok-1", "title": "fine"}) + "\n" + json.dumps({"title": "no id"}) + "\n"
        status, answer, _ = s.post("/v1/records", body, headers=AUTH)
        assert status == 400 and "line 2" in answer["error"]["message"] and "id" in answer["error"]["message"]
        status, answer, _ = s.post("/v1/records", '{"id": "ok-2"}\n{"id": "x",\n', headers=AUTH)
        assert status == 400 and "line 2" in answer["error"]["message"]
        assert s.get("/v1/records/ok-1")[0] == 404
        assert s.get("/healthz")[1] == before


def test_a_writer_held_by_another_process_gives_503(small_db, token_file):
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        # `askalike index -` holds the writer while it waits for its input.
        holder = subprocess.Popen([cli(), "index", "-d", str(small_db), "-"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1)  # it opens the database at once, then waits for its input
            assert holder.poll() is None, holder.stderr.read()
            status, body, headers = s.post("/v1/records", NEW, headers=AUTH)
            assert status == 503, body
            assert body["error"]["code"] == "database_locked" and headers["Retry-After"] == "1"
            assert s.get("/healthz")[0] == 200  # reading goes on
        finally:
            holder.stdin.write(json.dumps({"id": "from-import", "title": "Imported while serving"}) + "\n")
            holder.stdin.close()
            assert holder.wait(timeout=60) == 0, holder.stderr.read()
            holder.stderr.close()
        status, body, _ = s.post("/v1/records", dict(NEW, id="after"), headers=AUTH)
        assert status == 200
        assert s.get("/v1/records/from-import")[0] == 200


def _holder(db):
    """`askalike index -` holds the writer while it waits for its input."""
    holder = subprocess.Popen([cli(), "index", "-d", str(db), "-"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    assert holder.poll() is None, holder.stderr.read()
    return holder


def _release(holder):
    holder.stdin.close()
    assert holder.wait(timeout=60) == 0, holder.stderr.read()
    holder.stderr.close()


def test_a_locked_database_names_the_wait_option_and_waits_as_long_as_told(small_db, tmp_path):
    # Issue 24, reproducer 9: there was no way to wait for the lock.
    load = tmp_path / "load.jsonl"
    load.write_text(json.dumps(NEW) + "\n")
    holder = _holder(small_db)
    try:
        r = run_cli("index", "-d", str(small_db), str(load))
        assert r.returncode != 0 and "locked" in r.stderr and "--wait-lock SECONDS" in r.stderr, r.stderr
        start = time.monotonic()
        r = run_cli("index", "-d", str(small_db), "--wait-lock", "1.5", str(load))
        waited = time.monotonic() - start
        assert r.returncode != 0 and "still locked by another writer after waiting 1.5 s" in r.stderr, r.stderr
        assert 1.4 < waited < 10, waited
        # The lock released while it waits: it goes on.
        waiter = subprocess.Popen([cli(), "index", "-d", str(small_db), "--wait-lock", "30", str(load)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        assert waiter.poll() is None
    finally:
        _release(holder)
    assert waiter.wait(timeout=60) == 0, waiter.stderr.read()
    waiter.stderr.close()
    assert run_cli("index", "-d", str(small_db), "--wait-lock", "-1", str(load)).returncode == 2


def test_a_waiting_load_gets_the_lock_between_continuous_service_writes(small_db, token_file, tmp_path):
    # Issue 24, reproducer 9: with service writes arriving continuously,
    # `askalike index` failed 5 of 5 times with "locked".
    load = tmp_path / "load.jsonl"
    with open(CORPUS_FILE, encoding="utf-8") as f:
        lines = [line for _, line in zip(range(300), f)]
    load.write_text("".join(lines))
    loaded = [json.loads(line)["id"] for line in lines]
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        stop = threading.Event()
        statuses: list[int] = []

        def write_continuously():
            i = 0
            while not stop.is_set():
                status, body, _ = s.post("/v1/records", dict(NEW, id="svc-%d" % i), headers=AUTH)
                assert status in (200, 503), body  # 503: the load holds the lock
                statuses.append(status)
                i += 1

        writer = threading.Thread(target=write_continuously)
        writer.start()
        try:
            time.sleep(1)
            before = len(statuses)
            assert before >= 5 and all(st == 200 for st in statuses)
            for _ in range(3):
                r = run_cli("index", "-d", str(small_db), "--wait-lock", "30", str(load), timeout=120)
                assert r.returncode == 0, r.stderr
            time.sleep(1.5)
            after = len(statuses)
            time.sleep(1)
        finally:
            stop.set()
            writer.join(timeout=60)
        # The service's writes went on once the load was done.
        assert statuses[after:] and all(st == 200 for st in statuses[after:]), statuses[after:]
        for record_id in (loaded[0], loaded[-1], "svc-%d" % (len(statuses) - 1)):
            assert s.get("/v1/records/" + record_id)[0] == 200, record_id


@contextlib.contextmanager
def small_disk(where: Path, size: str):
    """A tmpfs of `size` at `where` (root only: skipped elsewhere)."""
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", str(where)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs to fill (needs root): " + r.stderr.strip())
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def test_a_write_on_a_full_disk_is_503_with_a_hint_and_leaves_nothing(tmp_path, token_file):
    # Issue 24, reproducer 10: 503 with Xapian's text alone, and v.tmp left behind.
    with small_disk(tmp_path / "disk", "4m") as disk:
        db = disk / "db"
        index(db, RECORDS)
        with serving(db, "--write-token-file", str(token_file)) as s:
            filler = disk / "filler"
            with open(filler, "wb") as f:
                with contextlib.suppress(OSError):
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
            status, body, _ = s.post("/v1/records", NEW, headers=AUTH)
            assert status == 503, body
            message = body["error"]["message"]
            assert "No space left on device" in message and "the disk is full" in message, message
            assert "make room and try again" in message, message
            assert not (db / "v.tmp").exists()
            assert s.get("/v1/records/" + NEW["id"])[0] == 404
            filler.unlink()
            status, body, _ = s.post("/v1/records", NEW, headers=AUTH)
            assert status == 200, body
            assert s.get("/v1/records/" + NEW["id"])[0] == 200
        r = run_cli("check", "-d", str(db))
        assert r.returncode == 0, r.stdout + r.stderr
