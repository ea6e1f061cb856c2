"""The Funding & Tenders Portal (SEDIA) adapter: search-API and topicDetails JSON to Calls.

Pure: bytes, text or parsed JSON in, Calls out. Fetching the pages lives in ``http.py`` and
``update.py``; reading the Portal's fields (dates, budgets, status codes) in
``portalfields.py``; the Call of a topicDetails document in ``topicdetails.py``. Every
``metadata`` value of a search result is a list, even for scalars; several values are JSON
documents inside strings (``actions``, ``budgetOverview``).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from fundmatch.errors import ParseError
from fundmatch.models import (
    Budget,
    Call,
    CallKind,
    Deadline,
    DeadlineModel,
    Instrument,
    OrganisationType,
    ParentTopic,
)
from fundmatch.sources import jsontext, topicdetails
from fundmatch.sources.extract import clean_text, find_budget
from fundmatch.sources.http import Request, multipart
from fundmatch.sources.portalfields import (
    BRUSSELS,
    MAX_AMOUNT,
    MODELS,
    PROGRAMMES,
    STATUS_CODES,
    budget_entries,
    budget_of,
    cascade_deadlines,
    cascade_moment,
    co_financing,
    day_of,
    deadlines_of,
    guard,
    is_date_only,
    partnership,
    portal_datetime,
    settle_model,
    short,
    topic_url,
)
from fundmatch.sources.registry import Source

__all__ = [
    "MAX_AMOUNT",
    "PORTAL_SEARCH_URL",
    "PROGRAMMES",
    "STATUS_CODES",
    "PortalPage",
    "cascade_page",
    "parse_ftportal",
    "parse_ftportal_page",
    "parse_topic_details",
    "search_request",
    "topic_url",
]

logger = logging.getLogger(__name__)

PORTAL_SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA"
# Search-API ``type``: 1 topic (grant), 2 call for proposals, 8 cascade funding call.
_INSTRUMENTS: dict[str, Instrument] = {"1": "grant", "2": "grant", "8": "grant"}
_COMPETITIVE_PAGE = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "competitive-calls-cs/{}"
)
_KINDS: dict[str, CallKind] = {"1": "topic", "2": "call for proposals", "8": "cascade"}


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
                call = topicdetails.call_from_details(result["TopicDetails"], source, notes)
            elif isinstance(result, dict) and isinstance(result.get("metadata"), dict):
                call = _from_result(result, source, notes)
            else:
                raise ValueError("a result without metadata")
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            reason = f"result {index}: {short(exc)}"
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
        call = topicdetails.call_from_details(data["TopicDetails"], source, notes)
    except (ValueError, TypeError, KeyError, ValidationError) as exc:
        raise ParseError(f"topicDetails: {short(exc)}", source=source) from exc
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


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
    type_code = _first(meta, "type")
    kind = _KINDS.get(type_code or "")
    if kind == "cascade":
        return _cascade(result, meta, identifier, source, notes)
    title = _first(meta, "title") or result.get("summary") or _first(meta, "callTitle")
    if not title:
        raise ValueError(f"{identifier}: no title")
    model: DeadlineModel | None = MODELS.get(_first(meta, "deadlineModel") or "")
    moments = _moments(meta, notes)
    deadlines: tuple[Deadline, ...] = guard(
        notes, "deadlineDate", lambda: deadlines_of(moments, model), ()
    )
    model = settle_model(model, deadlines)
    status = STATUS_CODES.get(_first(meta, "status") or "", "unknown")
    programme_id = _first(meta, "frameworkProgramme")
    conditions = guard(
        notes, "topicConditions", lambda: clean_text(_first(meta, "topicConditions")), ""
    )
    partners, countries = partnership(conditions)
    budget = guard(
        notes,
        "budgetOverview",
        lambda: budget_of(
            budget_entries(_first(meta, "budgetOverview") or "{}", identifier, notes), notes
        ),
        Budget(),
    )
    description = guard(
        notes, "descriptionByte", lambda: clean_text(_first(meta, "descriptionByte")), ""
    )
    # A call for proposals (EU External Action...) has its own page, not a topic page.
    url = _page(result, meta) if kind == "call for proposals" else None
    return Call(
        id=identifier,
        title=clean_text(title),
        description=description,
        source=source,
        url=url or topic_url(identifier),
        programme=PROGRAMMES.get(programme_id or "", programme_id),
        call_id=_first(meta, "callIdentifier"),
        topic_id=identifier,
        keywords=tuple(k for k in _all(meta, "keywords") if k != identifier),
        tags=tuple(t for t in _all(meta, "tags") if t != identifier),
        instrument=_INSTRUMENTS.get(type_code or ""),
        kind=kind,
        action_type=_first(meta, "typesOfAction"),
        reported_status=status,
        opening=guard(notes, "startDate", lambda: _opt(_first(meta, "startDate")), None),
        deadlines=deadlines,
        deadline_model=model,
        budget=budget,
        co_financing_rate=guard(notes, "topicConditions", lambda: co_financing(conditions), None),
        min_partners=partners,
        min_countries=countries,
        languages=(),
    )


def _moments(meta: dict[str, Any], notes: list[str]) -> list[datetime]:
    return guard(
        notes, "deadlineDate", lambda: [portal_datetime(v) for v in _all(meta, "deadlineDate")], []
    )


def _page(result: dict[str, Any], meta: dict[str, Any]) -> str | None:
    """The result's own human page (an External Action call page)."""
    for value in (result.get("url"), _first(meta, "url"), _first(meta, "esST_URL")):
        text = str(value or "").strip()
        # A topicDetails JSON address is the Portal's data, not a page to read.
        if text.startswith(("https://", "http://")) and "/data/topicDetails/" not in text:
            return text
    return None


