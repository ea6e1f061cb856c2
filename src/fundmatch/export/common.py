"""What every export shares: calls or matches in, text out, the same stage names and reasons."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from fundmatch.display import reason_text
from fundmatch.models import Call, Deadline, Match

__all__ = ["CallsOrMatches", "emit", "split", "stage_name", "top_reasons"]

CallsOrMatches = Iterable[Call] | Iterable[Match]
"""What every export takes: calls, or the matches of a profile (then scores are included)."""


def split(data: CallsOrMatches) -> tuple[list[Call], list[Match] | None]:
    """The calls, and the matches when ``data`` holds matches (never a mix)."""
    items: list[Any] = list(data)
    if items and all(isinstance(item, Match) for item in items):
        return [m.call for m in items], items
    if all(isinstance(item, Call) for item in items):
        return items, None
    raise TypeError("an export takes calls or matches, not a mix of both or other objects")


def emit(text: str, file: TextIO | None) -> str:
    if file is not None:
        file.write(text)
    return text


def top_reasons(match: Match, count: int = 3) -> list[str]:
    best = sorted(match.reasons, key=lambda r: r.points, reverse=True)[:count]
    return [f"{reason_text(r)} ({r.points:+.1f} points)" for r in best]


def stage_name(call: Call, deadline: Deadline, stage: int) -> str:
    if deadline.label:
        return deadline.label
    if len(call.deadlines) == 1:
        return "deadline"
    return f"stage {stage}" if call.deadline_model == "two-stage" else f"cut-off {stage}"
