"""Coverage: how many calls state what the gates read; the bundled snapshot's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import fundmatch as fm
from fundmatch.coverage import FACTS, coverage_table, is_interreg
from fundmatch.sources.snapshot import snapshot_age, snapshot_info


def test_coverage_counts_the_calls_stating_each_fact() -> None:
    calls = [
        fm.Call(id="a", title="A", countries=["FR"], budget={"total": "1000"}),
        fm.Call(id="b", title="B", regions=["FRL04"], min_partners=3),
        fm.Call(id="c", title="C"),
    ]

    cov = fm.coverage(calls)

    assert cov.calls == 3
    assert cov.counts == {
        "countries": 1,
        "organisation_types": 0,
        "regions": 1,
        "min_partners": 1,
        "opening": 0,
        "budget": 1,
        "co_financing_rate": 0,
    }
    assert cov.share("budget") == pytest.approx(1 / 3)
    assert fm.coverage([]).share("budget") is None
    with pytest.raises(ValueError, match="unknown fact"):
        cov.share("deadline")


def test_the_table_has_a_row_per_fact_and_a_column_per_group() -> None:
    calls = [fm.Call(id="a", title="A", countries=["FR"]), fm.Call(id="b", title="B")]
    table = coverage_table([fm.coverage(calls, label="all"), fm.coverage(calls[:1], label="one")])

    lines = table.splitlines()
    assert lines[0].split() == ["fact", "all", "(2)", "one", "(1)"]
    assert len(lines) == 1 + len(FACTS)
    assert lines[1].split() == ["eligible", "countries", "50.0%", "(1)", "100.0%", "(1)"]


def test_the_bundled_snapshot_meets_the_coverage_targets() -> None:
    calls = fm.load_snapshot()
    interreg = [c for c in calls if is_interreg(c)]

    # Topics: facts of their own, of the feed's budgetOverview or of their programme's rules
    # (CERV, Erasmus+ and other programmes name no general rule: their countries stay unknown).
    cov = fm.coverage([c for c in calls if c.kind == "topic"])
    assert cov.share("budget") >= 0.90
    assert cov.share("min_partners") >= 0.65
    assert cov.share("opening") >= 0.90
    assert cov.share("countries") >= 0.80
    # Cascade-funding calls: the listing gives their own dates, never their project's rules.
    cascade = [c for c in calls if c.kind == "cascade"]
    assert len(cascade) >= 50 and all(c.opening and c.deadlines for c in cascade)
    assert len(interreg) >= 15 and all(c.regions for c in interreg)
    assert all(c.fact_sources for c in interreg)


def test_the_snapshot_says_the_date_of_its_data() -> None:
    info = snapshot_info()

    assert info.data_date == date(2026, 8, 17)
    assert info.calls == len(fm.load_snapshot())


@pytest.mark.parametrize(
    ("day", "now", "line"),
    [
        (
            date(2026, 8, 22),
            datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
            "bundled snapshot of 22 Aug 2026, 97 days old; run `fundmatch update`",
        ),
        (
            date(2026, 11, 26),
            datetime(2026, 11, 27, tzinfo=UTC),
            "bundled snapshot of 26 Nov 2026, 1 day old; run `fundmatch update`",
        ),
        (
            date(2026, 11, 27),
            datetime(2026, 11, 27, tzinfo=UTC),
            "bundled snapshot of 27 Nov 2026, from today; run `fundmatch update`",
        ),
    ],
)
def test_the_snapshots_age_in_one_line(day: date, now: datetime, line: str) -> None:
    assert snapshot_age(day, now) == line


def test_the_age_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="time zone"):
        snapshot_age(date(2026, 8, 17), datetime(2026, 11, 27))


@pytest.mark.parametrize(
    ("call_id", "programme", "expected"),
    [
        ("interreg-euro-med-call-5", "Interreg Euro-MED", True),
        ("feed:1", "URBACT", True),
        ("feed:2", "ESPON", True),
        ("I3-2026-INV1", "Interregional Innovation Investments", False),
        ("HORIZON-CL4-2026-01", "Horizon Europe", False),
    ],
)
def test_interreg_calls_are_told_apart(call_id: str, programme: str, expected: bool) -> None:
    from fundmatch.coverage import is_interreg

    assert is_interreg(fm.Call(id=call_id, title="t", programme=programme)) is expected
