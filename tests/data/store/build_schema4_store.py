"""Write ``schema4_cascade.sqlite``: a store of schema version 4 holding a real Portal listing.

    git worktree add ../fundmatch-schema4 51498a73e670c50f73fe192cb3f5edb53e247cf5
    PYTHONPATH=../fundmatch-schema4/src python tests/data/store/build_schema4_store.py

Run with the fundmatch of that commit (schema version 4, before cascade-funding calls had ids
of their own): it keys each cascade call by its parent topic's identifier, so the two CERV
calls of the listing become one stored call and the three Local Digital Twin pilots another.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for support.portal

import fundmatch as fm  # noqa: E402
from support.portal import feed_records, search_page  # noqa: E402

OUT = HERE / "schema4_cascade.sqlite"
SEEN = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


def main() -> None:
    OUT.unlink(missing_ok=True)
    calls = fm.parse_ftportal(search_page(feed_records()), source="ftportal")
    with fm.Store(OUT) as store:
        store.upsert(calls, source="ftportal", now=SEEN)
        print(f"{len(store.calls(include_withdrawn=True))} calls stored from {len(calls)} results")
    for suffix in ("-wal", "-shm"):
        Path(f"{OUT}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
