"""Calls transcribed by hand from programme pages (``calls/snapshot/*.toml``).

Interreg programmes (and others without a machine-readable listing) publish their calls as
web pages; their facts are transcribed into TOML, one ``[[calls]]`` table per call, each
with ``[[calls.sources]]`` entries naming the page every fact was read from and the day it
was read (see ``docs/sources.md``, "Transcribed calls"). :func:`parse_transcribed` turns such
a file into :class:`~fundmatch.models.Call` objects whose ``fact_sources`` carry those pages;
a wrong entry is a :class:`~fundmatch.errors.ConfigError` naming the file, the call and the
field. Times are local to the call's ``timezone``; a deadline given as a date only is set to
the end of that day and its label says so.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator

from fundmatch.errors import ConfigError
from fundmatch.models import (
    Amount,
    Budget,
    Call,
    Country,
    Deadline,
    DeadlineModel,
    FactSource,
    FundmatchModel,
    HttpUrl,
    Instrument,
    Language,
    NutsCode,
    OrganisationType,
    Rate,
    RequiredUrl,
)
from fundmatch.sources.registry import TimeZone

__all__ = ["SOURCED_FACTS", "load_transcribed", "parse_transcribed"]

SOURCED_FACTS = (
    "deadlines",
    "opening",
    "budget",
    "co_financing_rate",
    "countries",
    "regions",
    "organisation_types",
    "min_partners",
    "min_countries",
)
"""Facts a transcribed call may state only with a source that covers them."""

END_OF_DAY = time(23, 59)
DATE_ONLY_LABEL = "time not stated: end of day assumed"

LocalTime = datetime | date | str
"""A local time as TOML gives it: a string, a local date-time or a date."""


class _DeadlineEntry(FundmatchModel):
    at: LocalTime
    label: str | None = None


class _SourceEntry(FundmatchModel):
    facts: tuple[str, ...] = Field(min_length=1)
    url: RequiredUrl
    read_on: date
    note: str = ""

    @field_validator("facts")
    @classmethod
    def _call_fields(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [fact for fact in value if fact not in Call.model_fields]
        if unknown:
            raise ValueError(f"not Call fields: {', '.join(unknown)}")
        return value


class _Entry(FundmatchModel):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field(min_length=1)
    programme: str | None = None
    url: HttpUrl = None
    instrument: Instrument | None = None
    action_type: str | None = None
    timezone: TimeZone | None = None
    opening: LocalTime | None = None
    deadlines: tuple[_DeadlineEntry, ...] = ()
    deadline_model: DeadlineModel | None = None
    budget_total: Amount | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    co_financing_rate: Rate | None = None
    min_partners: int | None = Field(default=None, ge=1)
    min_countries: int | None = Field(default=None, ge=1)
    countries: tuple[Country, ...] = ()
    regions: tuple[NutsCode, ...] = ()
    organisation_types: tuple[OrganisationType, ...] = ()
    tags: tuple[str, ...] = ()
    language: Language | None = None
    description: str = ""
    sources: tuple[_SourceEntry, ...] = Field(min_length=1)

    @field_validator("budget_total", "budget_min", "budget_max", "co_financing_rate", mode="before")
    @classmethod
    def _decimal_text(cls, value: Any) -> Any:
        return Decimal(str(value)) if isinstance(value, float) else value

    @model_validator(mode="after")
    def _consistent(self) -> _Entry:
        if (self.deadlines or self.opening is not None) and self.timezone is None:
            raise ValueError("dates are local times: give the programme's `timezone`")
        covered = {fact for source in self.sources for fact in source.facts}
        missing = [fact for fact in SOURCED_FACTS if self._states(fact) and fact not in covered]
        if missing:
            raise ValueError(f"no [[calls.sources]] entry covers: {', '.join(missing)}")
        return self

    def _states(self, fact: str) -> bool:
        if fact == "budget":
            return any(v is not None for v in (self.budget_total, self.budget_min, self.budget_max))
        value = getattr(self, fact)
        return value is not None and value != ()


def _local(value: LocalTime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """The aware moment of a local time, and whether only a date was given."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an ISO date or date-time") from exc
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(zone), False
        return value.replace(tzinfo=zone), False
    return datetime.combine(value, END_OF_DAY, zone), True


def _call(entry: _Entry, source: str | None) -> Call:
    zone = ZoneInfo(entry.timezone) if entry.timezone else None
    deadlines = []
    for item in entry.deadlines:
        assert zone is not None  # checked by the entry
        at, date_only = _local(item.at, zone)
        label = item.label
        if date_only:
            label = f"{label}; {DATE_ONLY_LABEL}" if label else DATE_ONLY_LABEL
        deadlines.append(Deadline(at=at, timezone=entry.timezone, label=label))
    opening = None
    if entry.opening is not None:
        assert zone is not None
        opening, date_only = _local(entry.opening, zone)
        if date_only:  # opening on a day: from its start
            opening = opening.replace(hour=0, minute=0)
    return Call(
        id=entry.id,
        title=entry.title,
        description=entry.description,
        source=source,
        url=entry.url,
        programme=entry.programme,
        tags=entry.tags,
        instrument=entry.instrument,
        action_type=entry.action_type,
        opening=opening,
        deadlines=tuple(deadlines),
        deadline_model=entry.deadline_model,
        budget=Budget(
            total=entry.budget_total,
            per_project_min=entry.budget_min,
            per_project_max=entry.budget_max,
        ),
        co_financing_rate=entry.co_financing_rate,
        countries=entry.countries,
        regions=entry.regions,
        organisation_types=entry.organisation_types,
        min_partners=entry.min_partners,
        min_countries=entry.min_countries,
        languages=(entry.language,) if entry.language else (),
        fact_sources=tuple(
            FactSource(url=s.url, read_on=s.read_on, facts=s.facts, note=s.note)
            for s in entry.sources
        ),
    )


def _line_of(text: str, call_id: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        key, _, value = line.partition("=")
        if key.strip() == "id" and value.strip().strip("\"'") == call_id:
            return number
    return None


def _where(loc: tuple[int | str, ...]) -> str | None:
    return ".".join(str(part) for part in loc) or None


def parse_transcribed(
    text: str, *, path: str | Path = "<transcribed>", source: str | None = None
) -> list[Call]:
    """The calls of one transcribed-calls TOML text; ``source`` is the name they carry.

    Raises ConfigError naming ``path``, the call (its ``id``, or its position) and the field.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from exc
    entries = data.get("calls")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("no [[calls]] table", path=path)
    calls: list[Call] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(entries, start=1):
        call_id = str(raw.get("id") or "") if isinstance(raw, Mapping) else ""
        name = f"call {call_id!r}" if call_id else f"call number {number}"
        line = _line_of(text, call_id) if call_id else None
        try:
            entry = _Entry.model_validate(raw)
            calls.append(_call(entry, source))
        except ValidationError as exc:
            error = exc.errors()[0]
            raise ConfigError(
                f"{name}: {error['msg']}", path=path, field=_where(error["loc"]), line=line
            ) from exc
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}", path=path, line=line) from exc
        if entry.id in seen:
            raise ConfigError(
                f"{name}: the id is used twice (also call number {seen[entry.id]})",
                path=path,
                line=line,
            )
        seen[entry.id] = number
    return calls


def load_transcribed(path: str | Path, *, source: str | None = None) -> list[Call]:
    """The calls of a transcribed-calls TOML file (see :func:`parse_transcribed`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("file not found", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from exc
    return parse_transcribed(text, path=path, source=source)
