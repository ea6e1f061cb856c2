"""Sample calls the tests share: every shape an export, a store or a display must carry
(two-stage and cut-off deadlines, none at all, UTC offsets, accents), and matches of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import fundmatch as fm

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
"""The moment the sample matches were ranked at."""


def sample_calls() -> list[fm.Call]:
    """Calls with every shape an export must carry: stages, cut-offs, none, offsets, accents."""
    return [
        fm.Call(
            id="HORIZON-CL5-2024-D4-02-01",
            title="Open data for smart and climate-neutral cities",
            programme="Horizon Europe",
            url="https://ec.europa.eu/info/funding-tenders/opportunities/portal/topic/x",
            deadlines=[
                fm.Deadline(at=datetime(2024, 9, 17, 17), timezone="Europe/Brussels"),
                fm.Deadline(at=datetime(2025, 2, 18, 17), timezone="Europe/Brussels"),
            ],
            deadline_model="two-stage",
            opening=datetime(2024, 5, 2, tzinfo=UTC),
            budget=fm.Budget(total=Decimal(12_000_000), per_project_max=Decimal(4_000_000)),
            co_financing_rate=Decimal("0.7"),
            countries=["FR", "EL", "IT"],
            organisation_types=["sme", "university"],
            keywords=["open data", "smart city"],
        ),
        fm.Call(
            id="https://interreg-euro-med.eu/calls/3",
            title="Région Sud : appel à projets « Données ouvertes »",
            programme="Interreg Euro-MED",
            deadlines=[
                fm.Deadline(
                    at=datetime(2024, 7, 1, 12), timezone="Europe/Paris", label="cut-off 1"
                ),
                fm.Deadline(
                    at=datetime(2024, 11, 4, 12), timezone="Europe/Paris", label="cut-off 2"
                ),
                fm.Deadline(
                    at=datetime(2025, 3, 3, 12), timezone="Europe/Paris", label="cut-off 3"
                ),
            ],
            regions=["FRL04"],
            languages=["fr", "en"],
        ),
        fm.Call(
            id="feed-offset-1",
            title="Deadline given only as an offset",
            deadlines=[
                fm.Deadline(at=datetime(2024, 10, 1, 23, 59, tzinfo=timezone(timedelta(hours=3))))
            ],
        ),
        fm.Call(id="LIFE-2025-NO-DATE", title="A call with no known deadline", programme="LIFE"),
    ]


def sample_matches() -> fm.Matches:
    calls = sample_calls()
    return fm.Matches(
        [
            fm.Match(
                call=calls[0],
                score=72.5,
                reasons=(
                    fm.Reason(factor="keyword", points=30, evidence="'open data' in title"),
                    fm.Reason(factor="lexical", points=42.5, evidence="smart, city, data"),
                ),
            ),
            fm.Match(
                call=calls[1],
                score=40,
                reasons=(fm.Reason(factor="lexical", points=40),),
                blockers=(fm.Check(gate="geography", outcome="blocked", message="FR only"),),
            ),
        ],
        now=NOW,
    )
