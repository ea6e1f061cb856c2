"""Writing things for people: moments and deadlines in a zone, money, short texts.

The one place that decides how fundmatch shows a date, a deadline, an amount or a cut title;
the CLI, the HTML report, the digests and the exports all call it. Pure: plain values in, text
out (no clock, no environment). It imports nothing else of fundmatch, so every layer may use it.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "deadline_text",
    "minute",
    "moment",
    "money",
    "reason_text",
    "shorten",
    "stamp",
    "when",
    "when_short",
    "zone_label",
]


class DeadlineLike(Protocol):
    """What is shown of a deadline (a :class:`fundmatch.models.Deadline`)."""

    @property
    def at(self) -> datetime: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def label(self) -> str | None: ...
    def local(self, tz: str | None = None) -> datetime: ...


# --- moments --------------------------------------------------------------------------


def minute(at: datetime) -> str:
    """``2026-03-01 17:00``: a moment in a table cell, in the zone it is given in."""
    return f"{at:%Y-%m-%d %H:%M}"


def stamp(at: datetime) -> str:
    """``2026-03-01 17:00 CET``: a table cell with the zone's abbreviation."""
    return at.strftime("%Y-%m-%d %H:%M %Z")


def moment(at: datetime) -> str:
    """``19 June 2025 17:00``: a moment in a sentence."""
    return f"{at.day} {at:%B %Y %H:%M}"


def zone_label(tz: str | None) -> str:
    """``Europe/Brussels`` → ``Brussels time``."""
    if not tz:
        return "UTC"
    return tz.rsplit("/", 1)[-1].replace("_", " ") + " time"


# --- deadlines ------------------------------------------------------------------------


def deadline_text(deadline: DeadlineLike) -> str:
    """A deadline in a list or a file: ``12 Jun 2024 17:00 Europe/Brussels (stage 1)``."""
    local = deadline.local()
    zone = deadline.timezone or local.strftime("UTC%z")
    text = f"{local.day} {local:%b %Y %H:%M} {zone}"
    return f"{text} ({deadline.label})" if deadline.label else text


def when(deadline: DeadlineLike, tz: str | None = None) -> str:
    """A deadline in a sentence, in its own zone, and in ``tz`` when that differs:
    ``19 June 2025 17:00 Brussels time (16:00 Lisbon time)``."""
    own = deadline.local()
    text = f"{moment(own)} {zone_label(deadline.timezone)}"
    if tz and tz != deadline.timezone:
        there = deadline.at.astimezone(ZoneInfo(tz))
        if there.utcoffset() != own.utcoffset() or deadline.timezone is None:
            text += f" ({there:%H:%M} {zone_label(tz)}"
            text += ")" if there.date() == own.date() else f", {moment(there)})"
    return text


def when_short(deadline: DeadlineLike) -> str:
    """A deadline in its own zone without the year, when the sentence gives the context:
    ``19 June 17:00``."""
    at = deadline.local()
    return f"{at.day} {at:%B %H:%M}"


# --- money and text -------------------------------------------------------------------


def money(amount: Decimal | None, currency: str = "EUR") -> str | None:
    """``EUR 1,500,000``, or None when unknown."""
    if amount is None:
        return None
    return f"{currency} {amount:,.0f}"


def shorten(value: object, width: int = 40) -> str:
    """``value`` on one line of at most ``width`` characters, cut at a word boundary with
    ``…`` when longer (a value that is not text is written as JSON first)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " ":
        space = cut.rfind(" ")
        if space > width // 2:
            cut = cut[:space]
    return cut.rstrip() + "…"


# --- reasons --------------------------------------------------------------------------


class ReasonLike(Protocol):
    """What is shown of a reason (a :class:`fundmatch.models.Reason`)."""

    @property
    def factor(self) -> str: ...
    @property
    def evidence(self) -> str: ...


def reason_text(reason: ReasonLike, width: int | None = None) -> str:
    """A reason of a score as its sentence, at most ``width`` characters (None: whole).

    A list of quoted phrases is cut after a whole phrase ("shared words: 'open data', 'data
    platform', …"), anything else at a word boundary (:func:`shorten`).
    """
    text = " ".join((reason.evidence or reason.factor).split())
    if width is None or len(text) <= width:
        return text
    for separator in ("; ", ", "):
        items = text.split(separator)
        if len(items) > 1:
            kept = items[0]
            for item in items[1:]:
                if len(kept) + len(separator) + len(item) + 2 > width:
                    break
                kept += separator + item
            if len(kept) + 2 <= width and kept.count("'") % 2 == 0:
                return kept + separator.rstrip() + " …"
    return shorten(text, width)
