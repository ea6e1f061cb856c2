"""What a Portal topicDetails document adds to a search result: pure helpers.

The search API cuts a topic's description at about a thousand characters and often its
``budgetOverview`` mid-value; the topic's own topicDetails document has the whole description,
the budget per type of action, the conditions (HTML) and the call documents. This module finds
the facts the conditions state outright (eligible countries and organisation types when they
are listed, never when they are "described in" a document), collects the document links, and
merges a topic's details over its search facts, and makes the Call of one ``TopicDetails``
object (:func:`call_from_details`). Loading the document is
:func:`fundmatch.sources.ftportal.parse_topic_details`; fetching it is ``update.py``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import quote

from fundmatch import geo
from fundmatch.models import (
    Budget,
    Call,
    CallStatus,
    Deadline,
    DeadlineModel,
    Link,
    OrganisationType,
)
from fundmatch.sources.extract import clean_text
from fundmatch.sources.portalfields import (
    MODELS,
    PROGRAMMES,
    STATUS_CODES,
    budget_entries,
    budget_of,
    co_financing,
    deadlines_of,
    details_date,
    guard,
    partnership,
    settle_model,
    topic_url,
)
from fundmatch.sources.registry import PORTAL_DETAILS_URL

__all__ = [
    "DETAILS_URL",
    "ConditionsFacts",
    "call_from_details",
    "conditions_facts",
    "details_url",
    "documents",
    "merge_details",
]

DETAILS_URL = PORTAL_DETAILS_URL
"""Where the Portal serves ``<topic id>.json`` (lower case), the topicDetails of each topic."""
MAX_DOCUMENTS = 100
"""The most document links kept for one topic."""


def details_url(identifier: str, base: str = DETAILS_URL) -> str:
    """The URL of a topic's topicDetails document under ``base``."""
    separator = "" if base.endswith("/") else "/"
    return f"{base}{separator}{quote(identifier.strip().lower(), safe='')}.json"


# --- the conditions' facts ------------------------------------------------------------


@dataclass(frozen=True)
class ConditionsFacts:
    """Facts a topic's conditions state outright; empty when they are not stated there."""

    countries: tuple[str, ...] = ()
    organisation_types: tuple[OrganisationType, ...] = ()


_HEADING_END = r"(?=\n\s*(?:\d+[a-z]?\.|[A-Z][\w ]{2,40}:\s*\n)|\Z)"
_COUNTRY_SECTION = re.compile(
    r"eligible countr(?:y|ies)\s*:?\s*(?P<body>.*?)" + _HEADING_END, re.IGNORECASE | re.DOTALL
)
_APPLICANT_SECTION = re.compile(
    r"eligible (?:applicants|participants|organi[sz]ations|entities|beneficiaries)\s*:?\s*"
    r"(?P<body>.*?)" + _HEADING_END,
    re.IGNORECASE | re.DOTALL,
)
# A section that points elsewhere, or names a category whose members it does not list, is
# not an exhaustive list: the facts stay unknown rather than wrongly narrow.
_NOT_A_LIST = re.compile(
    r"described in|defined in|set out in|listed in|see |annex|programme guide|call document|"
    r"associated|third countr|non-EU|widening|other countr|any countr|all countr|"
    r"any legal entit|all legal entit|any type|n/a",
    re.IGNORECASE,
)
_ALSO_NAMED = {"Czech Republic": "CZ", "Turkey": "TR", "Türkiye": "TR", "Greece": "GR"}
_TYPES: tuple[tuple[str, OrganisationType], ...] = (
    (r"public (?:bodies|body|authorit(?:y|ies)|administrations?)|municipalit", "public-authority"),
    (r"\bSMEs?\b|small and medium", "sme"),
    (r"large (?:enterprises|companies)", "large-enterprise"),
    (r"research (?:organi[sz]ations|centres|institutes)", "research-organisation"),
    (r"universit|higher education institutions", "university"),
    (r"\bNGOs?\b|non-governmental|non-profit|not-for-profit", "ngo"),
    (r"\bclusters?\b", "cluster"),
    (r"international organi[sz]ations", "international-organisation"),
    (r"natural persons|individuals", "individual"),
)


