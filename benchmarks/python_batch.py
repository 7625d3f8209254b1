#!/usr/bin/env python3
"""Throughput of Searcher.similar_batch from Python against the C++ tool.

Runs the same queries on the same database twice:

  python   askalike.Searcher(db).similar_batch(texts, k, threads=N)
  cli      askalike similar -d DB --queries Q.jsonl --threads N --format trec

and prints queries per second for each and their ratio. Both leave out
snippets and facets (the CLI does for --format trec), so they do the same
work; the script also checks that both return the same rankings.

The queries are the liveqa-medquad questions, run against the medquad
corpus, from ../shared/data beside the repository (or --data); each is
repeated --repeat times so that a run lasts long enough to time. Without the
data the benchmark is skipped with a message.

  python benchmarks/python_batch.py --cli build/tools/askalike --threads 2

The database is built once with the Python module into benchmarks/work/
(or give one with --db). Figures: best of --runs, the two sides' runs
alternating; queries per second of wall time, and per CPU-second (user +
system time of the process), which a busy shared machine disturbs less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cli", help="path of the askalike tool (default: build*/tools/askalike)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for both (default: the number of cores)")
    p.add_argument("-k", type=int, default=10, help="hits per query (default 10)")
    p.add_argument("--repeat", type=int, default=40,
                   help="times each of the 52 queries is run (default 40)")
    p.add_argument("--runs", type=int, default=3, help="timed runs of each, best kept (default 3)")
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                   help="the data folder (default: ../shared/data beside the repository)")
    p.add_argument("--db", type=Path,
                   help="an askalike database of medquad (default: built in benchmarks/work/)")
    return p.parse_args()


def find_cli(given: str | None) -> Path | None:
    if given:
        path = Path(given)
        if not (path.is_file() and os.access(path, os.X_OK)):
            sys.exit(f"python_batch: {given}: not an executable file")
        return path
    found = sorted((p for p in REPO.glob("build*/tools/askalike") if os.access(p, os.X_OK)),
                   key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def load_queries(path: Path) -> list[tuple[str, str]]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                out.append((q["id"], q["text"]))
    return out


def build_db(askalike, corpus: Path, db: Path) -> None:
    if db.exists():
        return
    print(f"building {db} from {corpus} (once) ...", flush=True)
    t0 = time.perf_counter()
    tmp = db.with_name(db.name + ".tmp")
    with askalike.Index(str(tmp)) as index:
        report = index.add_file(str(corpus))
    tmp.rename(db)
    print(f"  {report.added} records in {time.perf_counter() - t0:.1f} s", flush=True)


def read_trec(text: str) -> dict[str, list[str]]:
    runs: dict[str, list[str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 6:
            runs.setdefault(parts[0], []).append(parts[2])
    return runs


def main() -> int:
    args = parse_args()
    queries_file = args.data / "liveqa-medquad" / "queries.jsonl"
    corpus = args.data / "medquad" / "corpus.jsonl"
    if not queries_file.is_file() or (args.db is None and not corpus.is_file()):
        print(f"python_batch: skipped: no liveqa-medquad queries or medquad corpus under "
              f"{args.data} (give the data folder with --data)")
        return 0
    try:
        import askalike
    except ImportError:
        print("python_batch: skipped: the askalike module is not importable "
              "(pip install . or PYTHONPATH=<build>/bindings/python)")
        return 0
    cli = find_cli(args.cli)

    db = args.db or REPO / "benchmarks" / "work" / f"medquad-{askalike.__version__}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    build_db(askalike, corpus, db)

    base = load_queries(queries_file)
    queries = [(f"{qid}#{r}", text) for r in range(args.repeat) for qid, text in base]
    texts = [text for _, text in queries]
    print(f"{len(queries)} queries ({len(base)} x {args.repeat}), k={args.k}, "
          f"threads={args.threads}, database {db} ({askalike.Searcher(str(db)).stats().documents} "
          f"records)")

    searcher = askalike.Searcher(str(db))
    options = dict(snippets=False, facets=False)

    def run_python() -> tuple[float, float, list]:
        """The batch call alone, on a Searcher opened once: wall and CPU seconds."""
        w0, c0 = time.perf_counter(), time.process_time()
        results = searcher.similar_batch(texts, args.k, threads=args.threads, **options)
        return time.perf_counter() - w0, time.process_time() - c0, results

    if cli is None:
        print("python_batch: no askalike tool found (build it, or give --cli PATH): "
              "CLI comparison skipped")

    with tempfile.TemporaryDirectory() as tmp:
        qfile = Path(tmp) / "queries.jsonl"
        qfile.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                                 for i, t in queries), encoding="utf-8")
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps({"id": queries[0][0], "text": texts[0]}) + "\n",
                       encoding="utf-8")

        def run_cli(qpath: Path) -> tuple[float, float, str]:
            """The whole process (start, open, read queries, search, print): wall, CPU."""
            cmd = [str(cli), "similar", "-d", str(db), "--queries", str(qpath),
                   "--threads", str(args.threads), "-k", str(args.k), "--format", "trec"]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            w0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - w0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                sys.exit(f"python_batch: {' '.join(cmd)} failed:\n{done.stderr}")
            return wall, cpu, done.stdout

        # Warm both (page cache, lazy loading), then alternate the timed runs
        # so that a busy moment of the machine hits both alike; keep the best.
        searcher.similar_batch(texts[: len(base)], args.k, threads=args.threads, **options)
        fixed = float("inf")
        if cli is not None:
            run_cli(one)
            fixed = min(run_cli(one)[0] for _ in range(args.runs))
        py_wall = py_cpu = cli_wall = cli_cpu = float("inf")
        results, out = [], ""
        for _ in range(args.runs):
            wall, cpu, results = run_python()
            py_wall, py_cpu = min(py_wall, wall), min(py_cpu, cpu)
            if cli is not None:
                wall, cpu, out = run_cli(qfile)
                cli_wall, cli_cpu = min(cli_wall, wall), min(cli_cpu, cpu)

    n = len(queries)
    print(f"python similar_batch:  {py_wall:7.3f} s  {n / py_wall:8.1f} queries/s   "
          f"({n / py_cpu:.1f} per CPU-second)")
    if cli is None:
        return 0
    net = max(cli_wall - fixed, 1e-9)
    print(f"cli similar --queries: {cli_wall:7.3f} s  {n / cli_wall:8.1f} queries/s   "
          f"({n / cli_cpu:.1f} per CPU-second; process start + open + one query "
          f"{fixed:.3f} s)")
    print(f"ratio python/cli: {cli_wall / py_wall:.2f} in queries/s, "
          f"{cli_cpu / py_cpu:.2f} per CPU-second, "
          f"{net / py_wall:.2f} against the CLI less its fixed cost")
    py_runs = {qid: [h.id for h in res] for (qid, _), res in zip(queries, results)}
    cli_runs = read_trec(out)
    same = sum(py_runs[q] == cli_runs.get(q, []) for q, _ in queries)
    print(f"same rankings: {same} of {n} queries")
    return 0 if same == n else 1

if __name__ == "__main__":
    sys.exit(main())
