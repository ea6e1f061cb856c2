"""Calls transcribed by hand from programme pages (``calls/snapshot/*.toml``).

Interreg programmes (and others without a machine-readable listing) publish their calls as
web pages; their facts are transcribed into TOML, one ``[[calls]]`` table per call, each
with ``[[calls.sources]]`` entries naming the page every fact was read from and the day it
was read (see ``docs/sources.md``, "Transcribed calls"). :func:`parse_transcribed` turns such
a file into :class:`~fundmatch.models.Call` objects whose ``fact_sources`` carry those pages;
a wrong entry is a :class:`~fundmatch.errors.ConfigError` naming the file, the call and the
field. Times are local to the call's ``timezone``; a deadline given as a date only is set to
the end of that day and its label says so.

What a programme funds (its priorities, specific objectives and missions) is transcribed once
per programme in a ``[[programmes]]`` table, each entry covered by a ``[[programmes.sources]]``
page; every call of that ``programme`` carries them as :class:`~fundmatch.models.Priority`
facts (or the ones its ``priorities`` list names).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
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
    Priority,
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


class _PriorityEntry(FundmatchModel):
    code: str = ""
    kind: Literal["priority", "specific objective", "mission", "challenge"] = "priority"
    name: str = Field(min_length=1)
    description: str = ""

    @property
    def key(self) -> str:
        """How sources and calls name it: its code, or its name when it has none."""
        return self.code or self.name


class _ProgrammeSource(FundmatchModel):
    url: RequiredUrl
    read_on: date
    priorities: tuple[str, ...] = Field(min_length=1)
    note: str = ""


class _Programme(FundmatchModel):
    name: str = Field(min_length=1)
    priorities: tuple[_PriorityEntry, ...] = Field(min_length=1)
    sources: tuple[_ProgrammeSource, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _covered(self) -> _Programme:
        keys = [p.key for p in self.priorities]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"priorities named twice: {', '.join(twice)}")
        named = {k for source in self.sources for k in source.priorities}
        unknown = sorted(named - set(keys))
        if unknown:
            raise ValueError(f"sources name no priority of the programme: {', '.join(unknown)}")
        missing = [k for k in keys if k not in named]
        if missing:
            raise ValueError(f"no [[programmes.sources]] entry covers: {', '.join(missing)}")
        return self

    def resolved(self) -> dict[str, tuple[Priority, _ProgrammeSource]]:
        """Each priority by its key, with the first page that covers it."""
        found = {}
        for entry in self.priorities:
            source = next(s for s in self.sources if entry.key in s.priorities)
            priority = Priority(
                code=entry.code,
                kind=entry.kind,
                name=entry.name,
                description=entry.description,
                url=source.url,
                read_on=source.read_on,
            )
            found[entry.key] = (priority, source)
        return found


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
    priorities: tuple[str, ...] | None = None
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


_Funded = dict[str, tuple[Priority, _ProgrammeSource]]
"""A programme's priorities by key, each with the page it was read from."""


def _funded(entry: _Entry, programmes: dict[str, _Funded]) -> _Funded:
    """The priorities of the call's programme that the call funds (all unless it names some)."""
    funded = programmes.get(entry.programme or "")
    if funded is None:
        if entry.priorities:
            raise ValueError(f"no [[programmes]] table for {entry.programme!r} names priorities")
        return {}
    if entry.priorities is None:
        return funded
    unknown = [k for k in entry.priorities if k not in funded]
    if unknown:
        raise ValueError(f"not priorities of {entry.programme}: {', '.join(unknown)}")
    return {k: v for k, v in funded.items() if k in entry.priorities}


def _call(entry: _Entry, source: str | None, funded: _Funded | None = None) -> Call:
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
        priorities=tuple(priority for priority, _ in (funded or {}).values()),
        fact_sources=(
            *(
                FactSource(url=s.url, read_on=s.read_on, facts=s.facts, note=s.note)
                for s in entry.sources
            ),
            *(
                FactSource(url=s.url, read_on=s.read_on, facts=("priorities",), note=s.note)
                for s in {id(s): s for _, s in (funded or {}).values()}.values()
            ),
        ),
    )


def _line_of(text: str, value: str, key: str = "id") -> int | None:
    """The line where ``key = "value"`` stands (read only when an error is reported)."""
    if not value:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        found, _, written = line.partition("=")
        if found.strip() == key and written.strip().strip("\"'") == value:
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
    programmes = _programmes(data.get("programmes", []), text, path)
    calls: list[Call] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(entries, start=1):
        call_id = str(raw.get("id") or "") if isinstance(raw, Mapping) else ""
        name = f"call {call_id!r}" if call_id else f"call number {number}"
        try:
            entry = _Entry.model_validate(raw)
            calls.append(_call(entry, source, _funded(entry, programmes)))
        except ValidationError as exc:
            error = exc.errors()[0]
            raise ConfigError(
                f"{name}: {error['msg']}",
                path=path,
                field=_where(error["loc"]),
                line=_line_of(text, call_id),
            ) from exc
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}", path=path, line=_line_of(text, call_id)) from exc
        if entry.id in seen:
            raise ConfigError(
                f"{name}: the id is used twice (also call number {seen[entry.id]})",
                path=path,
                line=_line_of(text, call_id),
            )
        seen[entry.id] = number
    return calls


def _programmes(raw: Any, text: str, path: str | Path) -> dict[str, _Funded]:
    """The ``[[programmes]]`` tables: each programme's priorities by key, by programme name."""
    if not isinstance(raw, list):
        raise ConfigError("`programmes` must be [[programmes]] tables", path=path)
    found: dict[str, _Funded] = {}
    for number, table in enumerate(raw, start=1):
        name = str(table.get("name") or "") if isinstance(table, Mapping) else ""
        where = f"programme {name!r}" if name else f"programme number {number}"
        try:
            programme = _Programme.model_validate(table)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise ConfigError(
                f"{where}: {error['msg']}",
                path=path,
                field=_where(("programmes", *error["loc"])),
                line=_line_of(text, name, "name"),
            ) from exc
        if programme.name in found:
            raise ConfigError(
                f"{where}: the programme is transcribed twice",
                path=path,
                line=_line_of(text, name, "name"),
            )
        found[programme.name] = programme.resolved()
    return found


def load_transcribed(path: str | Path, *, source: str | None = None) -> list[Call]:
    """The calls of a transcribed-calls TOML file (see :func:`parse_transcribed`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("file not found", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from exc
    return parse_transcribed(text, path=path, source=source)
