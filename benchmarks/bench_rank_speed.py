"""Speed of ranking: index build and query latency for 10,000 and 100,000 calls, peak memory.

Calls: the real cordis-he and H2020 topics (4,938 texts, median ~4,000 characters), replicated
with new ids up to the size asked. Profiles: real project descriptions from cordis-he. Baselines
in the same run: bm25s and scikit-learn TF-IDF over title + description. Each size runs in its
own subprocess so that peak RSS (``resource.getrusage``) belongs to that size alone; "index MB"
is the resident memory the index added (RSS after the build minus before), without the test data.

Each method runs ``--rounds`` times (default 2), alternating, and its fastest run is kept, so
that the load of a shared machine weighs on every method alike.

    python benchmarks/bench_rank_speed.py [--quick] [--rounds N] [--sizes N ...] [--dataset PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now (Linux), to tell the index's share from the loaded test data."""
    try:
        with Path("/proc/self/statm").open(encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except OSError:
        return float("nan")
    return pages * resource.getpagesize() / 2**20


def run_one(size: int, method: str, data: Path, queries: int) -> dict[str, float]:
    import numpy as np

    raw = read_jsonl(data / "cordis-he" / "calls.jsonl.gz")
    seen = {c["id"] for c in raw}
    raw += [c for c in read_jsonl(data / "h2020-topics" / "calls.jsonl.gz") if c["id"] not in seen]
    raw = [c for c in raw if c["description"]]
    projects = read_jsonl(data / "cordis-he" / "queries-dev.jsonl.gz")[:queries]
    texts = [(c["title"] or c["id"], c["description"]) for c in raw]
    base_mb = peak_mb()
    result: dict[str, float] = {}
    if method == "fundmatch":
        from fundmatch import Call, Matcher, Profile

        templates = [
            Call(id=c["id"], title=t, description=d) for c, (t, d) in zip(raw, texts, strict=True)
        ]
        calls = [
            templates[i % len(templates)].model_copy(
                update={"id": f"{templates[i % len(templates)].id}#{i}"}
            )
            for i in range(size)
        ]
        profiles = [
            Profile(
                name=p["title"] or p["id"],
                description=p["description"],
                keywords=tuple(p["keywords"]),
            )
            for p in projects
        ]
        before = rss_mb()
        start = time.perf_counter()
        matcher = Matcher(calls)
        result["index_s"] = time.perf_counter() - start
        result["index_mb"] = rss_mb() - before

        def search(i: int) -> object:
            return matcher.rank(profiles[i], limit=10, include_blocked=True)

    elif method == "bm25s":
        import bm25s

        docs = [f"{t}\n{d}" for t, d in texts]
        corpus = [docs[i % len(docs)] for i in range(size)]
        before = rss_mb()
        start = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(
            bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
        )
        result["index_s"] = time.perf_counter() - start
        result["index_mb"] = rss_mb() - before
        qtexts = [
            p["title"] + "\n" + p["description"] + "\n" + ", ".join(p["keywords"]) for p in projects
        ]

        def search(i: int) -> object:
            tokens = bm25s.tokenize(
                [qtexts[i]], stopwords="en", return_ids=False, show_progress=False
            )
            scores = retriever.get_scores(tokens[0])
            return np.argpartition(-scores, 10)[:10]

    else:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [f"{t}\n{d}" for t, d in texts]
        corpus = [docs[i % len(docs)] for i in range(size)]
        before = rss_mb()
        start = time.perf_counter()
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
        matrix = vectorizer.fit_transform(corpus)
        result["index_s"] = time.perf_counter() - start
        result["index_mb"] = rss_mb() - before
        qtexts = [
            p["title"] + "\n" + p["description"] + "\n" + ", ".join(p["keywords"]) for p in projects
        ]

        def search(i: int) -> object:
            scores = (matrix @ vectorizer.transform([qtexts[i]]).T).toarray().ravel()
            return np.argpartition(-scores, 10)[:10]

    search(0)  # first query warms caches; not timed
    times = []
    for i in range(len(projects)):
        start = time.perf_counter()
        search(i)
        times.append((time.perf_counter() - start) * 1000)
    result["one_ms"] = statistics.median(times)
    result["p95_ms"] = sorted(times)[int(0.95 * (len(times) - 1))]
    result["batch_s"] = sum(times) / 1000
    result["peak_mb"] = peak_mb()
    result["base_mb"] = base_mb
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dataset", type=Path, default=DATA, help="folder holding cordis-he/ and h2020-topics/"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100, help="profiles ranked per size")
    parser.add_argument("--quick", action="store_true", help="10,000 calls only (CI)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="runs of each method, alternating; the fastest is kept (a shared machine's load "
        "then weighs on every method alike)",
    )
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, method = int(args.child[0]), args.child[1]
        print(json.dumps(run_one(size, method, args.dataset, args.queries)))
        return
    sizes = [10_000] if args.quick else args.sizes
    print(
        f"{'calls':>8s} {'method':10s} {'index s':>8s} {'rank ms (median)':>17s} {'p95 ms':>7s} "
        f"{f'{args.queries} profiles s':>15s} {'peak MB':>8s} {'index MB':>9s}"
    )
    for size in sizes:
        rows: dict[str, dict[str, float]] = {}
        for _ in range(max(1, args.rounds)):
            for method in ("fundmatch", "bm25s", "tfidf"):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(size),
                        method,
                        "--dataset",
                        str(args.dataset),
                        "--queries",
                        str(args.queries),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                best = rows.setdefault(method, r)
                for key in ("index_s", "one_ms", "p95_ms", "batch_s"):
                    best[key] = min(best[key], r[key])
        for method, r in rows.items():
            print(
                f"{size:8d} {method:10s} {r['index_s']:8.2f} {r['one_ms']:17.1f} "
                f"{r['p95_ms']:7.1f} {r['batch_s']:15.2f} {r['peak_mb']:8.0f} {r['index_mb']:9.0f}",
                flush=True,
            )
        for base in ("bm25s", "tfidf"):
            ours, theirs = rows["fundmatch"], rows[base]
            print(
                f"{'':8s} fundmatch / {base}: index {ours['index_s'] / theirs['index_s']:.2f}x, "
                f"rank {ours['one_ms'] / theirs['one_ms']:.2f}x"
            )


if __name__ == "__main__":
    main()
