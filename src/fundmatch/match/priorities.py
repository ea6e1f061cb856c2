"""What a call's programme funds, matched to a profile: the ``priority`` reason.

Transcribed Interreg calls carry their programme's priorities, specific objectives and
missions (``Call.priorities``). The index reads them as the call's own words; this module
finds the one a profile's words match best and quotes it, in the programme's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fundmatch.match.weights import Weights
from fundmatch.models import Call, Priority, Reason

__all__ = ["priority_label", "priority_reason", "priority_text"]

_FRAMES = ("mission", "challenge")
"""Kinds that frame a programme's priorities rather than being one (Euro-MED's missions)."""


def priority_text(priority: Priority) -> str:
    """A programme priority as the index reads it: its name, then what it covers."""
    return f"{priority.name}. {priority.description}" if priority.description else priority.name


def priority_label(priority: Priority, priorities: Iterable[Priority]) -> str:
    """``priority 2 'A Greener Mediterranean', specific objective 2.4 '…'``: a specific
    objective with the priority it belongs to (the one whose code begins its own)."""
    if priority.kind == "specific objective" and "." in priority.code:
        head = priority.code.split(".", 1)[0]
        parent = next((p for p in priorities if p.kind == "priority" and p.code == head), None)
        if parent is not None:
            return f"{parent.label()}, {priority.label()}"
    return priority.label()


def priority_reason(
    call: Call,
    read: Iterable[tuple[Priority, frozenset[int]]],
    profile: Mapping[int, float],
    names: Mapping[int, str],
    weights: Weights,
) -> Reason | None:
    """The ``priority`` reason of ``call`` for a profile, or None when no priority matches.

    ``read`` is each of the call's priorities with its index columns; ``profile`` the profile's
    weight of each column (TF-IDF, unit length) and ``names`` its words for them. A priority
    matches by the share of the profile's weight found in it; the best one earns
    ``Weights.priority`` pro rata of ``Weights.priority_full``, none under
    ``Weights.priority_least``. Quoted: the best priority or specific objective, and the best
    mission or challenge when one matches too, then the profile's words behind them.
    """
    best: dict[bool, tuple[float, Priority, list[int]]] = {}
    for priority, columns in read:
        shared = sorted(columns & profile.keys(), key=lambda c: -profile[c])
        share = sum(profile[c] for c in shared)
        frame = priority.kind in _FRAMES
        if share >= weights.priority_least and (frame not in best or share > best[frame][0]):
            best[frame] = (share, priority, shared)
    if not best:
        return None
    quoted = sorted(best.values(), key=lambda b: -b[0])
    words: list[str] = []
    for name in (names.get(c, "") for _, _, shared in quoted for c in shared):
        # heaviest first; a theme is no word, and a word inside a phrase shown is not repeated
        shown = {word for phrase in words for word in phrase.split()}
        if name and not name.startswith("theme:") and not set(name.split()) <= shown:
            words.append(name)
    labels = " and ".join(priority_label(p, call.priorities) for _, p, _ in quoted)
    evidence = f"{call.programme or 'the programme'} funds {labels}"
    if words:
        evidence += ": the profile says " + ", ".join(f"'{n}'" for n in words[:4])
    return Reason(
        factor="priority",
        points=round(weights.priority * min(1.0, quoted[0][0] / weights.priority_full), 2),
        evidence=evidence,
    )
