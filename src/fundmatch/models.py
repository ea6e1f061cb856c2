"""The data model: calls, their deadlines and budgets, project profiles, matches and changes.

Plain, frozen pydantic models with no I/O (loading a profile file lives in ``config.py``).
Field docstrings are the documentation and flow into the JSON Schema (``fundmatch schema``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from fundmatch import geo
from fundmatch.display import minute, shorten

__all__ = [
    "ActionBudget",
    "Budget",
    "Call",
    "CallStatus",
    "Change",
    "Check",
    "Deadline",
    "DeadlineModel",
    "FactSource",
    "FieldChange",
    "Instrument",
    "Link",
    "Match",
    "Matches",
    "OrganisationType",
    "Profile",
    "Reason",
    "json_dump",
    "json_schemas",
]

Instrument = Literal["grant", "tender", "prize", "loan", "other"]
"""How the money is given: grant, public tender (procurement), prize, loan or financial
instrument, or something else."""

CallStatus = Literal["forthcoming", "open", "closed", "unknown"]
DeadlineModel = Literal["single-stage", "two-stage", "multiple cut-off"]
OrganisationType = Literal[
    "public-authority",
    "sme",
    "large-enterprise",
    "research-organisation",
    "university",
    "ngo",
    "cluster",
    "international-organisation",
    "individual",
    "other",
]


class FundmatchModel(BaseModel):
    """Base of every model: immutable, unknown fields rejected, docstrings in the schema."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )


# --- reusable field types -------------------------------------------------------------


def _country(value: str) -> str:
    return geo.normalise_country(value)


def _nuts(value: str) -> str:
    return geo.normalise_nuts(value)


def _http_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    scheme = value.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or "://" not in value:
        raise ValueError("only http:// and https:// links are accepted")
    return value


def _language(value: str) -> str:
    code = value.strip().lower()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise ValueError(f"{value!r} is not a two-letter ISO 639-1 language code")
    return code


Country = Annotated[str, AfterValidator(_country)]
NutsCode = Annotated[str, AfterValidator(_nuts)]
HttpUrl = Annotated[str | None, AfterValidator(_http_url)]
RequiredUrl = Annotated[str, Field(min_length=1), AfterValidator(_http_url)]
Language = Annotated[str, AfterValidator(_language)]
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{field} must carry a time zone (got a naive datetime)")
    return value


# --- calls ----------------------------------------------------------------------------


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


class Link(FundmatchModel):
    """A document of a call: the call document, an annex, a template, the submission form."""

    title: str = Field(min_length=1)
    """What the document is, as the source names it."""
    url: Annotated[str, Field(min_length=1), AfterValidator(_http_url)]
    """Where it is (http or https only)."""


class Call(FundmatchModel):
    """One funding call or topic, from the Funding & Tenders Portal or a programme's feed.

    Only ``id`` and ``title`` are required; whatever a source does not say stays unknown
    (None or empty) rather than guessed. Its status at a given moment is :meth:`status`.
    """

    id: str = Field(min_length=1)
    """Stable identifier: the Portal topic id (``HORIZON-CL5-2024-D4-02-01``) or the feed's guid."""
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

    def days_left(self, now: datetime) -> float | None:
        """Days from ``now`` to :meth:`next_deadline`, or None when there is none."""
        nxt = self.next_deadline(now)
        return None if nxt is None else (nxt.at - now) / timedelta(days=1)

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


# --- profiles -------------------------------------------------------------------------


class Profile(FundmatchModel):
    """A project, as its leader describes it, to rank calls against.

    Only ``name`` and ``description`` are required. Load one from TOML with
    :func:`fundmatch.load_profile`.
    """

    name: str = Field(min_length=1)
    """Short name of the project or organisation."""
    description: str = ""
    """What the project does, in any language."""
    keywords: tuple[str, ...] = ()
    """Keywords and phrases that must count, in any language (``open data``, ``smart city``)."""
    country: Country | None = None
    """Country where the organisation is established (ISO alpha-2; ``EL``/``UK`` accepted).
    Derived from ``region`` when only that is given."""
    region: NutsCode | None = None
    """NUTS region where the organisation is established (any level), e.g. ``FRL04``."""
    organisation_type: OrganisationType | None = None
    """What kind of organisation applies."""
    instruments: tuple[Instrument, ...] = ("grant",)
    """Which instruments it seeks; grants only by default."""
    budget_min: Amount | None = None
    """Smallest grant worth applying for."""
    budget_max: Amount | None = None
    """Largest grant the organisation can handle (and co-finance)."""
    prep_days: int = Field(default=0, ge=0)
    """Days needed to prepare an application; closer deadlines are ruled out."""
    languages: tuple[Language, ...] = ()
    """Languages the team works in (ISO 639-1)."""
    exclude: tuple[str, ...] = ()
    """Terms that rule a call out when they appear in it."""
    partner_countries: tuple[Country, ...] = ()
    """Countries where it already has partners."""
    partners: int | None = Field(default=None, ge=0)
    """How many partner organisations it already has (itself not counted)."""

    @model_validator(mode="after")
    def _country_from_region(self) -> Profile:
        if self.region is not None:
            own = geo.region_country(self.region)
            if self.country is None:
                object.__setattr__(self, "country", own)
            elif self.country != own:
                raise ValueError(f"region {self.region} is not in country {self.country}")
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValueError("budget_min is larger than budget_max")
        return self


