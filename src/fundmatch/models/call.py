"""A funding call and its parts: deadlines, budgets, documents and where facts were read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, field_validator, model_validator

from fundmatch.display import minute, shorten
from fundmatch.models.base import (
    Amount,
    CallKind,
    CallStatus,
    Country,
    DeadlineModel,
    FundmatchModel,
    HttpUrl,
    Instrument,
    Language,
    NutsCode,
    OrganisationType,
    Rate,
    RequiredUrl,
    _aware,
    _http_url,
)


class Deadline(FundmatchModel):
    """One submission deadline (one stage or cut-off) in the time zone the call states it in.

    ``Deadline(at=datetime(2024, 6, 12, 13, 0), timezone="Europe/Brussels")`` is 13:00 Brussels
    time; a naive ``at`` without ``timezone`` is refused. An aware ``at`` is kept as given and
    ``timezone`` defaults to its zone name when it has one.
    """

    at: datetime
    """The deadline instant, time-zone aware (ISO 8601 with offset in JSON)."""
    timezone: str | None = None
    """IANA time zone the call states the deadline in, e.g. ``Europe/Brussels``."""
    label: str | None = None
    """What this deadline is for, e.g. ``stage 1``, ``cut-off 2``, ``full proposal``."""

    @model_validator(mode="before")
    @classmethod
    def _localise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        at, tz = data.get("at"), data.get("timezone")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                return data  # let pydantic report the field
        if isinstance(at, datetime):
            if tz:
                zone = _zone(tz)
                at = at.replace(tzinfo=zone) if at.tzinfo is None else at.astimezone(zone)
            elif isinstance(at.tzinfo, ZoneInfo):
                data["timezone"] = at.tzinfo.key
            data["at"] = at
        return data

    @field_validator("at")
    @classmethod
    def _aware_at(cls, value: datetime) -> datetime:
        if value.utcoffset() is None:
            raise ValueError("a deadline needs a time zone: give an aware datetime or `timezone`")
        return value

    def local(self, tz: str | None = None) -> datetime:
        """The deadline in ``tz`` (an IANA name), or in its own time zone when None."""
        zone = tz or self.timezone
        return self.at.astimezone(_zone(zone)) if zone else self.at

    def __lt__(self, other: Deadline) -> bool:
        return self.at < other.at


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


class ActionBudget(FundmatchModel):
    """The budget of one type of action inside a call or topic, as the source breaks it down."""

    action: str = Field(min_length=1)
    """The type of action, as the source names it, e.g. ``HORIZON-RIA HORIZON Research and
    Innovation Actions``."""
    total: Amount | None = None
    """Budget for this type of action (every budget year added up)."""
    per_project_min: Amount | None = None
    """Smallest contribution one project may request."""
    per_project_max: Amount | None = None
    """Largest contribution one project may request."""
    expected_grants: int | None = Field(default=None, ge=0)
    """How many projects of this type of action the call expects to fund."""


class Budget(FundmatchModel):
    """Money of a call: the total envelope and what one project may receive. Unknown is None."""

    total: Amount | None = None
    """Total budget of the call or topic."""
    per_project_min: Amount | None = None
    """Smallest contribution one project may request."""
    per_project_max: Amount | None = None
    """Largest contribution one project may request."""
    expected_grants: int | None = Field(default=None, ge=0)
    """How many projects the call expects to fund."""
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency code."""
    actions: tuple[ActionBudget, ...] = ()
    """The budget per type of action, when the source gives it (Portal topicDetails)."""

    @model_validator(mode="after")
    def _ordered(self) -> Budget:
        low, high = self.per_project_min, self.per_project_max
        if low is not None and high is not None and low > high:
            raise ValueError("per_project_min is larger than per_project_max")
        return self


class FactSource(FundmatchModel):
    """Where some facts of a call were read: the page or rule document, and on which day.

    ``FactSource(url="https://interreg-euro-med.eu/...", read_on=date(2026, 11, 27),
    facts=("deadlines", "budget"))`` says the call's deadlines and budget come from that page
    as read on that day. ``facts`` are :class:`Call` field names (``budget`` covers the whole
    budget, ``deadlines`` their time zone and the deadline model).
    """

    url: RequiredUrl
    """The page or document the facts were read from (http or https)."""
    read_on: date
    """The day the page was read (for a stored copy: the day the copy was read)."""
    facts: tuple[str, ...] = Field(min_length=1)
    """The :class:`Call` fields whose values come from this page."""
    note: str = ""
    """What the page is, or how the facts were read (e.g. a programme rule inherited)."""


