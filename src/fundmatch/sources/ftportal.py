"""The Funding & Tenders Portal (SEDIA) adapter: search-API and topicDetails JSON to Calls.

Pure: bytes, text or parsed JSON in, Calls out. Fetching the pages lives in ``http.py`` and
``update.py``. Every ``metadata`` value of a search result is a list, even for scalars; several
values are JSON documents inside strings (``actions``, ``budgetOverview``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from fundmatch.errors import ParseError
from fundmatch.models import (
    ActionBudget,
    Budget,
    Call,
    CallStatus,
    Deadline,
    DeadlineModel,
    Instrument,
    Link,
)
from fundmatch.sources import jsontext, topicdetails
from fundmatch.sources.extract import clean_text, find_co_financing_rate, find_partnership
from fundmatch.sources.http import Request, multipart
from fundmatch.sources.registry import Source

__all__ = [
    "MAX_AMOUNT",
    "PORTAL_SEARCH_URL",
    "PROGRAMMES",
    "STATUS_CODES",
    "PortalPage",
    "parse_ftportal",
    "parse_ftportal_page",
    "parse_topic_details",
    "search_request",
    "topic_url",
]

logger = logging.getLogger(__name__)

PORTAL_SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA"
BRUSSELS = ZoneInfo("Europe/Brussels")
PORTAL_DEADLINE_TIME = time(17, 0)
"""Portal deadlines are 17:00 Brussels time unless the topic says otherwise."""
ASSUMED_TIME_LABEL = "17:00 Brussels time assumed (the source gives the date only)"
MAX_AMOUNT = Decimal("1e12")
"""A budget amount above this (a trillion euros) is nonsense: left unknown, with a note."""

STATUS_CODES: dict[str, CallStatus] = {
    "31094501": "forthcoming",
    "31094502": "open",
    "31094503": "closed",
}
"""Portal status codes, pinned from recorded payloads (tests/data/sedia/)."""

PROGRAMMES: dict[str, str] = {
    "111111": "EU External Action - Prospect",
    "31045243": "Horizon 2020",
    "42810547": "Europe Direct",
    "43089234": "Innovation Fund",
    "43108390": "Horizon Europe",
    "43152860": "Digital Europe",
    "43251567": "Connecting Europe Facility",
    "43251589": "Citizens, Equality, Rights and Values",
    "43251814": "Creative Europe",
    "43251842": "Union Anti-fraud Programme",
    "43252368": "Internal Security Fund",
    "43252386": "Justice Programme",
    "43252405": "LIFE",
    "43252433": "Pericles IV",
    "43252449": "Research Fund for Coal & Steel",
    "43252476": "Single Market Programme",
    "43252517": "Social Prerogative and Specific Competencies Lines",
    "43253967": "Renewable Energy Financing Mechanism",
    "43254019": "European Social Fund+",
    "43254037": "European Solidarity Corps",
    "43298203": "Union Civil Protection Mechanism",
    "43298664": "Promotion of Agricultural Products",
    "43298916": "Euratom Research and Training Programme",
    "43353764": "Erasmus+",
    "43392145": "European Maritime, Fisheries and Aquaculture Fund",
    "43637601": "Pilot Projects & Preparatory Actions",
    "43697167": "European Parliament",
    "44181033": "European Defence Fund",
    "44416173": "Interregional Innovation Investments",
    "44773066": "Just Transition Mechanism",
    "45532249": "EU Bodies and Agencies",
}
"""Names of the numeric ``frameworkProgramme`` ids (from the search API's facets)."""

# Search-API ``type``: 1 topic (grant), 2 call for proposals, 8 cascade funding call.
_INSTRUMENTS: dict[str, Instrument] = {"1": "grant", "2": "grant", "8": "grant"}
_MODELS: dict[str, DeadlineModel] = {
    "single-stage": "single-stage",
    "two-stage": "two-stage",
    "multiple cut-off": "multiple cut-off",
    "multiple-cut-off": "multiple cut-off",
}
_TOPIC_PAGE = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/{}"
)

