"""Bad input gets a JSON error with a clear message and the right status."""

from __future__ import annotations

import socket
import time
import urllib.parse

from conftest import run_cli, serving


def error_of(answer):
    status, body, _ = answer
    assert isinstance(body, dict) and body["error"]["status"] == status, body
    return status, body["error"]["message"]


def test_malformed_json_says_where(service):
    status, message = error_of(service.post("/v1/similar", '{"text": "headache", "k": 5,,}'))
    assert status == 400
    assert "malformed JSON" in message and "line 1, column 29" in message


def test_empty_or_form_body_is_malformed_json(service):
    for body, words in (("", "unexpected end of input"), ("text=fever", "line 1, column 2")):
        status, message = error_of(service.post("/v1/similar", body))
        assert status == 400 and "malformed JSON" in message and words in message, message


def test_unknown_parameter_is_named(service):
    status, message = error_of(service.get("/v1/similar?q=headache&kk=5"))
    assert status == 400 and "unknown parameter 'kk'" in message
    status, message = error_of(service.post("/v1/similar", {"text": "headache", "colour": "red"}))
    assert status == 400 and "unknown parameter 'colour'" in message
    status, message = error_of(service.get("/v1/records/twitch?verbose=1"))
    assert status == 400 and "verbose" in message


def test_wrong_values_are_refused(service):
    for query, words in (("k=0", "at least 1"), ("k=ten", "whole number"), ("k=-3", "whole number"),
                         ("bm25_k1=nan", "finite number"), ("since=yesterday", "YYYY"),
                         ("facets=maybe", "true or false"), ("k=1&k=2", "more than once")):
        status, message = error_of(service.get("/v1/similar?q=headache&" + query))
        assert status == 400 and words in message, (query, message)
    status, message = error_of(service.get("/v1/similar"))
    assert status == 400 and "'q' is required" in message
    status, message = error_of(service.post("/v1/similar", {"text": "   "}))
    assert status == 400 and "'text' is empty" in message
    status, message = error_of(service.post("/v1/similar", ["not", "an", "object"]))
    assert status == 400 and "JSON object" in message


def test_k_above_the_limit(service):
    # The shared service runs with --max-k 50.
    status, message = error_of(service.get("/v1/similar?q=headache&k=51"))
    assert status == 400 and "at most 50" in message and "--max-k" in message
    assert service.get("/v1/similar?q=headache&k=50")[0] == 200


def test_body_above_the_limit_is_413(service):
    # The shared service runs with --max-body-bytes 4096.
    status, message = error_of(service.post("/v1/similar", {"text": "headache " * 1000}))
    assert status == 413 and "4096" in message


def test_deep_nesting_is_refused(service):
    status, message = error_of(service.post("/v1/similar", '{"text": "x", "k": ' + "[" * 500 + "]" * 500 + "}"))
    assert status == 400 and "nested deeper" in message


def test_unknown_route_is_a_json_404(service):
    status, message = error_of(service.get("/v2/similar?q=x"))
    assert status == 404 and "no route" in message


def test_wrong_method_is_405(service):
    status, body, headers = service.request("PUT", "/v1/similar", body=b"{}")
    assert status == 405 and headers["Allow"] == "GET, POST"
    assert "takes GET, POST, not PUT" in body["error"]["message"]
    status, body, headers = service.request("PATCH", "/v1/records/twitch", body=b"{}")
    assert status == 405 and headers["Allow"] == "GET, DELETE"


def test_too_long_request_line_is_refused(service):
    status, message = error_of(service.get("/v1/similar?q=" + urllib.parse.quote("headache " * 2000)))
    assert status == 414 and "POST /v1/similar" in message


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection within `seconds`."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass  # an error answer may come first; then the close
        return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def test_idle_and_slow_clients_are_cut_off(small_db):
    with serving(small_db, "--idle-timeout", "1", "--read-timeout", "1") as s:
        host, port = s.url.removeprefix("http://").split(":")
        # Connects and sends nothing.
        idle = socket.create_connection((host, int(port)), timeout=5)
        start = time.monotonic()
        assert closed_within(idle, 6)
        assert time.monotonic() - start < 5
        idle.close()
        # Starts a request and stalls in the middle of its headers.
        slow = socket.create_connection((host, int(port)), timeout=5)
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        assert closed_within(slow, 6)
        assert time.monotonic() - start < 5
        slow.close()
        # Still serving everyone else.
        assert s.get("/healthz")[0] == 200


def test_timeout_bounds_the_wait_for_a_remote_shard(tmp_path):
    # A shard server that takes the connection (the kernel's backlog does)
    # and never answers: serve gives up after --timeout, not the default 10 s.
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(4)
        stub = tmp_path / "remote.stub"
        stub.write_text("remote 127.0.0.1:%d\n" % hung.getsockname()[1])
        start = time.monotonic()
        r = run_cli("serve", "-d", str(stub), "--listen", "127.0.0.1:0", "--timeout", "500", timeout=60)
        assert r.returncode == 1, r.stderr
        assert "did not answer in time" in r.stderr
        assert time.monotonic() - start < 8
    bad = run_cli("serve", "-d", str(stub), "--timeout", "-1")
    assert bad.returncode == 2
    assert "--timeout must be between 0 and" in bad.stderr
    assert "--timeout" in run_cli("serve", "--help").stdout
