"""Live data: commits by another process show without a restart, and no
request fails while they happen."""

from __future__ import annotations

import json
import threading
import time

from conftest import run_cli, serving


def wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_commit_by_another_process_is_seen_without_a_restart(small_db, tmp_path):
    with serving(small_db, "--reload-interval", "0.2") as s:
        before = s.get("/healthz")[1]
        assert s.get("/v1/records/hiccups")[0] == 404
        extra = tmp_path / "extra.jsonl"
        extra.write_text(json.dumps({"id": "hiccups", "title": "Hiccups for three days",
                                     "question": "My hiccups will not stop.", "category": "Gastroenterology"}) + "\n")
        r = run_cli("index", "-d", str(small_db), str(extra))
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: s.get("/v1/records/hiccups")[0] == 200)
        assert s.get("/v1/similar?q=hiccups+will+not+stop")[1]["hits"][0]["id"] == "hiccups"
        after = s.get("/healthz")[1]
        assert after["documents"] == before["documents"] + 1 and after["revision"] > before["revision"]
        r = run_cli("remove", "-d", str(small_db), "hiccups")
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: s.get("/v1/records/hiccups")[0] == 404)
        metrics = s.get("/metrics")[1]
        assert "askalike_reloads_total 2" in metrics


def test_no_request_fails_while_another_process_commits(corpus_db, tmp_path):
    # A copy: this test commits to it.
    db = tmp_path / "live.db"
    r = run_cli("export", "-d", str(corpus_db))
    assert r.returncode == 0
    (tmp_path / "all.jsonl").write_text(r.stdout)
    assert run_cli("index", "-d", str(db), str(tmp_path / "all.jsonl")).returncode == 0
    with serving(db, "--reload-interval", "0.05") as s:
        failures, answered = [], [0]
        stop = threading.Event()

        def reader(n):
            questions = ["high blood pressure headache", "diabetes diet sugar", "my child has a fever",
                         "twitching eyelid"]
            i = 0
            while not stop.is_set():
                q = questions[(n + i) % len(questions)]
                i += 1
                for path in ("/v1/similar?k=20&q=" + q.replace(" ", "+"), "/v1/records/twitch", "/v1/stats"):
                    status, body, _ = s.get(path)
                    answered[0] += 1
                    if status != 200:
                        failures.append((path, status, body))

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            # Ten commits that rewrite a good share of the index each time.
            for round in range(10):
                batch = tmp_path / ("batch%d.jsonl" % round)
                with batch.open("w") as out:
                    for i in range(300):
                        out.write(json.dumps({"id": "live-%d" % i, "title": "round %d record %d" % (round, i),
                                              "question": "blood pressure diabetes fever twitching round %d" % round}) + "\n")
                r = run_cli("index", "-d", str(db), "--batch-size", "50", str(batch))
                assert r.returncode == 0, r.stderr
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert not failures, failures[:3]
        assert answered[0] > 50
        assert wait_for(lambda: s.get("/v1/records/live-299")[1]["record"]["title"] == "round 9 record 299")
