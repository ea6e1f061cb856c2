"""The whole feeds corpus through ``fm.parse_feed``: accepted, refused, foreign exceptions, time.

    python benchmarks/bench_feeds_corpus.py [--quick] [--dataset PATH] [--limit SECONDS]

Every file (about 3,800 RSS/Atom/RDF/XML test files, XML bombs included) is parsed with a
per-file time limit enforced by an interval timer. A foreign exception (anything that is not a
``FundmatchError``) or a file over the limit is a failure: the exit code is 1. Entity bombs
must be refused in under 50 ms. Baseline: ``feedparser.parse`` on the same bytes for the files
that are not refused (bombs are never given to feedparser).
"""

from __future__ import annotations

import argparse
import io
import logging
import signal
import time
from pathlib import Path
from types import FrameType

import feedparser

import fundmatch as fm

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds-corpus"
BOMBS = ("xmlbomb.xml", "xmlbomb2.xml", "quadratic.xml", "cyclic.xml", "external.xml")


class _TooSlow(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TooSlow


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 10th file and every bomb")
    parser.add_argument("--dataset", type=Path, default=CORPUS, help="the feeds-corpus folder")
    parser.add_argument("--limit", type=float, default=2.0, help="seconds allowed per file")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if not args.dataset.is_dir():
        print(f"corpus not found at {args.dataset}: nothing to measure")
        return 0
    files = sorted(p for p in args.dataset.rglob("*") if p.is_file() and p.suffix != ".md")
    if args.quick:
        files = sorted(set(files[::10]) | {p for p in files if p.name in BOMBS})
    signal.signal(signal.SIGALRM, _alarm)
    accepted = refused = foreign = slow = calls = 0
    bomb_times: dict[str, float] = {}
    kept: list[bytes] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        signal.setitimer(signal.ITIMER_REAL, args.limit)
        begin = time.perf_counter()
        try:
            calls += len(fm.parse_feed(data, source="corpus"))
            accepted += 1
            kept.append(data)
        except fm.FundmatchError:
            refused += 1
        except _TooSlow:
            slow += 1
            print(f"OVER {args.limit:g} s: {path.relative_to(args.dataset)}")
        except Exception as exc:
            foreign += 1
            print(f"FOREIGN {type(exc).__name__}: {path.relative_to(args.dataset)}: {exc}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.perf_counter() - begin
        slowest = max(slowest, (took, str(path.relative_to(args.dataset))))
        if path.name in BOMBS:
            bomb_times[path.name] = took
    total = time.perf_counter() - started
    base_start = time.perf_counter()
    for data in kept:
        feedparser.parse(io.BytesIO(data))
    base = time.perf_counter() - base_start
    print(
        f"files {len(files)}: accepted {accepted}, refused {refused}, "
        f"foreign exceptions {foreign}, over the limit {slow}"
    )
    print(
        f"calls {calls}; total {total:.2f} s, {len(files) / total:.0f} files/s; "
        f"slowest {slowest[0] * 1000:.1f} ms ({slowest[1]})"
    )
    ratio = total / base if base else 0.0
    print(f"feedparser.parse alone, {len(kept)} accepted files: {base:.2f} s; ratio {ratio:.2f}x")
    for name, took in sorted(bomb_times.items()):
        print(f"  bomb {name}: refused in {took * 1000:.2f} ms")
    bombs_ok = all(t < 0.05 for t in bomb_times.values())
    return 0 if foreign == 0 and slow == 0 and bombs_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