T = TypeVar("T")


@dataclass
class PortalPage:
    """One parsed Portal payload: its calls, what was skipped and why, and the paging facts."""

    calls: list[Call] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One reason per result that could not become a Call."""
    field_errors: list[str] = field(default_factory=list)
    """One note per field that was malformed and left unknown (the call was kept)."""
    total_results: int | None = None
    page_number: int | None = None
    page_size: int | None = None


def topic_url(identifier: str) -> str:
    """The Portal's human page for a topic."""
    return _TOPIC_PAGE.format(identifier)


def search_request(source: Source, page: int) -> Request:
    """The search-API request for one page (1-based) of a ``ftportal`` source.

    The API takes a POST whose form parts are ``query`` (JSON), ``languages`` and ``sort``;
    ``text``, ``pageSize`` and ``pageNumber`` go in the URL.
    """
    if source.url is None or source.query is None:
        raise ValueError(f"{source.name} is not a Portal source")
    body, content_type = multipart(
        {
            "query": ("application/json", json.dumps(source.query)),
            "languages": ("application/json", json.dumps([source.language])),
            "sort": ("application/json", json.dumps({"field": "sortStatus", "order": "ASC"})),
        }
    )
    separator = "&" if "?" in source.url else "?"
    params = urlencode({"text": source.text, "pageSize": source.page_size, "pageNumber": page})
    return Request(
        url=f"{source.url}{separator}{params}",
        method="POST",
        body=body,
        headers={"Content-Type": content_type, "Accept": "application/json"},
    )


def parse_ftportal(
    payload: bytes | str | dict[str, Any] | list[Any], *, source: str | None = None
) -> list[Call]:
    """Calls from a Portal payload: a search-API page, one search result, a list of results, or
    a topicDetails document (bytes, text or parsed JSON).

    A result that cannot become a Call is skipped with a warning, the others are kept; a
    malformed field is left unknown. Raises ParseError when the payload is not Portal JSON.
    """
    return parse_ftportal_page(payload, source=source).calls


def parse_ftportal_page(
    payload: bytes | str | dict[str, Any] | list[Any], *, source: str | None = None
) -> PortalPage:
    """Like :func:`parse_ftportal`, keeping skipped results, field errors and paging facts."""
    data, warnings = _load(payload, source)
    page = PortalPage()
    for warning in warnings:
        logger.warning("%s: %s", source or "ftportal", warning)
        page.field_errors.append(f"payload: {warning}")
    if isinstance(data, list):
        results: list[Any] = data
    elif isinstance(data, dict) and "TopicDetails" in data:
        results = [data]
    elif isinstance(data, dict) and isinstance(data.get("results"), list):
        results = data["results"]
        page.total_results = _int(data.get("totalResults"))
        page.page_number = _int(data.get("pageNumber"))
        page.page_size = _int(data.get("pageSize"))
    elif isinstance(data, dict) and "metadata" in data:
        results = [data]
    elif isinstance(data, dict) and "budgetTopicActionMap" in data:
        return page  # a bare budgetOverview: facts about topics, no topic itself
    else:
        raise ParseError("not a Funding & Tenders Portal payload", source=source)
    for index, result in enumerate(results):
        notes: list[str] = []
        try:
            if isinstance(result, dict) and isinstance(result.get("TopicDetails"), dict):
                call = _from_details(result["TopicDetails"], source, notes)
            elif isinstance(result, dict) and isinstance(result.get("metadata"), dict):
                call = _from_result(result, source, notes)
            else:
                raise ValueError("a result without metadata")
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            reason = f"result {index}: {_short(exc)}"
            logger.warning("%s: skipped %s", source or "ftportal", reason)
            page.skipped.append(reason)
            continue
        page.calls.append(call)
        page.field_errors.extend(f"{call.id}: {note}" for note in notes)
    return page


