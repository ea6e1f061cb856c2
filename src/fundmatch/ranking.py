"""What the commands rank from: the store's calls (or the bundled snapshot when the store is
empty), how old the snapshot is when they use it, and the matches a report shows."""

from __future__ import annotations

from datetime import datetime

from fundmatch.errors import ConfigError
from fundmatch.match import MIN_SCORE, Matcher
from fundmatch.models import Call, CallStatus, Matches, Profile
from fundmatch.sources.snapshot import SNAPSHOT_SOURCE, load_snapshot, snapshot_age, snapshot_info
from fundmatch.store import Store

__all__ = [
    "DEFAULT_MIN_SCORE",
    "calls_or_snapshot",
    "report_matches",
    "snapshot_line",
    "snapshot_only",
]

DEFAULT_MIN_SCORE = MIN_SCORE
"""The lowest score (0-100) a match needs to be listed, exported, reported or sent unless asked
otherwise: the ranking's own default minimum (``Weights.min_score``; docs/matching.md)."""


def calls_or_snapshot(
    store: Store,
    *,
    now: datetime,
    status: CallStatus | None = None,
    programme: str | None = None,
) -> tuple[list[Call], bool]:
    """The store's calls with ``status`` at ``now`` and ``programme`` (case-insensitive, inside
    the programme's name); the bundled snapshot, filtered alike, when the store holds no call.

    Returns the calls and whether they come from the snapshot.
    """
    found = store.calls(status=status, now=now, programme=programme)
    if found or ((status or programme) and store.calls()):
        return found, False
    calls = load_snapshot()
    if status is not None:
        calls = [c for c in calls if c.status(now) == status]
    if programme:
        calls = [c for c in calls if programme.casefold() in (c.programme or "").casefold()]
    return calls, True


def snapshot_only(store: Store) -> bool:
    """True when the only source the store has read is the bundled snapshot (``update
    --offline``): its calls are as old as the snapshot."""
    states = store.source_states()
    return bool(states) and all(state.name == SNAPSHOT_SOURCE for state in states)


def snapshot_line(now: datetime) -> str:
    """The bundled snapshot's date and age at ``now`` in one line (see
    :func:`~fundmatch.sources.snapshot.snapshot_age`)."""
    try:
        info = snapshot_info()
    except ConfigError:
        return "bundled snapshot (its date is unknown); run `fundmatch update`"
    return snapshot_age(info.data_date, now)


def report_matches(
    matcher: Matcher,
    profile: Profile,
    *,
    now: datetime,
    limit: int,
    ruled_out: int,
    min_score: float = DEFAULT_MIN_SCORE,
) -> Matches:
    """What a report shows, ranked once: the ``limit`` best fits, then up to ``ruled_out``
    close fits a gate rules out (not the calls that simply closed); all at ``min_score`` or
    more."""
    ranked = matcher.rank(profile, now=now, limit=None, include_blocked=True, min_score=min_score)
    fits = [m for m in ranked if not m.blockers][:limit]
    blocked = [m for m in ranked if m.blockers and m.call.status(now) != "closed"]
    return Matches([*fits, *blocked[:ruled_out]], now=now, profile=profile)