# --- ranking results ------------------------------------------------------------------


class Reason(FundmatchModel):
    """One factor of a score: what counted, on what evidence, for how many points."""

    factor: str
    """The factor, e.g. ``lexical``, ``keyword``, ``theme``, ``closing-soon``."""
    points: float
    """Points this factor adds to the score (negative for a penalty)."""
    evidence: str = ""
    """What was matched and where, in words a person can check."""


class Check(FundmatchModel):
    """The outcome of one eligibility gate for one call."""

    gate: str
    """The gate: ``deadline``, ``instrument``, ``geography``, ``organisation``, ``budget``,
    ``partnership``, ``exclude``."""
    outcome: Literal["pass", "blocked", "unknown", "flag"]
    """``blocked`` rules the call out; ``unknown`` (the call does not say) never does;
    ``flag`` is worth knowing (e.g. not open yet)."""
    message: str
    """Why, in a sentence."""


class Match(FundmatchModel):
    """A call ranked for a profile: its score, the reasons that add up to it, its blockers."""

    call: Call
    """The call."""
    score: float = Field(ge=0, le=100)
    """Relevance, 0 to 100: the sum of the reasons' points, clipped to that range."""
    reasons: tuple[Reason, ...] = ()
    """Every factor of the score with its points and evidence."""
    blockers: tuple[Check, ...] = ()
    """Gates the call fails for this profile; empty when the profile may apply."""
    notes: tuple[Check, ...] = ()
    """Gates that could not be decided (unknown) and flags worth reading."""

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """A short repr: score, the call's id and title, the count of reasons and blockers."""
        yield "score", round(self.score, 1)
        yield "call", self.call.id
        yield "title", shorten(self.call.title, 60)
        yield "reasons", len(self.reasons)
        if self.blockers:
            yield "blockers", [b.gate for b in self.blockers]

    def _repr_html_(self) -> str:
        """A small table for notebooks: score, title (linked), deadlines, reasons, blockers."""
        call = self.call
        title = escape(call.title)
        if call.url:
            title = f'<a href="{escape(call.url)}">{title}</a>'
        deadlines = "<br>".join(
            escape(
                f"{minute(d.local())} {d.timezone or ''}".strip()
                + (f" ({d.label})" if d.label else "")
            )
            for d in call.deadlines
        )
        reasons = "<br>".join(
            escape(f"{r.points:+.1f} {r.factor}" + (f": {r.evidence}" if r.evidence else ""))
            for r in sorted(self.reasons, key=lambda r: r.points, reverse=True)
        )
        rows = [
            ("score", f"{self.score:.1f}"),
            ("title", f"{title}<br><small>{escape(call.id)}</small>"),
            ("deadline", deadlines or "not stated"),
            ("reasons", reasons or "none"),
        ]
        if self.blockers:
            blocked = "<br>".join(escape(f"{b.gate}: {b.message}") for b in self.blockers)
            rows.append(("blocked", blocked))
        body = "".join(
            f'<tr><th style="text-align:left">{k}</th><td>{v}</td></tr>' for k, v in rows
        )
        return f"<table>{body}</table>"


