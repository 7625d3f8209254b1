"""similar_batch: the same answers as similar(), on real threads, without the GIL."""

from __future__ import annotations

import os
import threading
import time

import pytest

import askalike
from conftest import generate_queries


def _summary(results):
    return [(h.id, round(h.score, 9), h.rank, h.snippet) for h in results]


def test_batch_equals_serial_calls(big_db):
    s = askalike.Searcher(big_db)
    queries = generate_queries(200) + ["", "the of and", "pain"]
    serial = [s.similar(q, k=7, categories=["A", "B"]) for q in queries]
    for threads in (1, 2, 3, 0):
        batch = s.similar_batch(queries, k=7, threads=threads, categories=["A", "B"])
        assert len(batch) == len(queries)
        assert [_summary(r) for r in batch] == [_summary(r) for r in serial]
        assert [r.categories for r in batch] == [r.categories for r in serial]
    assert s.similar_batch([]) == []


def test_batch_takes_any_iterable(searcher):
    res = searcher.similar_batch((q for q in ["eyelid twitching", "salt"]), k=1)
    assert [r[0].id for r in res] == ["eyelid", "bp-salt"]


def test_batch_releases_the_gil(big_db):
    """A Python thread keeps running all through a long batch.

    The ticker thread stamps the time every millisecond. If similar_batch
    held the GIL, no stamp could fall between its start and its end (past the
    first few milliseconds); with the GIL released there are stamps
    throughout, in particular in the middle half of the call.
    """
    s = askalike.Searcher(big_db)
    stamps: list[float] = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.05)
        # Long enough to tell (half a second), however fast the machine.
        n = 250
        while True:
            queries = generate_queries(n)
            t0 = time.perf_counter()
            results = s.similar_batch(queries, k=10, threads=2)
            t1 = time.perf_counter()
            if t1 - t0 > 0.5 or n >= 64000:
                break
            n *= 2
    finally:
        stop.set()
        t.join()
    assert len(results) == len(queries)
    duration = t1 - t0
    assert duration > 0.2, f"batch too short to tell ({duration:.3f}s): make it longer"
    middle = [x for x in stamps if t0 + duration / 4 < x < t1 - duration / 4]
    # One stamp per ~1 ms when the thread runs freely; ask for a small fraction.
    assert len(middle) > duration / 2 / 0.001 * 0.1, (len(middle), duration)


@pytest.mark.parametrize("threads", [-1, "2", 1.5])
def test_bad_thread_counts(searcher, threads):
    with pytest.raises((TypeError, ValueError)):
        searcher.similar_batch(["x"], threads=threads)


def test_ctrl_c_stops_a_long_batch(tmp_path, big_db):
    """SIGINT during similar_batch raises KeyboardInterrupt promptly.

    "Promptly" is measured against this machine's own speed, so that a loaded
    machine does not fail the test: the child first times one chunk of the
    batch (similar_batch checks for Ctrl-C between chunks of 256), and the
    stop must come within 10 chunk times (at least 20 s), while the whole
    batch would take about 1,500 chunk times.
    """
    import signal
    import subprocess
    import sys

    script = tmp_path / "long_batch.py"
    script.write_text(
        "import sys, time, askalike\n"
        "from conftest import generate_queries\n"
        f"s = askalike.Searcher({big_db!r})\n"
        "queries = generate_queries(2000) * 200\n"  # about 1,500 chunks of 256
        "t = time.monotonic()\n"
        "s.similar_batch(queries[:256], k=10, threads=1)\n"
        "print('chunk', time.monotonic() - t, flush=True)\n"
        "print('started', flush=True)\n"
        "s.similar_batch(queries, k=10, threads=1)\n"
        "print('finished', flush=True)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in [os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")] if p))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        chunk_seconds = float(proc.stdout.readline().split()[1])
        assert proc.stdout.readline().strip() == "started"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=max(20.0, 10 * chunk_seconds))
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "finished" not in out
    assert "KeyboardInterrupt" in err