class Priority(FundmatchModel):
    """What a call's programme funds: one of its priorities, specific objectives or missions.

    Transcribed from the programme's own pages or its Interreg Programme document, in the
    programme's words, with the page and the day it was read: ``Priority(code="2.4",
    kind="specific objective", name="Promoting climate change adaptation and disaster risk
    prevention, resilience, taking into account eco-system-based approaches", url=...,
    read_on=date(2026, 12, 7))``.
    """

    code: str = ""
    """The programme's number for it: ``"2"`` for a priority, ``"2.4"`` for a specific objective
    of priority 2, ``"Mission 3"``; empty when the page gives none."""
    kind: Literal["priority", "specific objective", "mission", "challenge"] = "priority"
    """What it is in the programme: a priority (axis), a specific objective of a priority, or a
    thematic frame the programme sets across them (Euro-MED's missions, Maritime's challenges)."""
    name: str = Field(min_length=1)
    """Its name as the programme writes it (``"A Greener Mediterranean"``)."""
    description: str = ""
    """What the page says it covers, beyond the name; empty when it says nothing more."""
    url: RequiredUrl
    """The page or document it was read from."""
    read_on: date
    """The day that page was read."""

    def label(self) -> str:
        """Its kind, code and name for a sentence: ``specific objective 2.4 'Promoting…'``."""
        if not self.code:
            return f"{self.kind} '{self.name}'"
        if self.code[0].isdigit():
            return f"{self.kind} {self.code} '{self.name}'"
        return f"{self.code} '{self.name}'"  # the code names its kind ("Mission 3")


class Link(FundmatchModel):
    """A document of a call: the call document, an annex, a template, the submission form."""

    title: str = Field(min_length=1)
    """What the document is, as the source names it."""
    url: Annotated[str, Field(min_length=1), AfterValidator(_http_url)]
    """Where it is (http or https only)."""


class ParentTopic(FundmatchModel):
    """The Portal topic whose grant funds the project that runs a cascade-funding call.

    ``ParentTopic(id="HORIZON-EIE-2021-INNOVSMES-01-01", title="European Partnership on
    Innovative SMEs")``: Eurostars call 12 is run by the partnership funded under that topic.
    """

    id: str = Field(min_length=1)
    """The parent topic's identifier, e.g. ``HORIZON-EIE-2021-INNOVSMES-01-01``."""
    title: str | None = None
    """The parent topic's title, as the Portal lists it beside the cascade call."""
    url: HttpUrl = None
    """The parent topic's page on the Portal."""


