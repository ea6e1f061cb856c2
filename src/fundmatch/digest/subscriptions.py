"""The subscriptions model (who receives which calls, how often) and reading the file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, field_validator, model_validator

from fundmatch.config import find_line, load_profile, load_toml, validate
from fundmatch.digest.clean import address, safe_url
from fundmatch.errors import ConfigError
from fundmatch.match import MIN_SCORE
from fundmatch.models import FundmatchModel, Profile

__all__ = ["DigestSettings", "Subscription", "Subscriptions", "load_subscriptions"]

Frequency = Literal["daily", "weekly"]

# A little slack so a cron job that starts a few minutes early is still due.
_PERIOD = {"daily": timedelta(hours=23), "weekly": timedelta(days=6, hours=23)}


def _zone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _unsubscribe(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower().startswith("mailto:"):
        address(value[7:].split("?", 1)[0])
        return value
    if value.lower().startswith("https://") and safe_url(value):
        return value
    raise ValueError("give a mailto: address or an https:// link")


EmailAddress = Annotated[str, AfterValidator(address)]
TimeZone = Annotated[str, AfterValidator(_zone_name)]


class Subscription(FundmatchModel):
    """Who receives which calls, and how often. Pausing or unsubscribing is a field."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """Stable name of the subscription (letters, digits, ``.``, ``_``, ``-``); the outbox keeps
    its history under this name, so renaming it starts afresh."""
    profile: Profile
    """The project to rank calls for: a path to a profile TOML file (relative to the
    subscriptions file) or an inline ``[subscription.profile]`` table."""
    recipients: tuple[EmailAddress, ...] = Field(min_length=1)
    """Who receives the digest; each recipient gets a message of their own."""
    min_score: float = Field(default=MIN_SCORE, ge=0, le=100)
    """Calls scoring below this are left out; by default the ranking's own minimum
    (``fundmatch.match.MIN_SCORE``, see docs/matching.md)."""
    max_items: int = Field(default=10, ge=1, le=100)
    """At most this many new calls shown in full (the best ones); the rest are listed in brief."""
    frequency: Frequency = "daily"
    """``daily`` or ``weekly``: a digest is due when this much time has passed since the last."""
    include_changes: bool = True
    """Also tell about changes (deadline moved, status or budget changed, call withdrawn) to
    calls already sent to the recipient."""
    reminders: tuple[Annotated[int, Field(ge=1, le=365)], ...] = (7,)
    """Remind this many days before the next deadline of a call already sent (``[14, 3]``)."""
    timezone: TimeZone = "Europe/Brussels"
    """The recipients' time zone: deadlines are shown in the call's zone and in this one."""
    paused: bool = False
    """A paused subscription sends nothing and keeps its place: on resume, the calls first
    seen while it was paused are candidates for its next digest."""
    unsubscribed: tuple[EmailAddress, ...] = ()
    """Recipients who asked to stop receiving this digest."""

    @field_validator("recipients", "unsubscribed")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("reminders")
    @classmethod
    def _sorted(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(value), reverse=True))

    def active_recipients(self) -> tuple[str, ...]:
        """The recipients who get a digest now: none when paused, never the unsubscribed."""
        if self.paused:
            return ()
        return tuple(r for r in self.recipients if r not in self.unsubscribed)

    def due(self, last: datetime | None, now: datetime) -> bool:
        """Whether a digest is due at ``now`` when the last one was made at ``last``."""
        return last is None or now - last >= _PERIOD[self.frequency]


class DigestSettings(FundmatchModel):
    """Settings shared by every subscription in a file (the ``[digest]`` table)."""

    list_unsubscribe: Annotated[str | None, AfterValidator(_unsubscribe)] = None
    """``mailto:`` address or ``https://`` page for the ``List-Unsubscribe`` header."""
    sender_name: str = Field(default="fundmatch", max_length=60)
    """Display name in the ``From`` header (the address comes from ``FUNDMATCH_MAIL_FROM``)."""


class Subscriptions(FundmatchModel):
    """A subscriptions file: shared settings and the subscriptions."""

    digest: DigestSettings = DigestSettings()
    """The ``[digest]`` table."""
    subscription: tuple[Subscription, ...] = Field(min_length=1)
    """The ``[[subscription]]`` tables."""

    @model_validator(mode="after")
    def _unique_names(self) -> Subscriptions:
        names = [s.name for s in self.subscription]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"subscription names must be unique: {', '.join(twice)}")
        return self


def load_subscriptions(path: str | Path) -> Subscriptions:
    """Load a subscriptions TOML file; profiles given as paths are read relative to it.

    Raises ConfigError naming the file, and the field and line of every mistake.
    """
    path = Path(path)
    data, text = load_toml(path)
    entries = data.get("subscription")
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("profile"), str):
                entry["profile"] = _profile_at(path, entry["profile"], index, text)
    return validate(Subscriptions, data, path=path, text=text)


def _profile_at(path: Path, value: str, index: int, text: str) -> Profile:
    target = Path(value) if Path(value).is_absolute() else path.parent / value
    if not target.is_file():
        line = find_line(text, ("subscription", index, "profile"))
        raise ConfigError(
            f"profile file not found: {value}",
            path=path,
            field=f"subscription.{index}.profile",
            line=line,
        )
    return load_profile(target)
