"""Store throughput on SQLite and PostgreSQL: first load, unchanged re-check, a digest plan, and
concurrent digest workers under SMTP faults.

Calls are real Portal topics (a snapshot of the eu-grants-feed) repeated under new ids up to
the size asked for. The SQLite baseline, run in the same process, is a naive row-by-row
``INSERT OR REPLACE`` of each call's JSON with no history, no change detection and no indexes;
PostgreSQL is then compared with SQLite on the same calls. The digest plan is that of many
daily subscriptions, each last sent a day ago, over a store where 10 calls are new since.
The concurrency run starts 4 digest worker processes at once against one store and a loopback
SMTP server that answers every third message 451, and counts messages sent twice and lost
(both must be 0; exit 1 otherwise).

PostgreSQL is a throw-away cluster started for the run (tests/support/postgres.py), or the
database given with ``--postgres postgresql://…`` (each run makes its own schema there).

    python benchmarks/bench_store.py            # 10,000 and 100,000 calls, 10,000 subscriptions
    python benchmarks/bench_store.py --quick    # 2,000 calls, 200 subscriptions (CI)
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # benchmarks may import tests/support, never the reverse

import fundmatch as fm  # noqa: E402
from fundmatch.digest import plan_digests  # noqa: E402
from support.digest_workers import digest_world, run_workers  # noqa: E402
from support.postgres import PostgresServer, start  # noqa: E402

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


def load(address: str, calls: list[fm.Call]) -> tuple[float, float]:
    """Seconds for the first load of ``calls`` and for an unchanged re-check."""
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with fm.Store(address) as store:
        start = time.perf_counter()
        first = store.upsert(calls, source="bench", now=now)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = store.upsert(calls, source="bench", now=now + timedelta(days=1))
        again_s = time.perf_counter() - start
    assert len(first) == len(calls) and again == [], "the calls must be new, then unchanged"
    return first_s, again_s


def plan(address: str, count: int) -> float:
    """Seconds for planning the digests of ``count`` subscriptions (10 new calls each)."""
    day = datetime(2026, 6, 3, 6, tzinfo=UTC)
    fresh = [
        fm.Call(id=f"NEW-{i}", title=f"Fresh open data call {i}", description="open data")
        for i in range(10)
    ]
    subscriptions = fm.Subscriptions(
        subscription=tuple(
            fm.Subscription(
                name=f"s{i}", profile=fm.Profile(name=f"P{i}"), recipients=[f"r{i}@example.org"]
            )
            for i in range(count)
        )
    )
    with fm.Store(address) as store:
        with store.transaction():
            for sub in subscriptions.subscription:
                store.queue_digest(
                    subscription=sub.name,
                    recipient=sub.recipients[0],
                    now=day - timedelta(days=1),
                    message=None,
                )
        store.upsert(fresh, source="fresh", now=day - timedelta(hours=1))
        matches = [fm.Match(call=c, score=50) for c in fresh]
        start = time.perf_counter()
        planned = plan_digests(
            store, subscriptions, sender="d@example.org", now=day, ranker=lambda p, n: matches
        )
        seconds = time.perf_counter() - start
    assert len(planned) == count and all(p.message is not None for p in planned)
    return seconds


def compare(sizes: list[int], subscriptions: int, dataset: Path, server: PostgresServer | str):
    """Both backends on the same calls, printed with their ratios."""

    def pg() -> str:
        if isinstance(server, str):
            import psycopg

            schema = f"bench_{int(time.time() * 1000) % 10**9}_{len(sizes)}"
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")  # type: ignore[call-overload]
            sep = "&" if "?" in server else "?"
            return f"{server}{sep}options=-csearch_path%3D{schema}"
        return server.address()

    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            calls = load_calls(dataset, n)
            naive_path = Path(folder) / f"naive-{n}.sqlite"
            naive_first = baseline(calls, naive_path)
            naive_again = baseline(calls, naive_path)
            lite = load(str(Path(folder) / f"store-{n}.sqlite"), calls)
            post = load(pg(), calls)

            def rate(seconds: float, n: int = n) -> str:
                return f"{n / seconds:>10,.0f}/s  ({seconds:6.2f} s)"

            print(f"{n:,} calls")
            print(f"  naive SQLite first load   {rate(naive_first)}")
            print(f"  SQLite first load         {rate(lite[0])}")
            print(f"  PostgreSQL first load     {rate(post[0])}")
            print(f"  naive SQLite re-load      {rate(naive_again)}")
            print(f"  SQLite unchanged re-check {rate(lite[1])}")
            print(f"  PostgreSQL re-check       {rate(post[1])}")
            print(
                f"  ratio SQLite/naive: first load {naive_first / lite[0]:.2f}x, "
                f"re-check {naive_again / lite[1]:.2f}x the naive speed"
            )
            print(
                f"  ratio PostgreSQL/SQLite: first load {lite[0] / post[0]:.2f}x, "
                f"re-check {lite[1] / post[1]:.2f}x the SQLite speed"
            )
            if n >= 100_000:
                for name, again in (("SQLite", lite[1]), ("PostgreSQL", post[1])):
                    verdict = "met" if again < 10 else "NOT met"
                    print(f"  target: {n:,} unchanged calls re-checked in < 10 s: {name} {verdict}")
        lite_plan = plan(str(Path(folder) / "plan.sqlite"), subscriptions)
        post_plan = plan(pg(), subscriptions)
        print(f"digest plan, {subscriptions:,} subscriptions, 10 new calls each")
        print(f"  SQLite      {lite_plan:6.2f} s  ({subscriptions / lite_plan:,.0f}/s)")
        print(f"  PostgreSQL  {post_plan:6.2f} s  ({subscriptions / post_plan:,.0f}/s)")
        print(f"  ratio PostgreSQL/SQLite: {lite_plan / post_plan:.2f}x the SQLite speed")
    return pg


def concurrency(addresses: dict[str, str], subscriptions: int) -> bool:
    """4 digest workers at once per backend, every third message deferred (451)."""
    ok = True
    print(f"4 digest workers at once, {subscriptions} messages, every third DATA answered 451")
    for backend, address in addresses.items():
        digest_world(address)
        start = time.perf_counter()
        tally = run_workers(address, workers=4, subscriptions=subscriptions, defer_every=3)
        seconds = time.perf_counter() - start
        print(
            f"  {backend:<10}  queued {tally.queued}, received {tally.received}, "
            f"deferred {tally.deferred}, sent twice {tally.twice}, lost {tally.lost}  "
            f"({seconds:.1f} s)"
        )
        ok = ok and tally.twice == 0 and tally.lost == 0 and tally.queued == subscriptions
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (for CI)")
    parser.add_argument(
        "--dataset",
        type=Path,
        default=DEFAULT_DATASET,
        help="folder of grants_*.json.gz snapshots, or one such file",
    )
    parser.add_argument("--postgres", help="a PostgreSQL database to use (default: a new one)")
    args = parser.parse_args()
    sizes = [2_000] if args.quick else [10_000, 100_000]
    subscriptions = 200 if args.quick else 10_000
    server: PostgresServer | str = args.postgres or start()
    try:
        pg = compare(sizes, subscriptions, args.dataset, server)
        with tempfile.TemporaryDirectory() as folder:
            addresses = {"SQLite": str(Path(folder) / "workers.sqlite"), "PostgreSQL": pg()}
            ok = concurrency(addresses, 12 if args.quick else 40)
    finally:
        if not isinstance(server, str):
            server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