class Call(FundmatchModel):
    """One funding call or topic, from the Funding & Tenders Portal or a programme's feed.

    Only ``id`` and ``title`` are required; whatever a source does not say stays unknown
    (None or empty) rather than guessed. Its status at a given moment is :meth:`status`.
    """

    id: str = Field(min_length=1)
    """Stable identifier: the Portal topic id (``HORIZON-CL5-2024-D4-02-01``), the Portal
    reference of a cascade-funding call (``15342COMPETITIVE_CALLen``: its own key, never its
    parent topic's) or the feed's guid."""
    title: str = Field(min_length=1)
    """Title as published."""
    description: str = ""
    """Plain-text description (HTML already reduced to text)."""
    source: str | None = None
    """Name of the registry source that reported the call (see ``calls/sources.toml``)."""
    url: HttpUrl = None
    """Link to the official call page (http or https only)."""
    documents: tuple[Link, ...] = ()
    """The call's documents (call document, annexes, templates, submission), when known."""
    programme: str | None = None
    """Funding programme, e.g. ``Horizon Europe``, ``Interreg Euro-MED``, ``LIFE``."""
    call_id: str | None = None
    """Identifier of the call the topic belongs to, e.g. ``HORIZON-CL5-2024-D4-02``."""
    topic_id: str | None = None
    """Identifier of the topic inside the call, when it differs from ``id``."""
    keywords: tuple[str, ...] = ()
    """Keywords given by the source."""
    tags: tuple[str, ...] = ()
    """Tags and other labels given by the source (themes, priorities, clusters)."""
    instrument: Instrument | None = None
    """Grant, tender, prize, loan or other; None when the source does not say."""
    kind: CallKind | None = Field(default=None, exclude_if=lambda value: value is None)
    """What the Portal lists this as: ``topic``, ``call for proposals`` or ``cascade`` (a
    cascade-funding call: an open call of an EU-funded project giving grants to third
    parties). None when the source does not say (programme feeds, transcribed calls); then
    left out of dumps."""
    parent: ParentTopic | None = Field(default=None, exclude_if=lambda value: value is None)
    """For a cascade-funding call: the Portal topic whose grant funds the project running it
    (its id is never the call's own). None otherwise; then left out of dumps."""
    action_type: str | None = None
    """Type of action, e.g. ``HORIZON-RIA``, ``Interreg project``."""
    reported_status: CallStatus = "unknown"
    """Status as the source reported it when fetched; :meth:`status` derives it from the dates."""
    opening: datetime | None = None
    """When submissions open (aware)."""
    deadlines: tuple[Deadline, ...] = ()
    """Every submission deadline, in time order (each stage or cut-off)."""
    deadline_model: DeadlineModel | None = None
    """Single-stage, two-stage or multiple cut-off. When not given: single-stage for at most one
    deadline, multiple cut-off for several."""
    budget: Budget = Budget()
    """Total envelope and per-project range."""
    co_financing_rate: Rate | None = None
    """Share of eligible costs the programme pays, a fraction from 0 to 1 (0.8 = 80 %)."""
    countries: tuple[Country, ...] = ()
    """Eligible countries (ISO 3166-1 alpha-2; ``EL``, ``UK`` accepted). Empty: not stated."""
    countries_complete: bool = True
    """False when ``countries`` is known to name only some of the eligible countries (a
    programme rule that leaves out associated or partner countries): a country not listed is
    then unknown to the geography gate, not ruled out."""
    regions: tuple[NutsCode, ...] = ()
    """Eligible NUTS 2024 regions (2021 codes are mapped). Empty: not stated."""
    organisation_types: tuple[OrganisationType, ...] = ()
    """Organisation types that may apply. Empty: not stated."""
    min_partners: int | None = Field(default=None, ge=1)
    """Smallest number of partners (applicant included) in a consortium."""
    min_countries: int | None = Field(default=None, ge=1)
    """Smallest number of different countries in a consortium."""
    languages: tuple[Language, ...] = ()
    """Languages the call is published in or accepts (ISO 639-1)."""
    published: datetime | None = None
    """When the source published the call (aware)."""
    updated: datetime | None = None
    """When the source last updated the call (aware)."""
    priorities: tuple[Priority, ...] = Field(default=(), exclude_if=lambda value: not value)
    """What the call's programme funds in this call: its priorities, specific objectives and
    missions in the programme's words, each with the page it was read from (transcribed
    Interreg calls). The index reads them with the description and the ``priority`` reason
    quotes the one the profile's words match. Empty: not stated (left out of dumps)."""
    fact_sources: tuple[FactSource, ...] = Field(default=(), exclude_if=lambda value: not value)
    """Where hand-transcribed or inherited facts come from, each with the day it was read.
    Facts a source reports directly (the Portal, a feed) carry none; the field is then left
    out of dumps."""

    @field_validator("opening", "published", "updated")
    @classmethod
    def _aware_dates(cls, value: datetime | None, info: Any) -> datetime | None:
        return _aware(value, info.field_name)

    @field_validator("deadlines")
    @classmethod
    def _sorted(cls, value: tuple[Deadline, ...]) -> tuple[Deadline, ...]:
        return tuple(sorted(value, key=lambda d: d.at))

    @field_validator("countries", "regions", "keywords", "tags", "organisation_types")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in value if v))

    @field_validator("fact_sources")
    @classmethod
    def _known_facts(cls, value: tuple[FactSource, ...]) -> tuple[FactSource, ...]:
        for source in value:
            unknown = [f for f in source.facts if f not in cls.model_fields]
            if unknown:
                raise ValueError(
                    f"facts name no Call field: {', '.join(unknown)} (from {source.url})"
                )
        return value

    @model_validator(mode="after")
    def _default_model(self) -> Call:
        if self.deadline_model is None:
            model = "single-stage" if len(self.deadlines) <= 1 else "multiple cut-off"
            object.__setattr__(self, "deadline_model", model)
        return self

    def next_deadline(self, now: datetime) -> Deadline | None:
        """The next deadline a new applicant must meet at ``now``, or None if none is left.

        Two-stage calls: the first stage (the second is for invited applicants only).
        """
        _aware(now, "now")
        if self.deadline_model == "two-stage":
            candidates = self.deadlines[:1]
        else:
            candidates = self.deadlines
        return next((d for d in candidates if d.at > now), None)

    def status(self, now: datetime) -> CallStatus:
        """Forthcoming, open, closed or unknown at ``now``, from the dates.

        A call with no deadline is never "open": it is unknown unless it has not opened yet
        (forthcoming) or its source says it is closed. A two-stage call closes to new
        applicants after its first stage; a multiple cut-off call stays open until its last.
        """
        _aware(now, "now")
        if self.opening is not None and now < self.opening:
            return "forthcoming"
        if not self.deadlines:
            return "closed" if self.reported_status == "closed" else "unknown"
        if self.next_deadline(now) is None:
            return "closed"
        if self.opening is None and self.reported_status == "forthcoming":
            return "forthcoming"
        return "open"

    def days_left(self, now: datetime) -> int | None:
        """Whole days from ``now`` to :meth:`next_deadline` (rounded down: 0 on its last day),
        or None when there is none. ``next_deadline(now).at - now`` gives the exact span."""
        nxt = self.next_deadline(now)
        return None if nxt is None else (nxt.at - now) // timedelta(days=1)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """A short repr: id, title (cut), programme and deadlines, never the description."""
        yield "id", self.id
        yield "title", shorten(self.title, 60)
        if self.programme:
            yield "programme", self.programme
        if self.deadlines:
            yield (
                "deadlines",
                [f"{minute(d.local())} {d.timezone or ''}".strip() for d in self.deadlines],
            )
