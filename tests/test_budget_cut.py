"""A ``budgetOverview`` cut mid-entry keeps the values whole before the cut (real ECCC topics).

The search API cuts its long metadata strings at a fixed length, mid-value, closing nothing.
The three topics of the call HORIZON-CL3-2026-02-CS-ECCC are real records of the listing of
1 April 2026 (``tests/data/sedia/listing/``); their overview is rebuilt from the budgets the
listing recorded and cut inside the ECCC-01 entry, the way the Portal cuts it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import fundmatch as fm
from fundmatch.sources.ftportal import parse_ftportal_page
from support.portal import budget_overview, feed_records, search_result

ECCC = "HORIZON-CL3-2026-02-CS-ECCC-"


def _topics() -> list[dict[str, object]]:
    records = [r for r in feed_records() if str(r["identifier"]).startswith(ECCC)]
    return sorted(records, key=lambda r: str(r["identifier"]), reverse=True)  # 03, 02, 01


def _cut_after(text: str, marker: str, extra: int) -> str:
    """``text`` cut ``extra`` characters after ``marker`` in the ECCC-01 entry."""
    entry = text.index(f'"action":"{ECCC}01')
    return text[: text.index(marker, entry) + len(marker) + extra]


def _page(overview: str) -> fm.sources.ftportal.PortalPage:
    results = [search_result(r, budget=overview) for r in _topics()]
    return parse_ftportal_page({"results": results})


def test_the_whole_overview_gives_each_topic_its_own_budget() -> None:
    page = _page(budget_overview(_topics()))
    budgets = {c.id[-2:]: c.budget for c in page.calls}
    assert budgets["01"] == fm.Budget(
        total=Decimal(20000000),
        per_project_min=Decimal(3000000),
        per_project_max=Decimal(4000000),
        expected_grants=5,
    )
    assert budgets["02"].total == 21200000 and budgets["03"].total == 15000000
    assert page.field_errors == []


def test_an_entry_cut_inside_its_yearly_amounts_keeps_its_contributions_and_grants() -> None:
    text = budget_overview(_topics())
    cut = _cut_after(text, '"budgetYearMap":{"2026":"', 3)  # ..."2026":"200
    assert cut.endswith('"2026":"200')
    page = _page(cut)
    calls = {c.id[-2:]: c for c in page.calls}
    assert calls["01"].budget == fm.Budget(
        per_project_min=Decimal(3000000), per_project_max=Decimal(4000000), expected_grants=5
    )
    # Not 200, not 2,000: an amount the cut falls inside is unknown, so is the total.
    assert calls["01"].budget.total is None
    assert calls["02"].budget.total == 21200000  # whole entries before the cut are untouched
    notes = [n for n in page.field_errors if n.startswith(f"{ECCC}01")]
    assert any("was cut" in n and "minContribution, maxContribution" in n for n in notes)


@pytest.mark.parametrize(
    ("marker", "extra", "low", "high"),
    [
        ('"maxContribution":', 4, Decimal(3000000), None),  # "maxContribution":4000
        ('"minContribution":', 7, None, None),  # "minContribution":3000000 (no comma yet)
        ('"expectedGrants":5,', 0, None, None),
    ],
)
def test_a_value_the_cut_falls_inside_is_never_read_from_its_fragment(
    marker: str, extra: int, low: Decimal | None, high: Decimal | None
) -> None:
    page = _page(_cut_after(budget_overview(_topics()), marker, extra))
    call = next(c for c in page.calls if c.id.endswith("01"))
    assert call.budget.per_project_min == low
    assert call.budget.per_project_max == high
    assert call.budget.total is None


def test_an_entry_cut_inside_its_action_belongs_to_no_topic() -> None:
    text = budget_overview(_topics())
    page = _page(text[: text.index(f'"action":"{ECCC}01') + 20])
    call = next(c for c in page.calls if c.id.endswith("01"))
    assert call.budget == fm.Budget()
