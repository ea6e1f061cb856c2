"""Store throughput: upserts per second for a first load and an unchanged re-load, and file size.

Calls are real Portal topics (a snapshot of the eu-grants-feed) repeated under new ids up to
the size asked for. The baseline, run in the same process, is a naive row-by-row
``INSERT OR REPLACE`` of each call's JSON with no history, no change detection and no indexes.

    python benchmarks/bench_store.py            # 10,000 and 100,000 calls
    python benchmarks/bench_store.py --quick    # 2,000 calls (CI)
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import fundmatch as fm

DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "data" / "sedia" / "snapshots"
STATUS = {"31094501": "forthcoming", "31094502": "open", "31094503": "closed"}


def to_call(grant: dict[str, Any]) -> fm.Call:
    """One grant of the feed as a Call."""
    budget = grant.get("budget") or {}

    def money(value: float | None) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    programmes = grant.get("frameworkProgrammes") or []
    return fm.Call(
        id=grant["id"],
        title=grant["title"],
        description=grant.get("abstract") or "",
        url=grant["url"],
        programme=programmes[0]["label"] if programmes else None,
        call_id=grant.get("callIdentifier"),
        topic_id=grant.get("identifier"),
        action_type=grant.get("actionType"),
        reported_status=STATUS.get(grant["status"]["id"], "unknown"),  # type: ignore[arg-type]
        opening=datetime.fromisoformat(grant["startDate"]) if grant.get("startDate") else None,
        deadlines=(
            [
                fm.Deadline(
                    at=datetime.fromisoformat(grant["deadlineDate"]), timezone="Europe/Brussels"
                )
            ]
            if grant.get("deadlineDate")
            else []
        ),
        budget=fm.Budget(
            total=money(budget.get("totalBudgetEur")),
            per_project_min=money(budget.get("minContributionEur")),
            per_project_max=money(budget.get("maxContributionEur")),
            expected_grants=budget.get("expectedGrants"),
        ),
    )


def load_calls(dataset: Path, size: int) -> list[fm.Call]:
    """``size`` calls: the newest snapshot's topics, repeated under new ids."""
    files = sorted(dataset.glob("grants_*.json.gz")) if dataset.is_dir() else [dataset]
    if not files:
        sys.exit(f"no grants_*.json.gz snapshot in {dataset}")
    with gzip.open(files[-1], "rt", encoding="utf-8") as stream:
        base = [to_call(g) for g in json.load(stream)["grants"]]
    return [
        base[i % len(base)].model_copy(update={"id": f"{base[i % len(base)].id}-{i}"})
        for i in range(size)
    ]


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def baseline(calls: list[fm.Call], path: Path) -> float:
    """Seconds for a naive row-by-row INSERT OR REPLACE of the JSON, one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS calls (id TEXT PRIMARY KEY, json TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for call in calls:
        conn.execute(
            "INSERT OR REPLACE INTO calls VALUES (?, ?)", (call.id, call.model_dump_json())
        )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return elapsed


def run(calls: list[fm.Call], folder: Path) -> None:
    n = len(calls)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    naive_path = folder / f"naive-{n}.sqlite"
    naive_first = baseline(calls, naive_path)
    naive_again = baseline(calls, naive_path)

    path = folder / f"store-{n}.sqlite"
    with fm.Store(path) as store:
        start = time.perf_counter()
        first = store.upsert(calls, source="bench", now=now)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = store.upsert(calls, source="bench", now=now + timedelta(days=1))
        again_s = time.perf_counter() - start
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(first) == n and again == [], "the benchmark's calls must be new, then unchanged"

    def rate(seconds: float) -> str:
        return f"{n / seconds:>10,.0f}/s  ({seconds:6.2f} s)"

    print(f"{n:,} calls")
    print(f"  store first load        {rate(first_s)}")
    print(f"  store unchanged re-load {rate(again_s)}")
    print(f"  naive first load        {rate(naive_first)}")
    print(f"  naive re-load           {rate(naive_again)}")
    print(
        f"  ratio store/naive: first load {naive_first / first_s:.2f}x, "
        f"re-load {naive_again / again_s:.2f}x the naive speed"
    )
    print(
        f"  database size: store {size_of(path) / 1e6:.1f} MB "
        f"(calls, versions, provenance, changes), naive {size_of(naive_path) / 1e6:.1f} MB"
    )
    if n >= 100_000:
        verdict = "met" if again_s < 10 else "NOT met"
        print(f"  target: {n:,} unchanged calls re-checked in < 10 s: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 calls only (for CI)")
    parser.add_argument(
        "--dataset",
        type=Path,
        default=DEFAULT_DATASET,
        help="folder of grants_*.json.gz snapshots, or one such file",
    )
    args = parser.parse_args()
    sizes = [2_000] if args.quick else [10_000, 100_000]
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            run(load_calls(args.dataset, size), Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
