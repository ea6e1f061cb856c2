"""The kill-at-each-step campaign: SIGKILL the real `fundmatch digest --send` at every step of a
run, run it normally, and check that every message arrives, and at most one duplicate (same
Message-ID) follows a kill between the server's acceptance and the record; on SQLite and on
PostgreSQL.

The counts are printed (``pytest -s``); ``benchmarks/bench_digest_faults.py`` runs the same
(both from ``tests/support/digest_kill.py``)."""

from __future__ import annotations

import pytest

from support import digest_kill as bench
from support.postgres import PostgresServer

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_a_run_killed_at_any_step_then_run_again_delivers_everything_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    addresses = None
    if backend == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        addresses = server.address
    outcomes = bench.campaign(addresses=addresses)
    bench.report(outcomes)
    by_step = {o.step: o for o in outcomes}
    assert set(by_step) == {"baseline", *bench.STEPS}
    for outcome in outcomes:
        assert outcome.killed or outcome.step == "baseline", outcome
        assert outcome.delivered == outcome.expected, outcome
        assert outcome.announced_twice == 0, outcome
    # The one ambiguous window: accepted by the server, not yet recorded as sent.
    assert {o.step: o.duplicates for o in outcomes if o.duplicates} == {"after-accept": 1}
