"""Reasons for people: each factor of a score named in words, the strongest reasons as text.

The evidence of a :class:`~fundmatch.models.Reason` is already written in words (the phrases
as they stand in the call and the profile); :func:`fundmatch.display.reason_text` shortens
one by whole phrases, never inside a word.
"""

from __future__ import annotations

from collections.abc import Sequence

from fundmatch.display import reason_text
from fundmatch.models import Reason

__all__ = ["FACTORS", "reason_text", "reasons_text"]

FACTORS = {
    "lexical": "words in common",
    "meaning": "close in meaning",
    "keyword": "your keywords",
    "theme": "same theme",
    "priority": "what the programme funds",
    "open-topic": "open to any topic",
    "instrument": "the instrument you named",
    "purpose": "made for what you set out to do",
    "closing-soon": "closes soon",
    "budget-fit": "budget fits",
}
"""Each factor of the score named for people."""


def reasons_text(reasons: Sequence[Reason], count: int = 3, width: int | None = None) -> list[str]:
    """The strongest reasons that add points, in words, strongest first."""
    best = sorted(reasons, key=lambda r: -r.points)
    return [reason_text(r, width) for r in best[:count] if r.points > 0]
