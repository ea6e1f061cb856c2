"""The iCalendar export: one event per deadline stage, in the call's own zone, with stable UIDs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import TextIO
from zoneinfo import ZoneInfo

import icalendar

from fundmatch.display import age_text
from fundmatch.display import deadline_text as format_deadline
from fundmatch.export.common import CallsOrMatches, emit, split, stage_name, top_reasons
from fundmatch.models import Call, Deadline, Match, Matches

__all__ = ["export_ics", "ics_uid"]

_SAFE_UID = re.compile(r"^[A-Za-z0-9._\-]{1,120}$")


def ics_uid(call: Call, stage: int) -> str:
    """The stable UID of a call's ``stage``-th deadline (1-based) in an iCalendar export.

    Re-importing a later export updates the same event instead of adding one. Ids that are
    not plain tokens (feed guids are often URLs) are replaced by a hash of the id.
    """
    key = call.id if _SAFE_UID.match(call.id) else sha256(call.id.encode()).hexdigest()[:32]
    return f"{key}-deadline-{stage}@fundmatch"


def _event_time(deadline: Deadline) -> datetime:
    # A named IANA zone travels with its VTIMEZONE; a bare offset (no zone name) is written
    # in UTC, the only zone-less form every calendar reads the same way.
    if deadline.timezone:
        return deadline.local()
    return deadline.at.astimezone(UTC)


def _ics_summary(call: Call, deadline: Deadline, stage: int) -> str:
    """``Deadline: <title>``, with the stage when the call has several deadlines: its label when
    short (``stage 1``), else its number; a longer label (a note) stays in the description."""
    if len(call.deadlines) <= 1:
        return f"Deadline: {call.title}"
    short = deadline.label if len(deadline.label or "") <= 30 else None
    label = stage_name(call, deadline.model_copy(update={"label": short}), stage)
    return f"Deadline: {call.title} ({label})"


def _ics_description(call: Call, deadline: Deadline, match: Match | None, now: datetime) -> str:
    lines = [call.title]
    if call.programme:
        lines.append(f"Programme: {call.programme}")
    lines.append(f"Deadline: {format_deadline(deadline)}, {deadline.at.isoformat()}")
    lines.append(
        f"Status on {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC: {call.status(now)} "
        f"(the source reported: {call.reported_status})"
    )
    if match is not None:
        lines.append(f"Score: {match.score:.1f} / 100")
        lines.extend(f"- {reason}" for reason in top_reasons(match))
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
    ``now`` is the DTSTAMP (when the export was made); the description gives the call's status
    at ``now`` beside the status its source reported. ``upcoming`` keeps only the deadlines
    after ``now``; stage numbers, and so UIDs, stay those of the full export. For a
    :class:`Matches` with a ``data_date``, the calendar's description says it with its age.
    """
    if alarm_days < 0:
        raise ValueError("alarm_days must be zero or more")
    calls, matches = split(data)
    stamp = now.astimezone(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//fundmatch//fundmatch deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    read_on = data.data_date if isinstance(data, Matches) else None
    if read_on is not None:
        # The calendar's own description: the day the calls were read (RFC 7986 DESCRIPTION
        # and the widely read X-WR-CALDESC).
        said = f"Calls as read on {age_text(read_on, now)}"
        calendar.add("description", said)
        calendar.add("x-wr-caldesc", said)
    zones: dict[str, ZoneInfo] = {}
    for index, call in enumerate(calls):
        match = None if matches is None else matches[index]
        for stage, deadline in enumerate(call.deadlines, 1):
            if upcoming and deadline.at <= now:
                continue
            event = icalendar.Event()
            event.add("uid", ics_uid(call, stage))
            event.add("dtstamp", stamp)
            event.add("dtstart", _event_time(deadline))
            event.add("summary", _ics_summary(call, deadline, stage))
            event.add("description", _ics_description(call, deadline, match, now))
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
    return emit(text, file)
