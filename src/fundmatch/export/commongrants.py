"""The CommonGrants export: calls and matches as ``OpportunityBase`` objects of the protocol."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from fundmatch.display import deadline_text as format_deadline
from fundmatch.export.common import CallsOrMatches, emit, split, stage_name, top_reasons
from fundmatch.models import Call, Match

__all__ = ["export_commongrants"]

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fundmatch.invalid/call")


_CG_STATUS = {"forthcoming": "forecasted", "open": "open", "closed": "closed"}
_CG_APPLICANT = {
    "sme": "for_profit_small_business",
    "large-enterprise": "for_profit_not_small_business",
    "individual": "individual",
}


def _money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount": str(amount), "currency": currency}


def _event(name: str, moment: datetime, zone: str | None, what: str) -> dict[str, Any]:
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    zone_text = zone or local.strftime("UTC%z")
    return {
        "name": name,
        "eventType": "singleDate",
        "date": local.date().isoformat(),
        "time": local.time().replace(tzinfo=None).isoformat(timespec="seconds"),
        "description": f"{what} at {local:%H:%M} {zone_text} ({local.isoformat()})",
    }


def _custom(name: str, value: Any, description: str) -> dict[str, Any]:
    kinds = {str: "string", float: "number", int: "integer", list: "array", dict: "object"}
    return {
        "name": name,
        "fieldType": kinds[type(value)],
        "value": value,
        "description": description,
    }


def _opportunity(
    call: Call, match: Match | None, now: datetime, first_seen: datetime | None
) -> dict[str, Any]:
    status = call.status(now)
    closing = call.next_deadline(now) or (call.deadlines[-1] if call.deadlines else None)
    zones = sorted({d.timezone for d in call.deadlines if d.timezone})
    description = call.description or call.title
    if closing is not None:
        # CommonGrants dates carry no offset: say in words which zone they are in.
        description += f"\n\nDeadlines are given in {', '.join(zones) or 'UTC offset'} time: " + (
            "; ".join(format_deadline(d) for d in call.deadlines)
        )
    opp: dict[str, Any] = {
        "id": str(uuid.uuid5(_NAMESPACE, call.id)),
        "title": call.title,
        "description": description,
        "status": {"value": _CG_STATUS.get(status, "custom")},
    }
    created = call.published or first_seen  # never the export's time: unknown is left out
    stamps = {"createdAt": created, "lastModifiedAt": call.updated or created}
    opp |= {key: at.astimezone(UTC).isoformat() for key, at in stamps.items() if at is not None}
    if status == "unknown":
        opp["status"] |= {"customValue": "unknown", "description": "no known deadline"}
    budget = call.budget
    funding = {
        "totalAmountAvailable": _money(budget.total, budget.currency),
        "minAwardAmount": _money(budget.per_project_min, budget.currency),
        "maxAwardAmount": _money(budget.per_project_max, budget.currency),
        "estimatedAwardCount": budget.expected_grants,
        "details": None
        if call.co_financing_rate is None
        else f"co-financing rate {call.co_financing_rate * 100:g} % of eligible costs",
    }
    funding = {k: v for k, v in funding.items() if v is not None}
    if funding:
        opp["funding"] = funding
    dates: dict[str, Any] = {}
    if call.published is not None:
        dates["postDate"] = _event("Published", call.published, None, "published")
    if closing is not None:
        dates["closeDate"] = _event("Application deadline", closing.at, closing.timezone, "closes")
    other = {}
    if call.opening is not None:
        other["openDate"] = _event("Opening", call.opening, None, "opens for submission")
    for stage, deadline in enumerate(call.deadlines, 1):
        name = stage_name(call, deadline, stage)
        other[f"deadline{stage}"] = _event(name, deadline.at, deadline.timezone, name)
    if other:
        dates["otherDates"] = other
    if dates:
        opp["keyDates"] = dates
    if call.url:
        opp["source"] = call.url
    types = [
        {"value": _CG_APPLICANT[t]} if t in _CG_APPLICANT else {"value": "custom", "customValue": t}
        for t in call.organisation_types
    ]
    if types:
        opp["acceptedApplicantTypes"] = types
    custom = {"fundmatchId": _custom("fundmatchId", call.id, "the call's id in fundmatch")}
    if call.programme:
        custom["programme"] = _custom("programme", call.programme, "funding programme")
    if zones:
        custom["timeZone"] = _custom("timeZone", zones[0], "IANA zone the deadlines are stated in")
    if call.countries:
        custom["countries"] = _custom("countries", list(call.countries), "eligible countries")
    if match is not None:
        custom["score"] = _custom("score", float(match.score), "fundmatch relevance, 0 to 100")
        custom["reasons"] = _custom("reasons", top_reasons(match), "main factors of the score")
    opp["customFields"] = custom
    return opp


def export_commongrants(
    data: CallsOrMatches,
    file: TextIO | None = None,
    *,
    now: datetime,
    indent: int = 2,
    first_seen: Mapping[str, datetime] | None = None,
) -> str:
    """A JSON array of CommonGrants opportunities (``OpportunityBase`` of the protocol).

    Status is the call's status at ``now``; funding amounts are money (amount as a decimal
    string, currency); key dates hold the close date (the next deadline, else the last one)
    and every stage. CommonGrants dates have no offset, so each date is local to the call's
    zone and the zone is written in the descriptions and the ``timeZone`` custom field.
    The id is a UUID derived from the call id (stable across exports). ``createdAt``: when the
    source published the call, else when the store first saw it (``first_seen``, by call id),
    else left out; ``lastModifiedAt``: the source's last update, else ``createdAt``.
    """
    calls, matches = split(data)
    seen = first_seen or {}
    items = [
        _opportunity(call, None if matches is None else matches[i], now, seen.get(call.id))
        for i, call in enumerate(calls)
    ]
    text = json.dumps(items, indent=indent, ensure_ascii=False) + "\n"
    return emit(text, file)
