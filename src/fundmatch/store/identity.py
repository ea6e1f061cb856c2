"""Whether two calls are the same one, and what changed between two versions (pure).

No SQL: :mod:`fundmatch.store.upsert` gathers the candidates and writes the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from datetime import UTC
from typing import Any

from rapidfuzz import fuzz

from fundmatch.models import Call, FieldChange

__all__ = [
    "ADDED_FIELDS",
    "TITLE_SIMILARITY",
    "day_keys",
    "field_changes",
    "identity_keys",
    "same_call",
    "title_numbers",
]

TITLE_SIMILARITY = 90.0
"""Smallest rapidfuzz ``token_sort_ratio`` of two titles (with a common deadline day) that
makes two calls from different sources the same call."""


ADDED_FIELDS = frozenset({"kind"})
"""Call fields added after stores held versions without them: a version that lacks the field
was written before it existed, so its first value is no change of the call (a stored topic
does not become "changed" when the Portal's type of result is first read)."""


def identity_keys(call: Call) -> set[str]:
    """``id:<identifier>`` keys: a call of another source with one of them is this call."""
    # call_id is shared by every topic of a call, so it does not identify one call.
    return {f"id:{v.strip().casefold()}" for v in (call.id, call.topic_id) if v}


def day_keys(call: Call) -> set[str]:
    """``day:<YYYY-MM-DD>`` keys of the deadlines (UTC days): candidates for a title match."""
    return {f"day:{d.at.astimezone(UTC).date().isoformat()}" for d in call.deadlines}


def title_numbers(title: str) -> frozenset[str]:
    """The numbers a title names: "Call 4 (2024)" and "Call 5 (2024)" are not the same call,
    however alike the rest of their words."""
    return frozenset(re.findall(r"\d+", title))


def same_call(
    call: Call,
    keys: Mapping[str, Set[str]],
    titles: Mapping[str, str],
    taken: Set[str],
) -> str | None:
    """The stored call that ``call`` is, if any.

    ``keys`` maps each identity and day key to the stored calls (of other sources) holding it,
    ``titles`` gives their titles, ``taken`` the calls already matched in this listing. Same
    id or topic id wins; else the most similar title (at least :data:`TITLE_SIMILARITY`, same
    numbers) among calls with a common deadline day.
    """
    if not keys:
        return None
    by_id = sorted({c for k in identity_keys(call) for c in keys.get(k, ())} - taken)
    if by_id:
        return by_id[0]
    same_day = sorted({c for k in day_keys(call) for c in keys.get(k, ())} - taken)
    title = call.title.casefold()
    numbers = title_numbers(title)
    scored = [
        (fuzz.token_sort_ratio(title, titles[c].casefold()), c)
        for c in same_day
        if c in titles and title_numbers(titles[c]) == numbers
    ]
    best = max(scored, default=None, key=lambda s: s[0])
    if best is not None and best[0] >= TITLE_SIMILARITY:
        return best[1]
    return None


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Each field of a call's JSON that differs between two versions, old and new (a field of
    :data:`ADDED_FIELDS` the old version lacks is no change)."""
    names = list(new) + [k for k in old if k not in new]
    names = [n for n in names if n in old or n not in ADDED_FIELDS]
    return [
        FieldChange(field=name, old=old.get(name), new=new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    ]
