#!/usr/bin/env python3
"""Normal searches beside hostile clients (issue 24), on 127.0.0.1 only.

    benchmarks/serve/hostile.py build/tools/askalike DB [--slow 200] [--chunked-mb 500] [--seconds 40]

Starts `askalike serve` (defaults but --max-body-bytes), then holds --slow
connections that each send a header byte a second, and streams a chunked
body of --chunked-mb MB to /v1/similar, while 6 searches run one after the
other (each may wait 30 s). Prints how many searches were answered and how
fast, how much of the chunked body the service took, and its peak RSS."""

import argparse
import re
import socket
import subprocess
import threading
import time
import urllib.request


def hold_hostile_clients(address, slow: int, chunked_mb: int, stop: threading.Event,
                         byte_every: float = 1.0) -> list:
    """Starts `slow` connections that each send a header byte every
    `byte_every` seconds (reconnecting when cut) and one chunked upload of
    `chunked_mb` MB to /v1/similar, until `stop` is set. Returns a list whose
    first item counts the bytes of the upload sent."""

    def slow_client() -> None:
        while not stop.is_set():
            try:
                with socket.create_connection(address, timeout=5) as s:
                    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: 1\r\n" * 1000:
                        if stop.wait(byte_every):
                            return
                        s.sendall(bytes([byte]))
            except OSError:
                stop.wait(0.5)  # cut off: come back, as an attacker would

    taken = [0]

    def chunked_upload() -> None:
        try:
            with socket.create_connection(address, timeout=10) as s:
                s.sendall(b"POST /v1/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n")
                chunk = b"%x\r\n" % 65536 + b"a" * 65536 + b"\r\n"
                for _ in range(chunked_mb * 16):
                    if stop.is_set():
                        return
                    s.sendall(chunk)
                    taken[0] += 65536
        except OSError:
            pass

    threads = [threading.Thread(target=slow_client, daemon=True) for _ in range(slow)]
    threads.append(threading.Thread(target=chunked_upload, daemon=True))
    for t in threads:
        t.start()
    return taken


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("db")
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--chunked-mb", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=40)
    a = ap.parse_args()
    service = subprocess.Popen([a.cli, "serve", "-d", a.db, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                               text=True)
    stop = threading.Event()
    try:
        url = re.search(r"(http://\S+)/", service.stdout.readline()).group(1)
        host, port = url.removeprefix("http://").split(":")
        address = (host, int(port))

        taken = hold_hostile_clients(address, a.slow, a.chunked_mb, stop)
        time.sleep(3)
        answered, times = 0, []
        for _ in range(6):
            start = time.monotonic()
            try:
                urllib.request.urlopen(url + "/v1/similar?q=high+fever+and+rash&k=10", timeout=30).read()
                answered += 1
                times.append(time.monotonic() - start)
            except OSError:
                pass
        with open("/proc/%d/status" % service.pid) as f:
            peak = re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)
        print("searches answered: %d of 6; times: %s" % (answered, ", ".join("%.2f s" % t for t in times)))
        print("chunked body sent before the service hung up: %.1f MB" % (taken[0] / 1e6))
        print("service peak RSS: %.0f MB" % (int(peak) / 1024))
    finally:
        stop.set()
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    main()
