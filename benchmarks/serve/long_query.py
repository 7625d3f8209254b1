#!/usr/bin/env python3
"""Time of one search for 15, 30 and 60 KB of distinct unknown words (issue 24,
reproducer 5): the analysis must grow with the query's bytes, not faster.

    benchmarks/serve/long_query.py build/tools/askalike DB

Starts `askalike serve` on 127.0.0.1 (any free port), posts each query three
times (spelling on and off) and prints the best time; stops the service."""

import json
import random
import re
import string
import subprocess
import sys
import time
import urllib.request


def words(rng: random.Random, size: int) -> str:
    out, n = [], 0
    while n < size:
        w = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 10)))
        out.append(w)
        n += len(w) + 1
    return " ".join(out)


def main() -> None:
    cli, db = sys.argv[1], sys.argv[2]
    service = subprocess.Popen([cli, "serve", "-d", db, "--listen", "127.0.0.1:0", "--max-body-bytes", "1000000"],
                               stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"(http://\S+)/", service.stdout.readline()).group(1)
        rng = random.Random(7)
        for kb in (15, 30, 60):
            text = words(rng, kb * 1024)
            for spelling in (True, False):
                body = json.dumps({"text": text, "spelling": spelling}).encode()
                best = float("inf")
                for _ in range(3):
                    start = time.perf_counter()
                    request = urllib.request.Request(url + "/v1/similar", data=body,
                                                     headers={"Content-Type": "application/json"})
                    urllib.request.urlopen(request, timeout=120).read()
                    best = min(best, time.perf_counter() - start)
                print("%2d KB of unknown words, spelling %-5s: %.3f s" % (kb, spelling, best), flush=True)
    finally:
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    main()
