"""What the commands rank from: the store's calls, or the bundled snapshot when it is empty;
and what a report shows, ranked once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fundmatch as fm
from fundmatch.ranking import calls_or_snapshot, report_matches

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def test_the_stores_calls_when_it_holds_any(memory_store: fm.Store, samples: list[fm.Call]) -> None:
    calls, from_snapshot = calls_or_snapshot(memory_store, now=NOW)
    assert not from_snapshot
    assert sorted(c.id for c in calls) == sorted(c.id for c in samples)


def test_filters_that_match_nothing_in_a_full_store_give_nothing(memory_store: fm.Store) -> None:
    calls, from_snapshot = calls_or_snapshot(memory_store, now=NOW, programme="no such programme")
    assert (calls, from_snapshot) == ([], False)


def test_the_snapshot_filtered_alike_when_the_store_is_empty() -> None:
    with fm.Store(":memory:") as empty:
        calls, from_snapshot = calls_or_snapshot(empty, now=NOW, programme="horizon")
    assert from_snapshot
    assert calls and all("horizon" in (c.programme or "").casefold() for c in calls)
    assert {c.id for c in calls} <= {c.id for c in fm.load_snapshot()}


def test_a_report_shows_the_fits_then_the_close_fits_a_gate_rules_out() -> None:
    snapshot = fm.load_snapshot()
    profile = fm.Profile(
        name="Marseille open data SME",
        keywords=("open data", "smart city"),
        country="FR",
        organisation_type="sme",
    )
    # A moment when some of the snapshot's calls are still open.
    now = max(d.at for c in snapshot for d in c.deadlines) - timedelta(days=150)
    matcher = fm.Matcher(snapshot)
    shown = report_matches(matcher, profile, now=now, limit=5, ruled_out=3, min_score=0)
    fits = matcher.rank(profile, now=now, limit=5, min_score=0)  # the report's minimum
    assert [m.call.id for m in shown if not m.blockers] == [m.call.id for m in fits]
    blocked = [m for m in shown if m.blockers]
    assert len(blocked) <= 3
    assert all(m.call.status(now) != "closed" for m in blocked)