class Matches(list[Match]):
    """The ranked matches of one profile, best first: a plain list with a readable display.

    ``now`` (the moment of the ranking) and ``profile`` are optional context: with ``now``
    the displays show each call's next deadline. In a notebook it shows as a table
    (``_repr_html_``); :meth:`to_dataframe` gives a pandas DataFrame when pandas is installed.
    """

    def __init__(
        self,
        matches: Iterable[Match] = (),
        *,
        now: datetime | None = None,
        profile: Profile | None = None,
    ) -> None:
        super().__init__(matches)
        self.now = now
        self.profile = profile

    def __repr__(self) -> str:
        rows = [f"{m.score:5.1f}  {m.call.id}  {m.call.title[:60]}" for m in self]
        return f"Matches({len(self)})" + "".join(f"\n  {row}" for row in rows)

    def _deadline_of(self, call: Call) -> Deadline | None:
        if self.now is not None:
            return call.next_deadline(self.now)
        return call.deadlines[-1] if call.deadlines else None

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for rank, m in enumerate(self, 1):
            deadline = self._deadline_of(m.call)
            best = sorted(m.reasons, key=lambda r: r.points, reverse=True)[:3]
            rows.append(
                {
                    "rank": rank,
                    "score": round(m.score, 1),
                    "id": m.call.id,
                    "title": m.call.title,
                    "programme": m.call.programme,
                    "next_deadline": None if deadline is None else deadline.local(),
                    "timezone": None if deadline is None else deadline.timezone,
                    "status": None if self.now is None else m.call.status(self.now),
                    "reasons": "; ".join(f"{r.factor} {r.points:+.1f}" for r in best),
                    "blockers": "; ".join(f"{b.gate}: {b.message}" for b in m.blockers),
                    "url": m.call.url,
                }
            )
        return rows

    def _repr_html_(self) -> str:
        """An HTML table for notebooks: score, title, programme, next deadline, top reasons."""
        head = "".join(
            f"<th>{h}</th>" for h in ("#", "score", "title", "programme", "deadline", "reasons")
        )
        body = []
        for row in self._rows():
            title = escape(row["title"])
            if row["url"]:
                title = f'<a href="{escape(row["url"])}">{title}</a>'
            deadline = row["next_deadline"]
            when = "" if deadline is None else f"{minute(deadline)} {row['timezone'] or ''}"
            reasons = escape(row["reasons"])
            if row["blockers"]:
                reasons += f"<br><b>blocked</b>: {escape(row['blockers'])}"
            cells = (
                str(row["rank"]),
                f"{row['score']:.1f}",
                f"{title}<br><small>{escape(row['id'])}</small>",
                escape(row["programme"] or ""),
                escape(when.strip()),
                reasons,
            )
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        caption = f"{len(self)} match{'es' if len(self) != 1 else ''}"
        if self.profile is not None:
            caption += f" for {escape(self.profile.name)}"
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per match (pandas is optional: install it to use this).

        Columns: rank, score, id, title, programme, next_deadline (aware, in the call's
        zone), timezone, status, reasons, blockers, url.
        """
        import importlib

        try:
            pandas = importlib.import_module("pandas")
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                "Matches.to_dataframe() needs pandas: pip install pandas"
            ) from exc
        columns = ["rank", "score", "id", "title", "programme", "next_deadline"]
        columns += ["timezone", "status", "reasons", "blockers", "url"]
        return pandas.DataFrame(self._rows(), columns=columns)


# --- store history --------------------------------------------------------------------


class FieldChange(FundmatchModel):
    """One field of a call that changed between two versions (JSON values)."""

    field: str
    """Name of the :class:`Call` field."""
    old: Any = None
    """Value before, as JSON."""
    new: Any = None
    """Value after, as JSON."""


class Change(FundmatchModel):
    """Something that happened to a call in the store: new, changed or withdrawn."""

    kind: Literal["new", "changed", "withdrawn"]
    """``new`` (first seen), ``changed`` (see ``fields``) or ``withdrawn`` (gone from a
    complete listing of its source)."""
    call_id: str
    """The call's id."""
    fields: tuple[FieldChange, ...] = ()
    """For ``changed``: every field that changed, old and new."""
    source: str | None = None
    """The source whose update recorded the change."""
    at: datetime
    """When the store recorded it (the ``now`` of the update)."""


def json_dump(item: Call | Match) -> dict[str, Any]:
    """``item.model_dump(mode="json")`` with every field of the published schema: a call's
    empty ``fact_sources``, left out of ordinary dumps, is written as ``[]``."""
    data = item.model_dump(mode="json")
    (data if isinstance(item, Call) else data["call"]).setdefault("fact_sources", [])
    return data


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect pydantic writes (``$schema`` of every published schema)."""


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each published model, by file stem (``call``, ``profile``, ...).

    Each carries ``$schema`` (draft 2020-12) and an ``$id`` naming it
    (``urn:fundmatch:schema:call``), so a validator knows the dialect and a document can
    point at the schema it follows.
    """
    models: dict[str, type[BaseModel]] = {
        "call": Call,
        "profile": Profile,
        "match": Match,
        "change": Change,
    }
    return {
        name: {
            "$schema": SCHEMA_DIALECT,
            "$id": f"urn:fundmatch:schema:{name}",
            **model.model_json_schema(mode="serialization"),
        }
        for name, model in models.items()
    }
