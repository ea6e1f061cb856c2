"""How much of what the eligibility gates need the calls actually state.

``fundmatch.coverage(calls)`` counts, for each fact the gates read (eligible countries,
organisation types, regions, minimum partners, opening date, budget, co-financing rate), how
many calls state it; :meth:`Coverage.table` prints the shares. ``fundmatch calls --stats``
shows it for the store or the bundled snapshot, beside the same figures for Interreg calls,
and the count of calls by kind and status (:func:`kinds`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from pydantic import Field

from fundmatch.models import Budget, Call, FundmatchModel

__all__ = [
    "FACTS",
    "KINDS",
    "STATUSES",
    "Coverage",
    "coverage",
    "coverage_table",
    "is_interreg",
    "kinds",
    "kinds_table",
]

FACTS: dict[str, str] = {
    "countries": "eligible countries",
    "organisation_types": "organisation types",
    "regions": "regions",
    "min_partners": "minimum partners",
    "opening": "opening date",
    "budget": "budget",
    "co_financing_rate": "co-financing rate",
}
"""The facts counted, by Call field, with their names in the table."""


_INTERREG = re.compile(r"interreg\b|urbact\b|espon\b|interact\b", re.IGNORECASE)


def is_interreg(call: Call) -> bool:
    """True for a call of an Interreg programme (URBACT, ESPON and INTERACT included)."""
    return call.id.startswith("interreg-") or bool(_INTERREG.match(call.programme or ""))


def _states(call: Call, fact: str) -> bool:
    if fact == "budget":
        return call.budget != Budget()
    value = getattr(call, fact)
    return value is not None and value != ()


class Coverage(FundmatchModel):
    """How many of ``calls`` calls state each fact of :data:`FACTS`."""

    label: str = "calls"
    """What the calls are (a column heading)."""
    calls: int = 0
    """How many calls were counted."""
    counts: dict[str, int] = Field(default_factory=dict)
    """Calls stating each fact, by Call field name."""

    def share(self, fact: str) -> float | None:
        """The fraction of calls stating ``fact`` (0 to 1), or None when there are no calls."""
        if fact not in FACTS:
            raise ValueError(f"unknown fact {fact!r}: one of {', '.join(FACTS)}")
        return self.counts.get(fact, 0) / self.calls if self.calls else None

    def table(self) -> str:
        """The shares as a plain-text table, one fact a line."""
        return coverage_table([self])


def coverage(calls: Iterable[Call], *, label: str = "calls") -> Coverage:
    """Count the calls stating each fact the gates read (see :data:`FACTS`)."""
    counts = dict.fromkeys(FACTS, 0)
    total = 0
    for call in calls:
        total += 1
        for fact in FACTS:
            counts[fact] += _states(call, fact)
    return Coverage(label=label, calls=total, counts=counts)


def _cell(cov: Coverage, fact: str) -> str:
    share = cov.share(fact)
    if share is None:
        return "-"
    return f"{share:6.1%} ({cov.counts.get(fact, 0)})"


def coverage_table(columns: list[Coverage]) -> str:
    """Several coverages side by side: one row per fact, one column per coverage."""
    heads = [f"{c.label} ({c.calls})" for c in columns]
    rows = [[name, *(_cell(c, fact) for c in columns)] for fact, name in FACTS.items()]
    widths = [max(len(r[i]) for r in [["fact", *heads], *rows]) for i in range(len(heads) + 1)]
    lines = []
    for row in [["fact", *heads], *rows]:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        lines.append("  ".join([first, *rest]).rstrip())
    return "\n".join(lines)


KINDS: dict[str | None, str] = {
    "topic": "topic",
    "call for proposals": "call for proposals",
    "cascade": "cascade funding",
    None: "other (feeds, transcribed)",
}
"""The kinds counted (``Call.kind``), with their names in the table."""
STATUSES = ("open", "forthcoming", "closed", "unknown")


def kinds(calls: Iterable[Call], *, now: datetime) -> dict[str, dict[str, int]]:
    """How many calls of each kind are open, forthcoming, closed or unknown at ``now``.

    By kind name (:data:`KINDS`, every kind present even at zero), then status.
    """
    counts = {name: dict.fromkeys(STATUSES, 0) for name in KINDS.values()}
    for call in calls:
        counts[KINDS[call.kind]][call.status(now)] += 1
    return counts


def kinds_table(counts: dict[str, dict[str, int]]) -> str:
    """:func:`kinds` as a plain-text table: one row per kind and a total, one column per status."""
    total = {s: sum(row[s] for row in counts.values()) for s in STATUSES}
    rows = [
        [name, *(str(row[s]) for s in STATUSES), str(sum(row.values()))]
        for name, row in [*counts.items(), ("all", total)]
    ]
    head = ["kind", *STATUSES, "all"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join(
        "  ".join(
            [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))]
        )
        for r in [head, *rows]
    )
