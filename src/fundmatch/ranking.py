"""What the commands rank from: the store's calls (or the bundled snapshot when the store is
empty), how old the snapshot is when they use it, the one way a matcher is built for the
commands, the report and the digest, and the matches a report shows."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import platformdirs

from fundmatch.errors import ConfigError
from fundmatch.match import MIN_SCORE, Matcher, Meaning
from fundmatch.models import Call, CallStatus, LeftOut, Match, Matches, Profile
from fundmatch.sources.registry import calls_path
from fundmatch.sources.snapshot import SNAPSHOT_SOURCE, load_snapshot, snapshot_age, snapshot_info
from fundmatch.store import Store, beside, default_address
from fundmatch.vectors import load_vectors, save_vectors

__all__ = [
    "DEFAULT_MIN_SCORE",
    "MEANING_SWITCH",
    "build_matcher",
    "calls_or_snapshot",
    "data_date",
    "kept_vectors",
    "meaning_default",
    "read_meaning",
    "report_matches",
    "shortlist",
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


MEANING_SWITCH = "FUNDMATCH_MEANING"
"""The environment variable that turns closeness of meaning off for every command and digest
(``off``, ``0``, ``no`` or ``false``): what ``--no-meaning`` does for one command."""

_OFF = frozenset({"off", "0", "no", "false"})


def meaning_default() -> bool:
    """Whether closeness of meaning counts when the caller does not say: yes, unless
    ``$FUNDMATCH_MEANING`` is ``off`` (or ``0``, ``no``, ``false``)."""
    return os.environ.get(MEANING_SWITCH, "").strip().casefold() not in _OFF


def build_matcher(
    calls: Sequence[Call],
    *,
    meaning: bool | None = None,
    store: str | Path | None = None,
    say: Callable[[str], None] | None = None,
) -> Matcher:
    """The matcher of ``calls`` that ``match``, the exports, the report and the digest rank with.

    ``meaning``: closeness of meaning counts beside the words (None, the default:
    :func:`meaning_default`, on unless ``$FUNDMATCH_MEANING`` is ``off``), read with the
    vectors of the bundled snapshot and those kept for ``store`` (:func:`kept_vectors`; None:
    the default store), where the vectors of calls read for the first time are kept for the
    next runs. ``say`` hears what takes time. ``Matcher(calls)`` itself ranks by words alone.
    """
    if not (meaning_default() if meaning is None else meaning):
        return Matcher(calls)
    model = read_meaning(calls, store=store, say=say)
    return Matcher(calls, meaning=model)


def read_meaning(
    calls: Sequence[Call],
    *,
    store: str | Path | None = None,
    say: Callable[[str], None] | None = None,
) -> Meaning:
    """The sentence model with a vector for each of ``calls``: those of the bundled snapshot and
    those kept for ``store`` (:func:`kept_vectors`), the others read now (about half a second
    each on two cores; ``say`` hears how many) and kept there for the next runs."""
    model = Meaning()
    with contextlib.suppress(ConfigError):  # a checkout without the snapshot's vectors
        load_vectors(model, calls_path("snapshot/meaning.npz"))
    kept = kept_vectors(store)
    if kept is not None:
        load_vectors(model, kept)
    unread = model.unknown(calls)
    if unread and say is not None:
        kept_where = (
            "kept for the next runs" if kept is not None else "an in-memory store keeps none"
        )
        say(f"reading the meaning of {unread} calls once (about 0.5 s each; {kept_where})")
    model.calls(calls)
    if model.read and kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        save_vectors(model, kept)
    return model


def kept_vectors(store: str | Path | None) -> Path | None:
    """Where the sentence model's vectors of a store's calls are kept: ``<store>.meaning.npz``
    beside an SQLite store (None: the default store); for a PostgreSQL store, which keeps no
    file beside it, ``meaning.npz`` in the user's cache folder (vectors are kept by the digest
    of the text they were read from, so stores may share it); None for an in-memory store."""
    text = str(store if store is not None else default_address())
    if text.startswith(("postgresql://", "postgres://")):
        return platformdirs.user_cache_path("fundmatch", appauthor=False) / "meaning.npz"
    return beside(store, ".meaning.npz")


def data_date(store: Store, *, from_snapshot: bool) -> date | None:
    """The day the calls were read: the bundled snapshot's own date when the calls are the
    snapshot's (``from_snapshot``, or a store that read only the snapshot), else the oldest last
    successful read among the store's sources (the least fresh part of the data); None when
    unknown."""
    if from_snapshot or snapshot_only(store):
        try:
            return snapshot_info().data_date
        except ConfigError:
            return None
    reads = [s.last_success for s in store.source_states() if s.last_success is not None]
    return min(reads).date() if reads else None


def _closed_only(match: Match, now: datetime) -> bool:
    """Whether the only reason ``match`` is ruled out is that its call has closed."""
    return (
        bool(match.blockers)
        and match.call.status(now) == "closed"
        and all(b.gate == "deadline" for b in match.blockers)
    )


def _left_out(
    every: Matches,
    shown: list[Match],
    *,
    now: datetime,
    limit: int | None,
    include_blocked: bool,
    min_score: float,
    hints: dict[str, str] | None = None,
    closed_if_closed: bool = False,
) -> LeftOut:
    """What ``every`` (each call that scored, blocked or not) has that ``shown`` leaves out.

    A hidden call counts as ``closed`` when closing is all that rules it out (``match
    --include-closed`` shows it), or, with ``closed_if_closed``, whenever it is closed (the
    report, which never shows closed calls)."""
    ids = {m.call.id for m in shown}
    listed = [m for m in every if m.score >= min_score and (include_blocked or not m.blockers)]
    full = limit is not None and len(shown) >= limit
    bar = min(m.score for m in shown) if full and shown else min_score
    hidden = [
        m
        for m in every
        if m.blockers
        and m.call.id not in ids
        and not include_blocked
        and (m.score > bar if full else m.score >= bar)
    ]

    def closed(m: Match) -> bool:
        return m.call.status(now) == "closed" if closed_if_closed else _closed_only(m, now)

    return LeftOut(
        shown=len(shown),
        min_score=min_score,
        more=sum(1 for m in listed if m.call.id not in ids),
        under=sum(1 for m in every if m.score < min_score and (include_blocked or not m.blockers)),
        closed=sum(1 for m in hidden if closed(m)),
        ruled_out=sum(1 for m in hidden if not closed(m)),
        full=full,
        hints=hints or {},
    )


def shortlist(
    matcher: Matcher,
    profile: Profile,
    *,
    now: datetime,
    limit: int | None = 10,
    include_closed: bool = False,
    include_blocked: bool = False,
    min_score: float = DEFAULT_MIN_SCORE,
    data_date: date | None = None,
) -> Matches:
    """The matches :meth:`Matcher.rank` lists with the same options, with what the list leaves
    out (:class:`~fundmatch.models.LeftOut`) and the data's date on the :class:`Matches`.

    Ranks every call that scores once (any score, blocked or not) and cuts the list from it:
    the calls under ``min_score``, beyond ``limit``, closed or ruled out by a gate are counted,
    not shown. A closed or ruled-out call counts when it scores more than the list's last call
    (or, when the list is not full, at least ``min_score``).
    """
    every = matcher.rank(
        profile,
        now=now,
        limit=None,
        include_closed=include_closed,
        include_blocked=True,
        min_score=0,
    )
    listed = [m for m in every if m.score >= min_score and (include_blocked or not m.blockers)]
    shown = listed if limit is None else listed[:limit]
    left_out = _left_out(
        every,
        shown,
        now=now,
        limit=limit,
        include_blocked=include_blocked,
        min_score=min_score,
    )
    return Matches(shown, now=now, profile=profile, data_date=data_date, left_out=left_out)


def report_matches(
    matcher: Matcher,
    profile: Profile,
    *,
    now: datetime,
    limit: int,
    ruled_out: int,
    min_score: float = DEFAULT_MIN_SCORE,
    data_date: date | None = None,
) -> Matches:
    """What a report shows, ranked once: the ``limit`` best fits, then up to ``ruled_out``
    close fits a gate rules out (not the calls that simply closed); all at ``min_score`` or
    more. ``left_out`` counts the rest, with the report's options and ``match``'s to see them."""
    every = matcher.rank(profile, now=now, limit=None, include_blocked=True, min_score=0)
    ranked = [m for m in every if m.score >= min_score]
    fits = [m for m in ranked if not m.blockers][:limit]
    blocked = [m for m in ranked if m.blockers and m.call.status(now) != "closed"]
    shown = [*fits, *blocked[:ruled_out]]
    left_out = _left_out(
        every,
        fits,
        now=now,
        limit=limit,
        include_blocked=False,
        min_score=min_score,
        hints={"closed": "fundmatch match --include-blocked", "ruled_out": "--ruled-out"},
        closed_if_closed=True,
    )
    left_out = replace(left_out, ruled_out=max(0, left_out.ruled_out - len(blocked[:ruled_out])))
    return Matches(shown, now=now, profile=profile, data_date=data_date, left_out=left_out)
