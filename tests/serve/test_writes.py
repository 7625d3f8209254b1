"""Writes: only with the configured token, committed before the answer."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from conftest import TOKEN, cli, run_cli, serving

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
