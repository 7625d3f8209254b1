#!/usr/bin/env python3
"""Memory of `askalike serve` under requests at the legal maximum (issue 24,
reproducer 4), on 127.0.0.1 only.

    benchmarks/serve/worker_memory.py build/tools/askalike DB [--requests 400] [--clients 16] [--threads 16]

Starts `askalike serve --threads T`, then --clients threads send --requests
POST /v1/similar in all, each at the limits (k 100, snippet_length 10000,
facet_depth 1000, 64 KB of text made of the database's own words, or with
--unknown of distinct made-up words), and
prints the service's RSS after every tenth of them: it must level off, not
creep. Returns the figures as one JSON line last."""

import argparse
import json
import random
import re
import subprocess
import threading
import urllib.request


def rss_mb(pid: int) -> float:
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("db")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--unknown", action="store_true", help="texts of distinct made-up words, not the database's")
    a = ap.parse_args()
    export = subprocess.run([a.cli, "export", "-d", a.db], capture_output=True, text=True, check=True).stdout
    words = sorted({w for line in export.splitlines()[:2000] for w in json.loads(line).get("answer", "").split()})
    rng = random.Random(1)
    service = subprocess.Popen([a.cli, "serve", "-d", a.db, "--listen", "127.0.0.1:0", "--threads", str(a.threads),
                                "--max-body-bytes", "200000"], stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"(http://\S+)/", service.stdout.readline()).group(1)
        bodies = []
        for _ in range(32):
            text = ""
            while len(text.encode()) < 65000:
                text += ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
                         if a.unknown else rng.choice(words)) + " "
            while len(text.encode()) > 65536:
                text = text[:-100]
            bodies.append(json.dumps({"text": text, "k": 100, "snippet_length": 10000, "facets": True,
                                      "facet_depth": 1000}).encode())
        done, lock, errors, samples = [0], threading.Lock(), [0], []
        start_rss = rss_mb(service.pid)

        def client(i: int) -> None:
            while True:
                with lock:
                    if done[0] >= a.requests:
                        return
                    done[0] += 1
                    n = done[0]
                req = urllib.request.Request(url + "/v1/similar", data=bodies[n % len(bodies)],
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=120) as r:
                        r.read()
                except Exception:  # noqa: BLE001
                    with lock:
                        errors[0] += 1
                if n % max(1, a.requests // 10) == 0:
                    samples.append((n, round(rss_mb(service.pid))))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        end_rss = rss_mb(service.pid)
        for n, mb in sorted(samples):
            print("after %5d requests: RSS %5d MB" % (n, mb))
        print(json.dumps({"requests": a.requests, "clients": a.clients, "threads": a.threads, "errors": errors[0],
                          "rss_start_mb": round(start_rss), "rss_end_mb": round(end_rss),
                          "rss_samples_mb": [mb for _, mb in sorted(samples)]}))
    finally:
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    main()
