"""The bundled snapshot: how long loading it and ranking it for the example profiles take.

The baseline, run in the same process, is the snapshot's calls of the August Portal listing and
the transcribed files alone (what the snapshot held before the feed snapshots' topics, calls
for proposals and cascade-funding calls were added), written to a scratch file and timed the
same way. Prints the median of the runs and the ratio to the baseline.

    python benchmarks/bench_snapshot.py            # 5 runs each
    python benchmarks/bench_snapshot.py --quick    # 1 run each (CI)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import fundmatch as fm
from fundmatch.config import load_profile
from fundmatch.sources.snapshot import dump_snapshot

PROFILES = Path(__file__).resolve().parents[1] / "calls" / "profiles"
NOW = datetime(2026, 8, 17, 12, tzinfo=UTC)


def august(call: fm.Call) -> bool:
    """A call of the August listing (normalised topics, read in English) or transcribed."""
    return call.kind is None or (call.kind == "topic" and call.languages == ("en",))


def median_time(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each")
    args = parser.parse_args()
    runs = 1 if args.quick else 5
    calls = fm.load_snapshot()
    profiles = [load_profile(p) for p in sorted(PROFILES.glob("*.toml"))]
    with tempfile.TemporaryDirectory() as scratch:
        base_path = Path(scratch) / "august.jsonl.gz"
        dump_snapshot([c for c in calls if august(c)], base_path)
        rows = []
        for label, path in (("baseline (August listing)", base_path), ("bundled snapshot", None)):
            loaded = fm.load_snapshot(path)
            load = median_time(lambda path=path: fm.load_snapshot(path), runs)

            def rank(loaded: list[fm.Call] = loaded) -> None:
                matcher = fm.Matcher(loaded)
                for profile in profiles:
                    matcher.rank(profile, now=NOW)

            rows.append((label, len(loaded), load, median_time(rank, runs)))
    print(f"{'':28}{'calls':>7}{'load s':>9}{'index + 4 profiles s':>23}")
    for label, count, load, ranked in rows:
        print(f"{label:28}{count:>7}{load:>9.3f}{ranked:>23.3f}")
    (_, n0, l0, r0), (_, n1, l1, r1) = rows
    print(f"ratio to baseline: calls {n1 / n0:.2f}x, load {l1 / l0:.2f}x, rank {r1 / r0:.2f}x")


if __name__ == "__main__":
    main()
