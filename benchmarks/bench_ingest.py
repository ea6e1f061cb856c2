"""Ingest throughput: calls per second for Portal JSON and for RSS/Atom, beside the raw parsers.

    python benchmarks/bench_ingest.py [--quick] [--dataset PATH]

Portal: a search-API page made of the recorded results in ``sedia/raw`` repeated to N results,
parsed by ``fm.parse_ftportal``; baseline ``json.loads`` of the same bytes. Feeds: the
corpus files that yield at least one call, parsed by ``fm.parse_feed``; baseline
``feedparser.parse`` on the same bytes (ours = safety check + feedparser + extraction +
validation).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import time
from pathlib import Path

import feedparser

import fundmatch as fm

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _best(repeat: int, run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_portal(raw: Path, results: int, repeat: int) -> None:
    singles = []
    for path in sorted(raw.glob("call_dto_*.json")):
        data = json.loads(path.read_bytes(), strict=False)
        if "metadata" in data:
            singles.append(data)
    page = {"totalResults": results, "results": [singles[i % len(singles)] for i in range(results)]}
    payload = json.dumps(page).encode()
    calls = len(fm.parse_ftportal(payload))
    ours = _best(repeat, lambda: fm.parse_ftportal(payload))
    base = _best(repeat, lambda: json.loads(payload))
    print(f"portal JSON: {results} results, {len(payload) / 1e6:.1f} MB")
    print(f"  fm.parse_ftportal  {calls / ours:10.0f} calls/s  ({ours * 1000:7.1f} ms)")
    print(f"  json.loads         {results / base:10.0f} results/s ({base * 1000:7.1f} ms)")
    print(f"  ratio parse_ftportal / json.loads: {ours / base:.1f}x")


def bench_feeds(corpus: Path, limit: int | None, repeat: int) -> None:
    files = sorted(p for p in corpus.rglob("*.xml") if "defusedxml" not in p.parts)
    blobs = []
    for path in files:  # the feeds with at least one titled entry: those that make calls
        blob = path.read_bytes()
        try:
            if fm.parse_feed(blob):
                blobs.append(blob)
        except fm.FundmatchError:
            continue
        if limit and len(blobs) >= limit:
            break

    def ours() -> int:
        total = 0
        for blob in blobs:
            with contextlib.suppress(fm.FundmatchError):
                total += len(fm.parse_feed(blob, source="bench"))
        return total

    def raw() -> int:
        return sum(len(feedparser.parse(io.BytesIO(blob)).entries) for blob in blobs)

    calls, entries = ours(), raw()
    t_ours = _best(repeat, ours)
    t_raw = _best(repeat, raw)
    size = sum(len(b) for b in blobs)
    print(f"RSS/Atom: {len(blobs)} files, {size / 1e3:.0f} kB, {entries} entries, {calls} calls")
    print(
        f"  fm.parse_feed      {calls / t_ours:10.0f} calls/s   {len(blobs) / t_ours:8.0f} files/s"
    )
    print(
        f"  feedparser.parse   {entries / t_raw:10.0f} entries/s {len(blobs) / t_raw:8.0f} files/s"
    )
    print(f"  ratio parse_feed / feedparser.parse: {t_ours / t_raw:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (CI)")
    parser.add_argument("--dataset", type=Path, default=DATA, help="the shared data folder")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    raw, corpus = args.dataset / "sedia" / "raw", args.dataset / "feeds-corpus"
    if not raw.is_dir() or not corpus.is_dir():
        print(f"dataset not found under {args.dataset}: nothing to measure")
        return 0
    bench_portal(raw, 200 if args.quick else 2000, 1 if args.quick else 3)
    bench_feeds(corpus, 100 if args.quick else None, 1 if args.quick else 3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
