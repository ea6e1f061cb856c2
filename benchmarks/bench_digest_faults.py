"""Digest delivery under faults: kill the real CLI at each step, then run it normally, and count.

    python benchmarks/bench_digest_faults.py [--quick] [--dataset PATH]

For each step of a digest run (after the update, after rendering, after queueing, after marking
a message "sending", after the server accepted it, after recording it as sent) a fresh store
and a real SMTP server on 127.0.0.1 are set up; ``fundmatch digest --send`` is killed (SIGKILL,
through the ``FUNDMATCH_TEST_CRASH_AT`` test hook) at that step, then run normally twice. The
baseline is the same world with no kill. Counted: runs, messages expected, delivered (distinct
Message-IDs), duplicates (same Message-ID received again) and calls announced twice as new.

Guarantee checked (exit 1 otherwise): every expected message is delivered, no call is announced
as new twice to one recipient, and a duplicate only follows a kill between the server's
acceptance and the record, with the same Message-ID.
``--dataset``: a JSON list of calls to add to the store (default: a few hand-written calls).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # benchmarks may import tests/support, never the reverse

import fundmatch as fm  # noqa: E402
from support.digest_kill import STEPS, Outcome, campaign, report  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the CI run (every step, once)")
    parser.add_argument("--dataset", type=Path, help="JSON list of extra calls for the store")
    args = parser.parse_args()
    extra = []
    if args.dataset:
        extra = [fm.Call.model_validate(c) for c in json.loads(args.dataset.read_text())]
    start = time.perf_counter()
    rounds = 1 if args.quick else 3
    outcomes: list[Outcome] = []
    for _ in range(rounds):
        outcomes += campaign(STEPS, extra)
    report(outcomes)
    print(f"{time.perf_counter() - start:.1f} s")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
