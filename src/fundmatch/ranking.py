"""What the commands rank from: the store's calls (or the bundled snapshot when the store is
empty), how old the snapshot is when they use it, the one way a matcher is built for the
commands, the report and the digest, and the matches a report shows."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from fundmatch.errors import ConfigError
from fundmatch.match import MIN_SCORE, Matcher, Meaning
from fundmatch.models import Call, CallStatus, Matches, Profile
from fundmatch.sources.registry import calls_path
from fundmatch.sources.snapshot import SNAPSHOT_SOURCE, load_snapshot, snapshot_age, snapshot_info
from fundmatch.store import Store, default_path
from fundmatch.vectors import load_vectors, save_vectors

__all__ = [
    "DEFAULT_MIN_SCORE",
    "build_matcher",
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


def build_matcher(
    calls: Sequence[Call],
    *,
    meaning: bool = False,
    store: str | Path | None = None,
    say: Callable[[str], None] | None = None,
) -> Matcher:
    """The matcher of ``calls`` that ``match``, the exports, the report and the digest rank with.

    ``meaning``: closeness of meaning counts too (the ``meaning`` extra), read with the vectors
    of the bundled snapshot and those kept beside ``store`` (``<store>.meaning.npz``; None: the
    default store), where the vectors of calls read for the first time are kept for the next
    runs. ``say`` hears what takes time.
    """
    if not meaning:
        return Matcher(calls)
    model, kept = _meaning(store)
    unread = model.unknown(calls)
    if unread and say is not None:
        say(f"reading the meaning of {unread} calls (once: kept for the next runs)")
    matcher = Matcher(calls, meaning=model)
    if model.read and kept is not None:
        save_vectors(model, kept)
    return matcher


def _meaning(store: str | Path | None) -> tuple[Meaning, Path | None]:
    """The sentence model, with the vectors of the bundled snapshot and those kept beside the
    store (``<store>.meaning.npz``, returned: where to keep the vectors of new calls)."""
    model = Meaning()
    with contextlib.suppress(ConfigError):  # a checkout without the snapshot's vectors
        load_vectors(model, calls_path("snapshot/meaning.npz"))
    where = store if store is not None else default_path()
    kept = None if str(where) == ":memory:" else Path(f"{where}.meaning.npz")
    if kept is not None:
        load_vectors(model, kept)
    return model, kept


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
