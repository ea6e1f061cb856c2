"""Exports of calls and of matches: JSON, JSON Lines, CSV, iCalendar and CommonGrants JSON.

Pure functions: models in, text out (also written to ``file`` when one is given). Reading the
store, the clock and the files is the caller's business (the ``export`` command).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from hashlib import sha256
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import icalendar

from fundmatch.display import deadline_text as format_deadline
from fundmatch.display import reason_text
from fundmatch.models import Call, Deadline, Match

__all__ = [
    "CSV_COLUMNS",
    "MATCH_CSV_COLUMNS",
    "export_commongrants",
    "export_csv",
    "export_ics",
    "export_json",
    "export_jsonl",
    "format_deadline",
    "ics_uid",
]

CallsOrMatches = Iterable[Call] | Iterable[Match]
"""What every export takes: calls, or the matches of a profile (then scores are included)."""

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "programme",
    "call_id",
    "topic_id",
    "instrument",
    "action_type",
    "reported_status",
    "opening",
    "deadlines",
    "deadlines_human",
    "deadline_model",
    "budget_total",
    "budget_per_project_min",
    "budget_per_project_max",
    "budget_currency",
    "expected_grants",
    "co_financing_rate",
    "countries",
    "regions",
    "organisation_types",
    "min_partners",
    "min_countries",
    "languages",
    "keywords",
    "tags",
    "url",
    "source",
)
"""CSV columns of a call, in order."""

MATCH_CSV_COLUMNS: tuple[str, ...] = ("rank", "score", "reasons", "blockers", *CSV_COLUMNS)
"""CSV columns when exporting matches: rank, score and explanation first."""

JOIN = "; "
"""Separator of multi-valued CSV cells (countries, keywords, deadlines)."""

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fundmatch.invalid/call")


def _split(data: CallsOrMatches) -> tuple[list[Call], list[Match] | None]:
    """The calls, and the matches when ``data`` holds matches (never a mix)."""
    items: list[Any] = list(data)
    if items and all(isinstance(item, Match) for item in items):
        return [m.call for m in items], items
    if all(isinstance(item, Call) for item in items):
        return items, None
    raise TypeError("an export takes calls or matches, not a mix of both or other objects")


def _emit(text: str, file: TextIO | None) -> str:
    if file is not None:
        file.write(text)
    return text


# --- JSON -----------------------------------------------------------------------------


def _dump(item: Call | Match) -> dict[str, Any]:
    return item.model_dump(mode="json")


def export_json(data: CallsOrMatches, file: TextIO | None = None, *, indent: int = 2) -> str:
    """A JSON array of calls (``docs/schema/call.schema.json``) or of matches (``match``).

    Every field is present, so the names are stable; ``Call.model_validate`` (or
    ``Match.model_validate``) on each element gives back equal models.
    """
    calls, matches = _split(data)
    items: Sequence[Call | Match] = calls if matches is None else matches
    text = json.dumps([_dump(i) for i in items], indent=indent, ensure_ascii=False) + "\n"
    return _emit(text, file)


def export_jsonl(data: CallsOrMatches, file: TextIO | None = None) -> str:
    """JSON Lines: one call (or match) per line, the same objects as :func:`export_json`."""
    calls, matches = _split(data)
    items: Sequence[Call | Match] = calls if matches is None else matches
    text = "".join(json.dumps(_dump(i), ensure_ascii=False) + "\n" for i in items)
    return _emit(text, file)


# --- CSV ------------------------------------------------------------------------------


def _number(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _top_reasons(match: Match, count: int = 3) -> list[str]:
    best = sorted(match.reasons, key=lambda r: r.points, reverse=True)[:count]
    return [f"{reason_text(r)} ({r.points:+.1f} points)" for r in best]


def _csv_row(call: Call) -> dict[str, str]:
    budget = call.budget
    return {
        "id": call.id,
        "title": call.title,
        "programme": call.programme or "",
        "call_id": call.call_id or "",
        "topic_id": call.topic_id or "",
        "instrument": call.instrument or "",
        "action_type": call.action_type or "",
        "reported_status": call.reported_status,
        "opening": _iso(call.opening),
        "deadlines": JOIN.join(d.at.isoformat() for d in call.deadlines),
        "deadlines_human": JOIN.join(format_deadline(d) for d in call.deadlines),
        "deadline_model": call.deadline_model or "",
        "budget_total": _number(budget.total),
        "budget_per_project_min": _number(budget.per_project_min),
        "budget_per_project_max": _number(budget.per_project_max),
        "budget_currency": budget.currency,
        "expected_grants": _number(budget.expected_grants),
        "co_financing_rate": _number(call.co_financing_rate),
        "countries": JOIN.join(call.countries),
        "regions": JOIN.join(call.regions),
        "organisation_types": JOIN.join(call.organisation_types),
        "min_partners": _number(call.min_partners),
        "min_countries": _number(call.min_countries),
        "languages": JOIN.join(call.languages),
        "keywords": JOIN.join(call.keywords),
        "tags": JOIN.join(call.tags),
        "url": call.url or "",
        "source": call.source or "",
    }


def export_csv(data: CallsOrMatches, file: TextIO | None = None, *, bom: bool = True) -> str:
    """CSV, one row per call (columns :data:`CSV_COLUMNS`; matches add rank, score, reasons).

    UTF-8 with a byte-order mark by default: Excel reads a CSV without one in the machine's
    legacy code page and garbles accents (``Région`` → ``RÃ©gion``), while LibreOffice, Google
    Sheets and ``csv`` with ``encoding="utf-8-sig"`` accept the mark. Deadlines come twice: ISO
    8601 with offset (``deadlines``) for tools and in words with the zone (``deadlines_human``).
    Multi-valued cells are joined with ``"; "``. Rows end with CRLF (RFC 4180).
    """
    calls, matches = _split(data)
    buffer = io.StringIO()
    columns = CSV_COLUMNS if matches is None else MATCH_CSV_COLUMNS
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    if matches is None:
        writer.writerows(_csv_row(call) for call in calls)
    else:
        for rank, match in enumerate(matches, 1):
            row = {
                "rank": str(rank),
                "score": f"{match.score:.1f}",
                "reasons": JOIN.join(_top_reasons(match, count=len(match.reasons))),
                "blockers": JOIN.join(f"{b.gate}: {b.message}" for b in match.blockers),
            }
            writer.writerow(row | _csv_row(match.call))
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    return _emit(text, file)


# --- iCalendar ------------------------------------------------------------------------

_SAFE_UID = re.compile(r"^[A-Za-z0-9._\-]{1,120}$")


def ics_uid(call: Call, stage: int) -> str:
    """The stable UID of a call's ``stage``-th deadline (1-based) in an iCalendar export.

    Re-importing a later export updates the same event instead of adding one. Ids that are
    not plain tokens (feed guids are often URLs) are replaced by a hash of the id.
    """
    key = call.id if _SAFE_UID.match(call.id) else sha256(call.id.encode()).hexdigest()[:32]
    return f"{key}-deadline-{stage}@fundmatch"


def _stage_name(call: Call, deadline: Deadline, stage: int) -> str:
    if deadline.label:
        return deadline.label
    if len(call.deadlines) == 1:
        return "deadline"
    return f"stage {stage}" if call.deadline_model == "two-stage" else f"cut-off {stage}"


def _event_time(deadline: Deadline) -> datetime:
    # A named IANA zone travels with its VTIMEZONE; a bare offset (no zone name) is written
    # in UTC, the only zone-less form every calendar reads the same way.
    if deadline.timezone:
        return deadline.local()
    return deadline.at.astimezone(UTC)


def _ics_description(call: Call, deadline: Deadline, match: Match | None) -> str:
    lines = [call.title]
    if call.programme:
        lines.append(f"Programme: {call.programme}")
    lines.append(f"Deadline: {format_deadline(deadline)}, {deadline.at.isoformat()}")
    if match is not None:
        lines.append(f"Score: {match.score:.1f} / 100")
        lines.extend(f"- {reason}" for reason in _top_reasons(match))
        lines.extend(f"Blocked: {b.gate}: {b.message}" for b in match.blockers)
    if call.url:
        lines.append(call.url)
    return "\n".join(lines)


def export_ics(
    data: CallsOrMatches,
    file: TextIO | None = None,
    *,
    now: datetime,
    alarm_days: int = 7,
    name: str = "fundmatch deadlines",
    upcoming: bool = False,
) -> str:
    """An iCalendar (RFC 5545) calendar with one event per deadline stage of every call.

    Each event is at the deadline in the call's own time zone (its VTIMEZONE is included),
    has a stable UID (:func:`ics_uid`) so re-importing updates it, a display alarm
    ``alarm_days`` before, and the link (and for matches the score) in its description.
    ``now`` is the DTSTAMP (when the export was made). ``upcoming`` keeps only the deadlines
    after ``now``; stage numbers, and so UIDs, stay those of the full export.
    """
    if alarm_days < 0:
        raise ValueError("alarm_days must be zero or more")
    calls, matches = _split(data)
    stamp = now.astimezone(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//fundmatch//fundmatch deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    zones: dict[str, ZoneInfo] = {}
    for index, call in enumerate(calls):
        match = None if matches is None else matches[index]
        for stage, deadline in enumerate(call.deadlines, 1):
            if upcoming and deadline.at <= now:
                continue
            stage_name = _stage_name(call, deadline, stage)
            event = icalendar.Event()
            event.add("uid", ics_uid(call, stage))
            event.add("dtstamp", stamp)
            event.add("dtstart", _event_time(deadline))
            event.add("summary", f"Deadline ({stage_name}): {call.title}")
            event.add("description", _ics_description(call, deadline, match))
            event.add("transp", "TRANSPARENT")
            event.add(
                "categories", ["funding deadline", *([call.programme] if call.programme else [])]
            )
            if call.url:
                event.add("url", call.url)
            if deadline.timezone:
                zones[deadline.timezone] = ZoneInfo(deadline.timezone)
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(days=-alarm_days))
            alarm.add("description", f"{alarm_days} days to: {call.title}")
            event.add_component(alarm)
            calendar.add_component(event)
    # VTIMEZONEs first, as most readers expect; covering the years the deadlines are in.
    for key in sorted(zones):
        years = [d.at.year for c in calls for d in c.deadlines if d.timezone == key]
        timezone = icalendar.Timezone.from_tzinfo(
            zones[key],
            tzid=key,
            first_date=datetime(min(years) - 1, 1, 1).date(),
            last_date=datetime(max(years) + 2, 1, 1).date(),
        )
        calendar.subcomponents.insert(0, timezone)
    text = calendar.to_ical().decode("utf-8")
    return _emit(text, file)


# --- CommonGrants ---------------------------------------------------------------------

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


def _opportunity(call: Call, match: Match | None, now: datetime) -> dict[str, Any]:
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
        "createdAt": (call.published or call.updated or now).astimezone(UTC).isoformat(),
        "lastModifiedAt": (call.updated or call.published or now).astimezone(UTC).isoformat(),
    }
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
        name = _stage_name(call, deadline, stage)
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
        custom["reasons"] = _custom("reasons", _top_reasons(match), "main factors of the score")
    opp["customFields"] = custom
    return opp


def export_commongrants(
    data: CallsOrMatches, file: TextIO | None = None, *, now: datetime, indent: int = 2
) -> str:
    """A JSON array of CommonGrants opportunities (``OpportunityBase`` of the protocol).

    Status is the call's status at ``now``; funding amounts are money (amount as a decimal
    string, currency); key dates hold the close date (the next deadline, else the last one)
    and every stage. CommonGrants dates have no offset, so each date is local to the call's
    zone and the zone is written in the descriptions and the ``timeZone`` custom field.
    The id is a UUID derived from the call id (stable across exports).
    """
    calls, matches = _split(data)
    items = [
        _opportunity(call, None if matches is None else matches[i], now)
        for i, call in enumerate(calls)
    ]
    text = json.dumps(items, indent=indent, ensure_ascii=False) + "\n"
    return _emit(text, file)