def parse_topic_details(
    payload: bytes | str | dict[str, Any], *, source: str | None = None
) -> tuple[Call, list[str]]:
    """The Call of one topicDetails document, with one note per field left unknown.

    Raises ParseError when the payload is not a topicDetails document or has no topic.
    """
    data, warnings = _load(payload, source)
    if not isinstance(data, dict) or not isinstance(data.get("TopicDetails"), dict):
        raise ParseError("not a Portal topicDetails document", source=source)
    notes = [f"payload: {warning}" for warning in warnings]
    try:
        call = _from_details(data["TopicDetails"], source, notes)
    except (ValueError, TypeError, KeyError, ValidationError) as exc:
        raise ParseError(f"topicDetails: {_short(exc)}", source=source) from exc
    return call, notes


def _load(
    payload: bytes | str | dict[str, Any] | list[Any], source: str | None
) -> tuple[Any, list[str]]:
    if isinstance(payload, dict | list):
        return payload, []
    # Whole documents only: a page cut short is refused (its listing would be partial).
    # NaN, Infinity and absurd numbers become None, with a warning each.
    loaded = jsontext.loads(payload, source=source, tolerant=False)
    return loaded.value, loaded.warnings


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _guard(notes: list[str], name: str, read: Callable[[], T], default: T) -> T:
    """Read one field; a malformed value fails that field only (noted, left at ``default``)."""
    try:
        return read()
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        InvalidOperation,
        OverflowError,
        OSError,
    ) as exc:
        notes.append(f"{name}: {_short(exc)}")
        return default


# --- dates ----------------------------------------------------------------------------


def _portal_datetime(value: str) -> datetime:
    """``2023-05-11T02:00:00.000+0200`` → aware datetime."""
    value = value.strip()
    found = re.fullmatch(r"(.*?)([+-]\d\d):?(\d\d)$", value)
    if found:
        value = f"{found.group(1)}{found.group(2)}:{found.group(3)}"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BRUSSELS)
    return moment


def _is_date_only(moment: datetime) -> bool:
    # The search API gives deadline days as local or UTC midnight (…T00:00+0100, …T02:00+0200).
    utc = moment.astimezone(UTC)
    return (moment.hour, moment.minute, moment.second) == (0, 0, 0) or (
        utc.hour,
        utc.minute,
        utc.second,
    ) == (0, 0, 0)


def _day_of(moment: datetime) -> datetime:
    if (moment.hour, moment.minute) == (0, 0):
        return moment
    return moment.astimezone(UTC)


def _deadline_at(moment: datetime) -> tuple[datetime, str | None]:
    if _is_date_only(moment):
        day = _day_of(moment).date()
        return datetime.combine(day, PORTAL_DEADLINE_TIME, BRUSSELS), ASSUMED_TIME_LABEL
    return moment.astimezone(BRUSSELS), None