def cascade_page(reference: str) -> str | None:
    """The competitive-call page of a cascade call, named by the number of its reference.

    The result's own ``url`` (``competitive-calls-cs/<callccm2Id>``) is shared by every
    cascade call of one project (81 calls, 39 addresses in the listing of 1 April 2026).
    """
    number = re.match(r"\d+", reference)
    return _COMPETITIVE_PAGE.format(number.group()) if number else None


_FOR_PERSONS = re.compile(
    r"\b(?:scholarships?|students?|master[’']?s?\s+thes[ie]s)\b", re.IGNORECASE
)
"""A cascade call's own title offering scholarships, or grants to students or for a master's
thesis: its applicants are persons (``"individual"``), not the organisations of a profile."""


def _for_persons(title: str) -> tuple[OrganisationType, ...]:
    """``("individual",)`` when a cascade call's own title says it funds persons (``"Phortify
    Grants for Master Thesis Project"``, ``"UPC-GREENCHIPS-EDU Scholarship"``), else ``()``:
    who may apply stays unknown."""
    return ("individual",) if _FOR_PERSONS.search(title) else ()


def _own_title(result: dict[str, Any], meta: dict[str, Any]) -> str:
    """A cascade call's own name: its ``callTitle``, or the ``summary`` where that is the
    same name uncut (the Portal cuts ``callTitle`` at 100 characters)."""
    title = clean_text(_first(meta, "callTitle"))
    summary = clean_text(str(result.get("summary") or ""))
    if summary and (not title or (len(summary) > len(title) and summary.startswith(title))):
        return summary
    return title


def _cascade(
    result: dict[str, Any],
    meta: dict[str, Any],
    parent_id: str,
    source: str | None,
    notes: list[str],
) -> Call:
    """A cascade-funding call (search result of type 8): an open call of an EU-funded project.

    Its ``identifier`` and ``title`` are the parent topic's, whose grant funds the project;
    the call's own key is the result's ``reference`` (e.g. ``15342COMPETITIVE_CALLen``), its
    own name ``callTitle`` and its page the competitive-call page. The parent topic's budget
    and programme rules are not the call's: the grant per third party is read from its text.
    """
    reference = str(result.get("reference") or "").strip()
    if not reference:
        raise ValueError(f"a cascade-funding call of {parent_id} without its reference")
    title = _own_title(result, meta)
    if not title:
        raise ValueError(f"{reference}: no title")
    deadlines: tuple[Deadline, ...] = guard(
        notes, "deadlineDate", lambda: cascade_deadlines(_moments(meta, notes)), ()
    )
    description = guard(
        notes, "descriptionByte", lambda: clean_text(_first(meta, "descriptionByte")), ""
    )
    budget = guard(notes, "budget", lambda: find_budget(f"{title}\n{description}"), Budget())
    programme_id = _first(meta, "frameworkProgramme")
    parent_title = clean_text(_first(meta, "title"))
    if not description and parent_title:
        # The listing gives no text of the call's own: say what its project is funded for.
        description = f"Open call of a project funded under {parent_id}: {parent_title}"
    return Call(
        id=reference,
        title=title,
        description=description,
        source=source,
        url=cascade_page(reference) or _page(result, meta),
        programme=PROGRAMMES.get(programme_id or "", programme_id),
        keywords=tuple(k for k in _all(meta, "keywords") if k != parent_id),
        tags=tuple(t for t in _all(meta, "tags") if t != parent_id),
        instrument="grant",
        organisation_types=_for_persons(title),
        kind="cascade",
        parent=ParentTopic(id=parent_id, title=parent_title or None, url=topic_url(parent_id)),
        reported_status=STATUS_CODES.get(_first(meta, "status") or "", "unknown"),
        opening=guard(
            notes, "startDate", lambda: _cascade_opening(_first(meta, "startDate")), None
        ),
        deadlines=deadlines,
        budget=budget,
    )


def _cascade_opening(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = portal_datetime(value)
    return _opt(value) if is_date_only(moment) else cascade_moment(moment)[0]


def _opt(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = portal_datetime(value)
    if is_date_only(moment):  # an opening day: midnight Brussels
        return datetime.combine(day_of(moment).date(), time(0, 0), BRUSSELS)
    return moment
