"""Writing things for people: moments and deadlines in a zone, money, short texts.

The one place that decides how fundmatch shows a date, a deadline, an amount or a cut title;
the CLI, the HTML report, the digests and the exports all call it. Pure: plain values in, text
out (no clock, no environment). It imports nothing else of fundmatch, so every layer may use it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = [
    "FIT_LABELS",
    "age_text",
    "application_kind",
    "country_code",
    "days_text",
    "deadline_sentence",
    "deadline_text",
    "fit_label",
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


def days_text(days: int) -> str:
    """``12 days left``, ``1 day left``, ``less than a day left`` (``days`` whole days)."""
    if days < 1:
        return "less than a day left"
    return f"{days} day{'s' if days != 1 else ''} left"


def age_text(data_date: date, now: datetime) -> str:
    """How old data of ``data_date`` is at ``now``: ``17 Aug 2026, 112 days old``.

    The age is counted in whole days from ``now``'s own date (an aware datetime).
    """
    if now.utcoffset() is None:
        raise ValueError("now must carry a time zone (got a naive datetime)")
    days = (now.date() - data_date).days
    if days == 0:
        age = "from today"
    elif days < 0:
        age = "dated after now"
    else:
        age = f"{days} day{'s' if days != 1 else ''} old"
    return f"{data_date.day} {data_date:%b %Y}, {age}"


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
    return f"{moment(own)} {zone_label(deadline.timezone)}{_elsewhere(deadline, tz)}"


def _elsewhere(deadline: DeadlineLike, tz: str | None, *, weekday: bool = False) -> str:
    """`` (16:00 Lisbon time)``: the deadline in ``tz`` when its clock there differs (with the
    date, and its ``weekday`` when asked, when the day differs too); else nothing."""
    own = deadline.local()
    if not tz or tz == deadline.timezone:
        return ""
    there = deadline.at.astimezone(ZoneInfo(tz))
    if there.utcoffset() == own.utcoffset() and deadline.timezone is not None:
        return ""
    if there.date() == own.date():
        return f" ({there:%H:%M} {zone_label(tz)})"
    day = f"{there:%A} " if weekday else ""
    return f" ({there:%H:%M} {zone_label(tz)}, {day}{moment(there)})"


def deadline_sentence(
    deadline: DeadlineLike, tz: str | None = None, *, now: datetime | None = None
) -> str:
    """A deadline as a person reads it, the date first, then (with ``now``) the days left, then
    any caveat: ``Thursday 4 November 2027, 17:00 Brussels time (16:00 Lisbon time) (332 days
    left) - 17:00 Brussels time assumed (the source gives the date only)``."""
    own = deadline.local()
    text = f"{own:%A} {own.day} {own:%B %Y}, {own:%H:%M} {zone_label(deadline.timezone)}"
    text += _elsewhere(deadline, tz, weekday=True)
    if now is not None:
        text += f" ({days_text((deadline.at - now) // timedelta(days=1))})"
    return f"{text} - {deadline.label}" if deadline.label else text


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


# --- what a match means for the reader ------------------------------------------------

FIT_LABELS: tuple[tuple[float, str], ...] = (
    (30.0, "strong fit"),
    (20.0, "good fit"),
    (0.0, "weak fit"),
)
"""The plain label of a score: the first band whose lower bound the score reaches. The bands
come from the share of right calls per score band measured on the cordis-he benchmark (see
docs/matching.md, "What a score means", for the figures and how to measure them again)."""


def fit_label(score: float) -> str:
    """``strong fit``, ``good fit`` or ``weak fit`` for a score of 0-100 (:data:`FIT_LABELS`)."""
    for floor, label in FIT_LABELS:
        if score >= floor:
            return label
    return FIT_LABELS[-1][1]


# The EU writes Greece as EL and the United Kingdom as UK (ISO 3166-1: GR, GB); fundmatch keeps
# ISO codes inside and shows the EU's, as profiles and calls write them.
_ISO_TO_EU = {"GR": "EL", "GB": "UK"}


def country_code(code: str) -> str:
    """A country code as the EU writes it: ``GR`` → ``EL``, ``GB`` → ``UK``, others unchanged;
    a NUTS code (``EL613``) is already the EU's."""
    return _ISO_TO_EU.get(code, code)


def _millions(amount: Decimal, currency: str) -> str:
    sign = "€" if currency == "EUR" else f"{currency} "
    if amount >= 1_000_000:
        value = f"{amount / 1_000_000:.1f}".removesuffix(".0")
        return f"{sign}{value} M"
    if amount >= 1_000:
        return f"{sign}{amount / 1_000:.0f}k"
    return f"{sign}{amount:,.0f}"


def application_kind(
    *,
    min_partners: int | None,
    min_countries: int | None,
    per_project_min: Decimal | None,
    per_project_max: Decimal | None,
    currency: str = "EUR",
    consortium_action: bool = False,
    budget_max: Decimal | None = None,
    gap: str | None = None,
) -> str:
    """How a profile would apply to a call, in a few words: ``alone``, ``as a partner of a
    consortium (€5.4 M per project)``, ``needs 3 partners from 3 countries``, or
    ``partnership not stated``.

    Plain values in (the call's partnership rule and per-project amount, whether its type of
    action is a consortium's, the profile's largest budget): every surface that shows a match
    calls this one function. A per-project amount above what the profile can handle (its
    ``budget_max``) means joining a consortium rather than leading it. ``gap`` (the words of a
    :class:`~fundmatch.models.PartnershipGap`, ``needs 2 more partners from 2 more countries``)
    says what the profile still has to find: ``needs 5 partners from 5 countries (2 more
    partners from 2 more countries to find)``.
    """
    partners = min_partners or 0
    countries = min_countries or 0
    amount = per_project_min if per_project_min is not None else per_project_max
    too_large = (
        per_project_min is not None and budget_max is not None and per_project_min > budget_max
    )
    rule = ""
    if partners > 1 and countries > 1:
        rule = f"needs {partners} partners from {countries} countries"
    elif partners > 1:
        rule = f"needs {partners} partners"
    elif countries > 1:
        rule = f"needs partners from {countries} countries"
    if rule and gap:
        rule += f" ({gap.removeprefix('needs ')} to find)"
    if too_large and amount is not None:
        kind = f"as a partner of a consortium ({_millions(amount, currency)} per project)"
        return f"{kind}; {rule}" if rule else kind
    if rule:
        return rule
    if min_partners == 1 and not consortium_action:
        return "alone"
    if consortium_action:
        return "in a consortium"
    return "partnership not stated"