def _details_date(value: Any) -> datetime:
    """topicDetails dates: epoch-ms strings, ``06 November 2024`` or ``2024-12-05``."""
    if isinstance(value, int | float | Decimal) or (
        isinstance(value, str) and value.strip().isdigit()
    ):
        return datetime.fromtimestamp(int(value) / 1000, BRUSSELS)
    text = str(value).strip()
    for form in ("%d %B %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form).replace(tzinfo=BRUSSELS)
        except ValueError:
            continue
    return _portal_datetime(text)


def _deadlines(moments: list[datetime], model: DeadlineModel | None) -> tuple[Deadline, ...]:
    ordered = sorted(set(moments))
    result = []
    for number, moment in enumerate(ordered, start=1):
        at, assumed = _deadline_at(moment)
        stage = None
        if len(ordered) > 1:
            stage = f"stage {number}" if model == "two-stage" else f"cut-off {number}"
        label = "; ".join(part for part in (stage, assumed) if part) or None
        result.append(Deadline(at=at, timezone="Europe/Brussels", label=label))
    return tuple(result)


def _settle_model(
    model: DeadlineModel | None, deadlines: tuple[Deadline, ...]
) -> DeadlineModel | None:
    # H2020 topics list one single-stage action per cut-off: several deadlines are cut-offs.
    if len(deadlines) > 1 and model in (None, "single-stage"):
        return "multiple cut-off"
    return model


# --- budget ---------------------------------------------------------------------------


def _entries(overview: Any, name: str, notes: list[str]) -> list[dict[str, Any]]:
    """Every whole budget entry of a budgetOverview (a JSON text, possibly cut, or parsed)."""
    if isinstance(overview, str):
        loaded = jsontext.loads(overview)
        notes.extend(f"{name}: {warning}" for warning in loaded.warnings)
        overview = loaded.value
        if loaded.truncated:
            notes.append(f"{name}: cut short; only the entries whole before the cut are read")
    if not isinstance(overview, dict):
        raise ValueError("not a budget overview")
    actions = overview.get("budgetTopicActionMap") or {}
    if not isinstance(actions, dict):
        raise ValueError("budgetTopicActionMap is not an object")
    entries: list[dict[str, Any]] = []
    for value in actions.values():  # a list of entries, or a single entry
        entries.extend(value if isinstance(value, list) else [value])
    return [e for e in entries if isinstance(e, dict) and jsontext.is_whole(e)]


def _budget_entries(
    overview: Any, identifier: str, notes: list[str], types: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The entries of ``identifier`` itself, never a sibling topic's.

    A budgetOverview covers every topic of the call: an entry ``"<topic> - <type of action>"``
    belongs to that topic. An entry naming the type of action only (topicDetails) is the
    topic's own when that type is one of ``types`` (the topic's types of action), or, when
    they are unknown, when it is the only entry.
    """
    entries = _entries(overview, "budgetOverview", notes)
    prefix = f"{identifier} - "
    mine = [e for e in entries if str(e.get("action", "")).startswith(prefix)]
    if mine:
        return mine
    bare = [e for e in entries if " - " not in str(e.get("action", ""))]
    if types:
        return [e for e in bare if _is_type(str(e.get("action", "")), types)]
    return bare if len(entries) == 1 else []


def _is_type(action: str, types: tuple[str, ...]) -> bool:
    # "HORIZON Coordination and Support Actions" names "HORIZON-CSA HORIZON Coordination ...".
    action = " ".join(action.split()).casefold()
    return bool(action) and any(
        " ".join(t.split()).casefold().endswith(action) or t.casefold() == action for t in types
    )


def _money(value: Any) -> Decimal | None:
    if value in (None, "", 0, "0"):
        return None  # zeros mean unknown on the Portal
    amount = Decimal(str(value))
    if not amount.is_finite() or amount > MAX_AMOUNT:
        raise ValueError(f"{value} is not a plausible amount")
    return amount if amount > 0 else None


def _count(value: Any) -> int | None:
    if value in (None, ""):
        return None
    number = Decimal(str(value))
    if not number.is_finite() or number < 0 or number > 1_000_000 or number != int(number):
        raise ValueError(f"{value} is not a plausible number of grants")
    return int(number) or None


def _action_budget(entry: dict[str, Any]) -> ActionBudget:
    action = str(entry.get("action") or "").strip()
    action = action.split(" - ", 1)[1] if " - " in action else action
    years = entry.get("budgetYearMap") or {}
    if not isinstance(years, dict):
        raise ValueError("budgetYearMap is not an object")
    amounts = [m for amount in years.values() if (m := _money(amount)) is not None]
    low, high = _money(entry.get("minContribution")), _money(entry.get("maxContribution"))
    if low is not None and high is not None and low > high:
        low = high = None  # a contradiction: unknown rather than one of the two
    return ActionBudget(
        action=action or "unnamed action",
        total=sum(amounts, Decimal(0)) if amounts else None,
        per_project_min=low,
        per_project_max=high,
        expected_grants=_count(entry.get("expectedGrants")),
    )


def _budget(entries: list[dict[str, Any]], notes: list[str] | None = None) -> Budget:
    """The topic's budget from its own entries: one per type of action, and their sum.

    Several types of action each showing the very same amount are, on the Portal, one
    envelope shown once per type or as many envelopes: it does not say which, so the topic's
    total is then unknown (each type keeps its amount).
    """
    if not entries:
        return Budget()
    actions = tuple(_action_budget(e) for e in entries)
    totals = [a.total for a in actions]
    total: Decimal | None = None
    shared = len(actions) > 1 and len(set(totals)) == 1 and totals[0] is not None
    if all(t is not None for t in totals):
        if shared:
            if notes is not None:
                notes.append(
                    f"budget: its {len(actions)} types of action each show {totals[0]}: "
                    "one shared envelope or several, the source does not say; total unknown"
                )
        else:
            total = sum((t for t in totals if t is not None), Decimal(0)) or None
    lows = [a.per_project_min for a in actions if a.per_project_min is not None]
    highs = [a.per_project_max for a in actions if a.per_project_max is not None]
    grants = [a.expected_grants for a in actions]
    return Budget(
        total=total,
        per_project_min=min(lows) if lows else None,
        per_project_max=max(highs) if highs else None,
        expected_grants=sum(g for g in grants if g) if all(grants) and not shared else None,
        actions=actions if len(actions) > 1 else (),
    )


# --- one search result ----------------------------------------------------------------


def _first(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _all(meta: dict[str, Any], key: str) -> list[str]:
    value = meta.get(key)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _from_result(result: dict[str, Any], source: str | None, notes: list[str]) -> Call:
    meta: dict[str, Any] = result["metadata"]
    identifier = _first(meta, "identifier") or _first(meta, "callIdentifier")
    if identifier is None:
        raise ValueError("no identifier")
    title = _first(meta, "title") or result.get("summary") or _first(meta, "callTitle")
    if not title:
        raise ValueError(f"{identifier}: no title")
    model: DeadlineModel | None = _MODELS.get(_first(meta, "deadlineModel") or "")
    moments: list[datetime] = _guard(
        notes, "deadlineDate", lambda: [_portal_datetime(v) for v in _all(meta, "deadlineDate")], []
    )
    deadlines: tuple[Deadline, ...] = _guard(
        notes, "deadlineDate", lambda: _deadlines(moments, model), ()
    )
    model = _settle_model(model, deadlines)
    status = STATUS_CODES.get(_first(meta, "status") or "", "unknown")
    programme_id = _first(meta, "frameworkProgramme")
    conditions = _guard(
        notes, "topicConditions", lambda: clean_text(_first(meta, "topicConditions")), ""
    )
    partners, countries = _partnership(conditions)
    budget = _guard(
        notes,
        "budgetOverview",
        lambda: _budget(
            _budget_entries(_first(meta, "budgetOverview") or "{}", identifier, notes), notes
        ),
        Budget(),
    )
    description = _guard(
        notes, "descriptionByte", lambda: clean_text(_first(meta, "descriptionByte")), ""
    )
    type_code = _first(meta, "type")
    return Call(
        id=identifier,
        title=clean_text(title),
        description=description,
        source=source,
        url=topic_url(identifier),
        programme=PROGRAMMES.get(programme_id or "", programme_id),
        call_id=_first(meta, "callIdentifier"),
        topic_id=identifier,
        keywords=tuple(k for k in _all(meta, "keywords") if k != identifier),
        tags=tuple(t for t in _all(meta, "tags") if t != identifier),
        instrument=_INSTRUMENTS.get(type_code or ""),
        action_type=_first(meta, "typesOfAction"),
        reported_status=status,
        opening=_guard(notes, "startDate", lambda: _opt(_first(meta, "startDate")), None),
        deadlines=deadlines,
        deadline_model=model,
        budget=budget,
        co_financing_rate=_guard(notes, "topicConditions", lambda: _rate(conditions), None),
        min_partners=partners,
        min_countries=countries,
        languages=(),
    )


def _partnership(conditions: str) -> tuple[int | None, int | None]:
    return find_partnership(conditions) if conditions else (None, None)


def _opt(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = _portal_datetime(value)
    if _is_date_only(moment):  # an opening day: midnight Brussels
        return datetime.combine(_day_of(moment).date(), time(0, 0), BRUSSELS)
    return moment


def _rate(conditions: str) -> Decimal | None:
    return find_co_financing_rate(conditions) if conditions else None


# --- one topicDetails document --------------------------------------------------------


def _from_details(details: dict[str, Any], source: str | None, notes: list[str]) -> Call:
    identifier = str(details.get("identifier") or "").strip()
    title = str(details.get("title") or "").strip()
    if not identifier or not title:
        raise ValueError("topicDetails without identifier or title")
    actions = [a for a in details.get("actions") or [] if isinstance(a, dict)]

    def read_deadlines() -> tuple[list[datetime], DeadlineModel | None]:
        moments: list[datetime] = []
        model: DeadlineModel | None = None
        for action in actions:
            moments.extend(_details_date(v) for v in action.get("deadlineDates") or [])
            procedure = (action.get("submissionProcedure") or {}).get("abbreviation")
            model = model or _MODELS.get(str(procedure or ""))
        return moments, model

    nothing: tuple[list[datetime], DeadlineModel | None] = ([], None)
    moments, model = _guard(notes, "actions.deadlineDates", read_deadlines, nothing)
    types = tuple(
        str(t.get("typeOfAction"))
        for a in actions
        for t in a.get("types") or []
        if isinstance(t, dict) and t.get("typeOfAction")
    )
    entries: list[dict[str, Any]] = _guard(
        notes,
        "budgetOverviewJSONItem",
        lambda: _budget_entries(
            details.get("budgetOverviewJSONItem") or {}, identifier, notes, types
        ),
        [],
    )
    if model is None:
        models = {_MODELS.get(str(e.get("deadlineModel") or "")) for e in entries} - {None}
        model = models.pop() if len(models) == 1 else None
    deadlines: tuple[Deadline, ...] = _guard(
        notes, "deadlines", lambda: _deadlines(moments, model), ()
    )
    model = _settle_model(model, deadlines)
    codes = {str((a.get("status") or {}).get("id")) for a in actions}
    statuses = {STATUS_CODES.get(code, "unknown") for code in codes}
    status: CallStatus = statuses.pop() if len(statuses) == 1 else "unknown"
    programme = details.get("frameworkProgramme") or {}
    programme_id = str(programme.get("id", "")) if isinstance(programme, dict) else ""
    conditions = _guard(notes, "conditions", lambda: clean_text(details.get("conditions")), "")
    partners, countries = _partnership(conditions)
    facts = topicdetails.conditions_facts(conditions)
    no_links: tuple[Link, ...] = ()
    openings: list[datetime] = _guard(
        notes,
        "plannedOpeningDate",
        lambda: [
            _details_date(a["plannedOpeningDate"]) for a in actions if a.get("plannedOpeningDate")
        ],
        [],
    )
    published: datetime | None = _guard(
        notes,
        "publicationDateLong",
        lambda: (
            _details_date(details["publicationDateLong"])
            if details.get("publicationDateLong")
            else None
        ),
        None,
    )
    return Call(
        id=identifier,
        title=clean_text(title),
        description=_guard(
            notes, "description", lambda: clean_text(details.get("description")), ""
        ),
        source=source,
        url=topic_url(identifier),
        programme=PROGRAMMES.get(
            programme_id, programme.get("description") if isinstance(programme, dict) else None
        ),
        call_id=details.get("callIdentifier") or None,
        topic_id=identifier,
        keywords=tuple(str(k) for k in details.get("keywords") or []),
        tags=tuple(str(t) for t in details.get("tags") or []),
        instrument="grant",
        action_type=types[0] if types else None,
        reported_status=status,
        opening=min(openings) if openings else None,
        deadlines=deadlines,
        deadline_model=model,
        documents=_guard(notes, "documents", lambda: topicdetails.documents(details), no_links),
        budget=_guard(notes, "budget", lambda: _budget(entries, notes), Budget()),
        co_financing_rate=_guard(notes, "conditions", lambda: _rate(conditions), None),
        countries=facts.countries,
        organisation_types=facts.organisation_types,
        min_partners=partners,
        min_countries=countries,
        published=published,
    )
