"""Clients that are large, framed oddly or merely unusual (issue 24): the
service answers them within its limits and keeps serving everyone else."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import socket
import time
import urllib.parse

from conftest import TOKEN, cli, run_cli, serving


def connect(service) -> socket.socket:
    host, port = service.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def answer_within(sock: socket.socket, seconds: float) -> bytes:
    """What the server sends within `seconds` (until it closes or goes quiet)."""
    sock.settimeout(seconds)
    data = b""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:") and len(rest) >= int(line.split(b":")[1]):
                        return data
    except (socket.timeout, TimeoutError, ConnectionResetError):
        pass
    return data


def status_of(raw: bytes) -> int:
    assert raw.startswith(b"HTTP/1.1 "), raw[:200]
    return int(raw[9:12])


def body_of(raw: bytes):
    return json.loads(raw.partition(b"\r\n\r\n")[2])


# --- 1. Bodies however framed

def test_chunked_body_is_cut_at_the_limit(service):
    # The shared service runs with --max-body-bytes 4096: one chunk of 8 KB,
    # never finished, gets a 413 at once, not a wait for the rest.
    with connect(service) as sock:
        sock.sendall(b"POST /v1/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n2000\r\n" + b"a" * 0x2000 + b"\r\n")
        raw = answer_within(sock, 3)
        assert status_of(raw) == 413
        assert "4096" in body_of(raw)["error"]["message"]
        assert b"Connection: close" in raw
    assert service.get("/healthz")[0] == 200


def test_chunked_body_within_the_limit_is_read(service):
    body = json.dumps({"text": "headache", "k": 2}).encode()
    with connect(service) as sock:
        sock.sendall(b"POST /v1/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        raw = answer_within(sock, 10)
        assert status_of(raw) == 200 and len(body_of(raw)["hits"]) == 2


def test_chunked_body_on_a_route_without_body_is_refused(service):
    with connect(service) as sock:
        sock.sendall(b"GET /v1/similar?q=headache HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"2000\r\n" + b"a" * 0x2000)
        raw = answer_within(sock, 3)
        assert status_of(raw) == 413 and "no request body" in body_of(raw)["error"]["message"]


def test_write_without_token_is_refused_before_the_body(small_db, token_file):
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        for framing in (b"Content-Length: 3000000\r\n", b"Transfer-Encoding: chunked\r\n"):
            with connect(s) as sock:
                sock.sendall(b"POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                             framing + b"\r\n")
                raw = answer_within(sock, 3)
                assert status_of(raw) == 403, framing


def test_expect_continue_is_refused_before_the_body(small_db, token_file):
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        with connect(s) as sock:
            sock.sendall(b"POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 3000000\r\nExpect: 100-continue\r\n\r\n")
            assert status_of(answer_within(sock, 3)) == 403


def test_jsonl_without_json_content_type_is_written(small_db, token_file):
    # The README's `curl --data-binary @new.jsonl` sends
    # application/x-www-form-urlencoded: the body is still the records.
    lines = "".join(json.dumps({"id": "form-%d" % i, "question": "Is form %d ok? " % i + "word " * 20}) + "\n"
                    for i in range(60))
    assert len(lines) > 8192
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        status, body, _ = s.request("POST", "/v1/records", body=lines.encode(), headers={
            "Authorization": "Bearer " + TOKEN, "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and body["added"] == 60, body
        assert s.get("/v1/records/form-59")[0] == 200


def test_unknown_transfer_encoding_is_refused(service):
    with connect(service) as sock:
        sock.sendall(b"POST /v1/similar HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        assert status_of(answer_within(sock, 3)) == 501


# --- 2. Ranges

def test_ranges_are_ignored(service):
    ranges = "bytes=" + ",".join(["0-"] * 50)
    status, body, headers = service.get("/v1/similar?q=headache&k=2", headers={"Range": ranges})
    assert status == 200 and len(body["hits"]) == 2 and "Content-Range" not in headers
    status, text, headers = service.get("/static/app.js", headers={"Range": ranges})
    assert status == 200 and "multipart" not in headers["Content-Type"]
    whole = service.get("/static/app.js")[1]
    assert text == whole
    status, text, headers = service.get("/static/app.js", headers={"Range": "bytes=0-9"})
    assert status == 200 and text == whole


# --- 3. Valid requests, right answers

def test_out_of_range_numbers_name_the_field(service, small_db, token_file):
    for body, field in (('{"text": "headache", "min_score": 1e999}', "min_score"),
                        ('{"text": "headache", "k": -1e400}', "k"),
                        ('{"text": "headache", "bm25_k1": 1e999}', "bm25_k1")):
        status, answer, _ = service.post("/v1/similar", body)
        assert status == 400, answer
        message = answer["error"]["message"]
        assert field in message and "json.exception" not in message, message
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        status, answer, _ = s.post("/v1/records", '{"id": "x", "question": "q?", "weight": 1e999}',
                                   headers={"Authorization": "Bearer " + TOKEN})
        assert status == 400 and "weight" in answer["error"]["message"], answer


def test_odd_ids_round_trip(small_db, token_file):
    auth = {"Authorization": "Bearer " + TOKEN}
    ids = ["ends/similar", "two\nlines", "a/b"]
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        records = "".join(json.dumps({"id": i, "question": "What is odd id %d?" % n}) + "\n" for n, i in enumerate(ids))
        assert s.post("/v1/records", records, headers=auth)[0] == 200
        for i in ids:
            path = "/v1/records/" + urllib.parse.quote(i, safe="")
            status, body, _ = s.get(path)
            assert status == 200 and body["record"]["id"] == i, (i, body)
            status, body, _ = s.get(path + "/similar?k=1")
            assert status == 200 and "hits" in body, (i, body)
            status, body, _ = s.request("DELETE", path, headers=auth)
            assert status == 200 and body["deleted"] == i, (i, body)
            assert s.get(path)[0] == 404


# --- 4. Forged highlights


def test_markers_in_text_are_not_highlights(small_db, token_file):
    auth = {"Authorization": "Bearer " + TOKEN}
    record = {"id": "forged", "question": "\u0001forged\u0002 is this zebrafish question?"}
    with serving(small_db, "--write-token-file", str(token_file)) as s:
        assert s.post("/v1/records", record, headers=auth)[0] == 200
        status, body, _ = s.post("/v1/similar", {"text": "zebrafish", "k": 1})
        assert status == 200 and body["hits"][0]["id"] == "forged"
        parts = body["hits"][0]["question_snippet"]
        assert [p["text"] for p in parts if p["highlight"]] == ["zebrafish"], parts
        assert "forged" in "".join(p["text"] for p in parts)


# --- 5. A database moved into place

def test_database_moved_into_place_is_seen(tmp_path):
    # Both built by one `index` run: the same revision and record count.
    old, new = tmp_path / "served.db", tmp_path / "new.db"
    records = [{"id": "swap-%d" % i, "question": "Is swap question %d old?" % i} for i in range(3)]
    (tmp_path / "old.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    for r in records:
        r["question"] = r["question"].replace("old", "new")
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run_cli("index", "-d", str(old), str(tmp_path / "old.jsonl")).returncode == 0
    assert run_cli("index", "-d", str(new), str(tmp_path / "new.jsonl")).returncode == 0
    with serving(old, "--reload-interval", "0.05") as s:
        assert "old" in s.get("/v1/records/swap-1")[1]["record"]["question"]
        (tmp_path / "served.db").rename(tmp_path / "retired.db")
        new.rename(tmp_path / "served.db")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "old" in s.get("/v1/records/swap-1")[1]["record"]["question"]:
            time.sleep(0.05)
        assert "new" in s.get("/v1/records/swap-1")[1]["record"]["question"]
        assert "askalike_reloads_total 1" in s.get("/metrics")[1]


def test_failed_compact_leaves_no_directory(tmp_path):
    # A file size limit stands in for a full disk: the copy fails half-way.
    db = tmp_path / "big.db"
    lines = "".join(json.dumps({"id": "r%d" % i, "question": "Question %d about %s?" % (i, "words " * 30)}) + "\n"
                    for i in range(3000))
    (tmp_path / "big.jsonl").write_text(lines)
    assert run_cli("index", "-d", str(db), str(tmp_path / "big.jsonl")).returncode == 0

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    for command in ("compact", "reindex"):
        dest = tmp_path / (command + ".db")
        r = subprocess.run([cli(), command, "-d", str(db), str(dest)], capture_output=True, text=True,
                           timeout=120, preexec_fn=small_files)
        assert r.returncode != 0, r.stdout
        assert not dest.exists(), command
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(dest.name)] == []
        # The rerun, with room, works.
        assert run_cli(command, "-d", str(db), str(dest)).returncode == 0
        assert run_cli("similar", "-d", str(dest), "question about words").returncode == 0


# --- 6. Slow and many clients

def send_slowly(sock: socket.socket, data: bytes, seconds: float, gap: float = 0.2) -> bool:
    """Sends `data` a byte every `gap` for up to `seconds`; False when the server hung up."""
    deadline = time.monotonic() + seconds
    for byte in data:
        if time.monotonic() > deadline:
            break
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return False
        time.sleep(gap)
    return True


def test_a_steady_trickle_does_not_hold_a_request_open(small_db):
    # A byte every 0.2 s never trips the 5 s read timeout; the request
    # timeout ends it.
    with serving(small_db, "--request-timeout", "1", "--read-timeout", "5") as s:
        with connect(s) as sock:
            start = time.monotonic()
            sent_all = send_slowly(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: 1\r\n" * 20, 6)
            raw = answer_within(sock, 3)
            assert time.monotonic() - start < 4, "held open %.1f s" % (time.monotonic() - start)
            assert not sent_all or raw == b"" or status_of(raw) == 408
            if raw:
                assert status_of(raw) == 408


def test_too_many_header_fields_are_refused(service):
    with connect(service) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-F%d: 1\r\n" % i for i in range(150)) +
                     b"\r\n")
        assert status_of(answer_within(sock, 3)) == 431
    with connect(service) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-F%d: 1\r\n" % i for i in range(90)) +
                     b"\r\n")
        assert status_of(answer_within(sock, 3)) == 200


def test_connections_beyond_the_cap_are_refused_at_once(small_db):
    with serving(small_db, "--threads", "2", "--max-connections", "3", "--idle-timeout", "5") as s:
        held = [connect(s) for _ in range(3)]
        time.sleep(0.3)
        with connect(s) as extra:
            start = time.monotonic()
            raw = answer_within(extra, 3)
            assert status_of(raw) == 503 and time.monotonic() - start < 1
            assert body_of(raw)["error"]["code"] == "too_many_connections"
        for sock in held:
            sock.close()
        time.sleep(0.3)
        assert s.get("/healthz")[0] == 200


def test_searches_go_on_beside_slow_and_idle_clients(small_db):
    # Ten times more slow heads and idle kept-alive connections than
    # threads, none cut off yet (10 s request and idle timeouts): they hold
    # no thread, so a search is answered at once.
    with serving(small_db, "--threads", "2", "--request-timeout", "10", "--idle-timeout", "10") as s:
        slow = [connect(s) for _ in range(20)]
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        idle = [connect(s) for _ in range(20)]
        for sock in idle:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status_of(answer_within(sock, 5)) == 200
        for _ in range(3):
            start = time.monotonic()
            status, body, _ = s.get("/v1/similar?q=twitching&k=1", timeout=10)
            assert status == 200 and body["hits"], body
            assert time.monotonic() - start < 2
        # The kept-alive connections still serve their next request.
        for sock in idle[:3]:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status_of(answer_within(sock, 5)) == 200
        for sock in slow + idle:
            sock.close()


def test_pipelined_requests_are_each_answered(service):
    with connect(service) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        data = b""
        deadline = time.monotonic() + 5
        while data.count(b"HTTP/1.1 200") < 3 and time.monotonic() < deadline:
            sock.settimeout(5)
            data += sock.recv(65536)
        assert data.count(b"HTTP/1.1 200") == 3


def test_a_request_then_half_close_is_answered(service):
    # `nc -N` and the like send the request, then shut their side down.
    with connect(service) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        assert status_of(answer_within(sock, 5)) == 200


def test_token_files_that_are_odd_are_refused_or_read_as_meant(small_db, tmp_path):
    # Issue 24, reproducer 11: a directory said "at least 16 characters (it
    # has 0)"; a byte-order mark or a NUL stayed part of the token.
    serve = ("serve", "-d", str(small_db), "--listen", "127.0.0.1:0", "--write-token-file")
    r = run_cli(*serve, str(tmp_path), timeout=30)
    assert r.returncode != 0 and "is a directory, not a write token file" in r.stderr, r.stderr
    nul = tmp_path / "nul-token"
    nul.write_bytes(TOKEN.encode() + b"\0extra\n")
    r = run_cli(*serve, str(nul), timeout=30)
    assert r.returncode == 2 and "holds a NUL byte at byte %d" % (len(TOKEN) + 1) in r.stderr, r.stderr
    bom = tmp_path / "bom-token"
    bom.write_bytes(b"\xef\xbb\xbf" + TOKEN.encode() + b"\r\n")
    with serving(small_db, "--write-token-file", str(bom)) as s:
        status, body, _ = s.post("/v1/records", {"id": "bom", "title": "Written with the token"},
                                 headers={"Authorization": "Bearer " + TOKEN})
        assert status == 200, body


def test_indexing_large_records_keeps_memory_bounded(tmp_path):
    # Issue 24, reproducer 12: 12 records of 8 MB peaked at 1.26 GB; one 4 MB
    # answer was analysed whole (about 160 MB of tokens at once).
    import random
    rng = random.Random(1)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(20000)]
    big = tmp_path / "big.jsonl"
    with open(big, "w", encoding="utf-8") as f:
        for i in range(3):
            answer = " ".join(rng.choice(words) for _ in range(650000))[:4000000]
            f.write(json.dumps({"id": "big-%d" % i, "title": "Big record %d" % i, "answer": answer}) + "\n")
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.stderr)\n")
    r = subprocess.run(["python3", "-c", probe, cli(), "index", "-q", "-d", str(tmp_path / "db"), str(big)],
                       capture_output=True, text=True, timeout=600)
    code, peak_kb, stderr = r.stdout.split(" ", 2)
    assert code == "0", stderr
    # Under AddressSanitizer (tools/check-sanitizers.sh sets ASAN_OPTIONS) the
    # resident size holds its shadow memory and quarantine, not the program's.
    if not os.environ.get("ASAN_OPTIONS"):
        assert int(peak_kb) < 150 * 1024, "peak RSS %d MB" % (int(peak_kb) // 1024)
    assert run_cli("similar", "-d", str(tmp_path / "db"), words[5], "-k", "3").returncode == 0
