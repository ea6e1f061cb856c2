"""The reliability campaign, one command: hostile input, then faults and load with canary secrets.

    python benchmarks/reliability/run.py [--quick] [--dataset PATH] [--feeds N] [--items N]
                                         [--runs N] [--workers N] [--fault-rate F]

Part 1 parses the whole feeds corpus plus generated attack cases, each in a sandboxed worker
(memory cap, deadline), with a loopback canary that must get no request. Part 2 runs the
scheduled update + digest loop twice against a loopback farm, fault-free and with injected
faults, and compares. Exit code 1 when any promise is broken. ``--quick``: the corpus sample
(every 10th file), no 50 MB feed, a farm of 20 feeds x 50 items over 12 runs.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # tests/support

from reliability import farm
from support import hostile


def hostile_part(dataset: Path, quick: bool) -> bool:
    loopback = hostile.Loopback()
    try:
        cases = hostile.generated_cases(loopback.canary, big=not quick)
        if dataset.is_dir():
            cases += hostile.corpus_cases(dataset, every=10 if quick else 1)
        else:
            print(f"(corpus not found at {dataset}: generated cases only)")
        report = hostile.run_cases(cases, memory=2048 * 1024 * 1024, deadline=60, loopback=loopback)
    finally:
        loopback.close()
    print("== hostile input (each case in a sandboxed worker: 2 GB address space, 60 s deadline)")
    for line in report.figures():
        print("  " + line)
    return not report.failures and report.canary_hits == 0


def load_part(size: farm.Size) -> bool:
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("fundmatch")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    with tempfile.TemporaryDirectory() as folder:
        reference = farm.campaign(size, Path(folder) / "reference", faulty=False, log=log)
        after_reference = farm.peak_mb()
        faulty = farm.campaign(size, Path(folder) / "faulty", faulty=True, log=log)
    root.removeHandler(handler)
    lost = set(reference.store) - set(faulty.store)
    extra = set(faulty.store) - set(reference.store)
    differ = [
        k for k in reference.store if k in faulty.store and reference.store[k] != faulty.store[k]
    ]
    dup = sum(n - 1 for n in faulty.announced.values() if n > 1)
    missing = set(reference.announced) - set(faulty.announced)
    print(
        f"== faults and load: {size.feeds} feeds x {size.items} items, {size.runs} scheduled runs, "
        f"{size.workers} concurrent fetches, {size.fault_rate:.0%} faults"
    )
    print(
        f"  reference run        {reference.wall:.1f} s, {reference.requests} requests, "
        f"{len(reference.store)} calls, {reference.messages} digests"
    )
    injected = ", ".join(f"{k} {v}" for k, v in sorted(faulty.injected.items()))
    print(
        f"  faulty run           {faulty.wall:.1f} s, {faulty.requests} requests; "
        f"injected: {injected}"
    )
    print(f"  source results       {dict(faulty.results)} (a failed source is read again next run)")
    print(
        f"  mail faults          {faulty.mail_deferred} sends deferred, "
        f"{faulty.dropped_after_data} connections dropped after DATA"
    )
    print(
        f"  final store          {len(faulty.store)} calls ({len(faulty.open_ids)} open); "
        f"lost {len(lost)}, extra {len(extra)}, different {len(differ)} vs reference"
    )
    print(
        f"  digests              {faulty.messages} distinct messages; new-call announcements "
        f"{sum(faulty.announced.values())} (reference {sum(reference.announced.values())}), "
        f"duplicates {dup}, never announced {len(missing)}"
    )
    print(f"  same message resent  {faulty.resent_same_id} (same Message-ID: the ambiguous window)")
    for key in sorted(lost | extra)[:5] + differ[:5]:
        print(f"    differs: {key}")
    print(f"  API key reached farm {'yes' if faulty.bad_keys == 0 else 'NO'}")
    found = dict(faulty.secrets_found)
    for where, count in reference.secrets_found.items():
        found[where] = found.get(where, 0) + count
    print(
        f"  canary secrets found {sum(found.values())} "
        f"({', '.join(f'{k} {v}' for k, v in found.items())}; log {len(log.getvalue())} chars)"
    )
    print(
        f"  peak memory          {after_reference:.0f} MB after reference, "
        f"{farm.peak_mb():.0f} MB overall (RSS)"
    )
    return not (lost or extra or differ or dup or missing or sum(found.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus sample and farm")
    parser.add_argument("--dataset", type=Path, default=hostile.CORPUS, help="feeds-corpus folder")
    parser.add_argument("--feeds", type=int, help="feeds in the farm (default 200; quick 20)")
    parser.add_argument("--items", type=int, help="items per feed (default 500; quick 50)")
    parser.add_argument("--runs", type=int, help="scheduled runs (default 50; quick 12)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent fetches")
    parser.add_argument("--fault-rate", type=float, default=0.10, help="share of faulty requests")
    parser.add_argument("--skip-hostile", action="store_true", help="only the farm")
    parser.add_argument("--skip-farm", action="store_true", help="only the hostile input")
    args = parser.parse_args()
    size = farm.Size(
        feeds=args.feeds or (20 if args.quick else 200),
        items=args.items or (50 if args.quick else 500),
        runs=args.runs or (12 if args.quick else 50),
        workers=args.workers,
        fault_rate=args.fault_rate,
    )
    started = time.perf_counter()
    ok = True
    if not args.skip_hostile:
        ok &= hostile_part(args.dataset, args.quick)
    if not args.skip_farm:
        ok &= load_part(size)
    print(
        f"== {'PASS' if ok else 'FAIL'} in {time.perf_counter() - started:.1f} s "
        f"(peak memory of this process {farm.peak_mb():.0f} MB)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