@cache
def _country_names() -> re.Pattern[str]:
    names = {name: code for code, name in geo.countries().items()} | _ALSO_NAMED
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


@cache
def _name_codes() -> dict[str, str]:
    return {name: code for code, name in geo.countries().items()} | _ALSO_NAMED


def _section(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    if found is None:
        return None
    body = found.group("body").strip()
    if not body or _NOT_A_LIST.search(body):
        return None
    return body[:2000]


def conditions_facts(conditions: str) -> ConditionsFacts:
    """Eligible countries and organisation types a topic's conditions (plain text) list.

    Only an "Eligible countries" / "Eligible applicants" section that lists them outright
    counts; one that refers to a document or names an open category (associated countries,
    any legal entity) leaves the fact unknown.
    """
    countries: tuple[str, ...] = ()
    body = _section(_COUNTRY_SECTION, conditions)
    if body is not None:
        codes = _name_codes()
        countries = tuple(
            dict.fromkeys(geo.normalise_country(codes[m]) for m in _country_names().findall(body))
        )
    types: tuple[OrganisationType, ...] = ()
    body = _section(_APPLICANT_SECTION, conditions)
    if body is not None:
        types = tuple(kind for words, kind in _TYPES if re.search(words, body, re.IGNORECASE))
    return ConditionsFacts(countries=countries, organisation_types=types)


# --- document links -------------------------------------------------------------------

_ANCHOR = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(["'])(?P<url>[^"']+)\1[^>]*>(?P<text>.*?)</a\s*>""",
    re.IGNORECASE | re.DOTALL,
)


def _link(title: Any, url: Any) -> Link | None:
    address = html.unescape(str(url or "")).strip()
    if not re.match(r"https?://", address, re.IGNORECASE) or any(c.isspace() for c in address):
        return None
    name = clean_text(str(title or "")).replace("\n", " ").strip() or address
    return Link(title=name[:300], url=address)


def documents(details: dict[str, Any]) -> tuple[Link, ...]:
    """The document links of a topicDetails document, once each, in reading order.

    From the conditions (call document, annexes, templates), the work programme part, the
    dossiers (files attached to the call) and the submission links.
    """
    found: list[Link | None] = []
    for field in ("conditions", "sepTemplate"):
        for anchor in _ANCHOR.finditer(str(details.get(field) or "")):
            found.append(_link(anchor.group("text"), anchor.group("url")))
    part = details.get("workProgrammepart")
    if isinstance(part, dict) and part.get("wp_document"):
        found.append(_link(f"Work programme: {part.get('wp_title') or ''}", part["wp_document"]))
    for field in ("additionalDossiers", "infoPackDossiers"):
        for dossier in details.get(field) or []:
            if not isinstance(dossier, dict):
                continue
            for file in dossier.get("translationFiles") or []:
                if isinstance(file, dict) and file.get("language", "en") == "en":
                    found.append(
                        _link(dossier.get("title") or file.get("fileName"), file.get("docPath"))
                    )
    for link in details.get("links") or []:
        if isinstance(link, dict):
            what = link.get("criterionDescription") or link.get("criterionCode") or ""
            found.append(_link(f"Submission: {what}".strip(": "), link.get("url")))
    unique: dict[str, Link] = {}
    for link in found:
        if link is not None and link.url not in unique:
            unique[link.url] = link
    return tuple(unique.values())[:MAX_DOCUMENTS]


# --- merging --------------------------------------------------------------------------

_FROM_DETAILS = (
    "documents",
    "countries",
    "organisation_types",
    "min_partners",
    "min_countries",
    "co_financing_rate",
    "opening",
    "action_type",
    "published",
)


def merge_details(search: Call, details: Call) -> Call:
    """The search facts of a topic with its topicDetails facts over them.

    A detail wins where it is known; where the details are silent the search fact stays. The
    description is the longer of the two (the search API cuts it; a cut-down details document
    may carry a placeholder). Identity (id, title, source, URL) stays the search result's.
    """
    data = search.model_dump()
    fresh = details.model_dump()
    for name in _FROM_DETAILS:
        if fresh[name] not in (None, (), ""):
            data[name] = fresh[name]
    if len(details.description) > len(search.description):
        data["description"] = details.description
    if (
        details.budget.total is not None
        or details.budget.actions
        or (details.budget != search.budget and search.budget.total is None)
    ):
        data["budget"] = fresh["budget"]
    if details.deadlines:
        data["deadlines"] = fresh["deadlines"]
        data["deadline_model"] = fresh["deadline_model"]
    if details.reported_status != "unknown":
        data["reported_status"] = details.reported_status
    for name in ("keywords", "tags"):
        data[name] = tuple(dict.fromkeys((*data[name], *fresh[name])))
    data["programme"] = data["programme"] or fresh["programme"]
    data["call_id"] = data["call_id"] or fresh["call_id"]
    return Call.model_validate(data)


# --- the Call of one topicDetails document ---------------------------------------------


def call_from_details(details: dict[str, Any], source: str | None, notes: list[str]) -> Call:
    """The Call of a topicDetails ``TopicDetails`` object; one note per field left unknown.

    Raises ValueError (or TypeError, KeyError, ValidationError) when it cannot be a Call:
    :func:`fundmatch.sources.ftportal.parse_topic_details` turns that into a ParseError.
    """
    identifier = str(details.get("identifier") or "").strip()
    title = str(details.get("title") or "").strip()
    if not identifier or not title:
        raise ValueError("topicDetails without identifier or title")
    actions = [a for a in details.get("actions") or [] if isinstance(a, dict)]

    def read_deadlines() -> tuple[list[datetime], DeadlineModel | None]:
        moments: list[datetime] = []
        model: DeadlineModel | None = None
        for action in actions:
            moments.extend(details_date(v) for v in action.get("deadlineDates") or [])
            procedure = (action.get("submissionProcedure") or {}).get("abbreviation")
            model = model or MODELS.get(str(procedure or ""))
        return moments, model

    nothing: tuple[list[datetime], DeadlineModel | None] = ([], None)
    moments, model = guard(notes, "actions.deadlineDates", read_deadlines, nothing)
    types = tuple(
        str(t.get("typeOfAction"))
        for a in actions
        for t in a.get("types") or []
        if isinstance(t, dict) and t.get("typeOfAction")
    )
    entries: list[dict[str, Any]] = guard(
        notes,
        "budgetOverviewJSONItem",
        lambda: budget_entries(
            details.get("budgetOverviewJSONItem") or {}, identifier, notes, types
        ),
        [],
    )
    if model is None:
        models = {MODELS.get(str(e.get("deadlineModel") or "")) for e in entries} - {None}
        model = models.pop() if len(models) == 1 else None
    deadlines: tuple[Deadline, ...] = guard(
        notes, "deadlines", lambda: deadlines_of(moments, model), ()
    )
    model = settle_model(model, deadlines)
    codes = {str((a.get("status") or {}).get("id")) for a in actions}
    statuses = {STATUS_CODES.get(code, "unknown") for code in codes}
    status: CallStatus = statuses.pop() if len(statuses) == 1 else "unknown"
    programme = details.get("frameworkProgramme") or {}
    programme_id = str(programme.get("id", "")) if isinstance(programme, dict) else ""
    conditions = guard(notes, "conditions", lambda: clean_text(details.get("conditions")), "")
    partners, countries = partnership(conditions)
    facts = conditions_facts(conditions)
    no_links: tuple[Link, ...] = ()
    openings: list[datetime] = guard(
        notes,
        "plannedOpeningDate",
        lambda: [
            details_date(a["plannedOpeningDate"]) for a in actions if a.get("plannedOpeningDate")
        ],
        [],
    )
    published: datetime | None = guard(
        notes,
        "publicationDateLong",
        lambda: (
            details_date(details["publicationDateLong"])
            if details.get("publicationDateLong")
            else None
        ),
        None,
    )
    return Call(
        id=identifier,
        title=clean_text(title),
        description=guard(notes, "description", lambda: clean_text(details.get("description")), ""),
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
        documents=guard(notes, "documents", lambda: documents(details), no_links),
        budget=guard(notes, "budget", lambda: budget_of(entries, notes), Budget()),
        co_financing_rate=guard(notes, "conditions", lambda: co_financing(conditions), None),
        countries=facts.countries,
        organisation_types=facts.organisation_types,
        min_partners=partners,
        min_countries=countries,
        published=published,
    )
