"""Reading the fields of Funding & Tenders Portal JSON: dates, deadlines, budgets, status.

Pure helpers shared by the search-result parser (:mod:`fundmatch.sources.ftportal`) and the
topicDetails parser (:mod:`fundmatch.sources.topicdetails`): the Portal's status codes and
programme ids, its date forms (17:00 Brussels time when only a day is given), the budget
entries of one topic in a ``budgetOverview``, and :func:`guard`, which lets one malformed field
fail alone (noted, left unknown) instead of the whole call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fundmatch.models import ActionBudget, Budget, CallStatus, Deadline, DeadlineModel
from fundmatch.sources import jsontext
from fundmatch.sources.extract import find_co_financing_rate, find_partnership
from fundmatch.sources.jsontext import short as short

__all__ = [
    "ASSUMED_TIME_LABEL",
    "BRUSSELS",
    "MAX_AMOUNT",
    "MODELS",
    "PORTAL_DEADLINE_TIME",
    "PROGRAMMES",
    "STATUS_CODES",
    "WALL_CLOCK_LABEL",
    "budget_entries",
    "budget_of",
    "cascade_deadlines",
    "cascade_moment",
    "co_financing",
    "day_of",
    "deadlines_of",
    "details_date",
    "guard",
    "is_date_only",
    "partnership",
    "portal_datetime",
    "settle_model",
    "short",
    "topic_url",
]

BRUSSELS = ZoneInfo("Europe/Brussels")
PORTAL_DEADLINE_TIME = time(17, 0)
"""Portal deadlines are 17:00 Brussels time unless the topic says otherwise."""
ASSUMED_TIME_LABEL = "17:00 Brussels time assumed (the source gives the date only)"
WALL_CLOCK_LABEL = "Brussels time assumed (the Portal lists the time without its zone)"
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


MODELS: dict[str, DeadlineModel] = {
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


def topic_url(identifier: str) -> str:
    """The Portal's human page for a topic."""
    return _TOPIC_PAGE.format(identifier)


def guard(notes: list[str], name: str, read: Callable[[], T], default: T) -> T:
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
        notes.append(f"{name}: {short(exc)}")
        return default


# --- dates ----------------------------------------------------------------------------


def portal_datetime(value: str) -> datetime:
    """``2023-05-11T02:00:00.000+0200`` → aware datetime."""
    value = value.strip()
    found = re.fullmatch(r"(.*?)([+-]\d\d):?(\d\d)$", value)
    if found:
        value = f"{found.group(1)}{found.group(2)}:{found.group(3)}"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BRUSSELS)
    return moment


def is_date_only(moment: datetime) -> bool:
    # The search API gives deadline days as local or UTC midnight (…T00:00+0100, …T02:00+0200).
    utc = moment.astimezone(UTC)
    return (moment.hour, moment.minute, moment.second) == (0, 0, 0) or (
        utc.hour,
        utc.minute,
        utc.second,
    ) == (0, 0, 0)


def day_of(moment: datetime) -> datetime:
    if (moment.hour, moment.minute) == (0, 0):
        return moment
    return moment.astimezone(UTC)


def _deadline_at(moment: datetime) -> tuple[datetime, str | None]:
    if is_date_only(moment):
        day = day_of(moment).date()
        return datetime.combine(day, PORTAL_DEADLINE_TIME, BRUSSELS), ASSUMED_TIME_LABEL
    return moment.astimezone(BRUSSELS), None


def details_date(value: Any) -> datetime:
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
    return portal_datetime(text)


def deadlines_of(moments: list[datetime], model: DeadlineModel | None) -> tuple[Deadline, ...]:
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


def cascade_moment(moment: datetime) -> tuple[datetime, bool]:
    """A cascade-funding call's date as the project wrote it, in Brussels time.

    The Portal lists these times at offset zero, but as written on the call's page: 17:00,
    23:59, 12:00 (of the 221 cascade calls in the feed snapshots of March to June 2026, 90
    close at 17:00 and 47 at 23:59 as listed: times written for people, not UTC ones). The
    wall-clock time is kept and taken as Brussels time, the Portal's own (True: assumed). A
    date with a real offset is kept as that instant.
    """
    if moment.utcoffset() == timedelta(0):
        return moment.replace(tzinfo=BRUSSELS), True
    return moment.astimezone(BRUSSELS), False


def cascade_deadlines(moments: list[datetime]) -> tuple[Deadline, ...]:
    """A cascade-funding call's deadlines, each at the time listed (see :func:`cascade_moment`)."""
    ordered = sorted(set(moments))
    result = []
    for number, moment in enumerate(ordered, start=1):
        at, assumed = cascade_moment(moment)
        stage = f"cut-off {number}" if len(ordered) > 1 else None
        label = "; ".join(p for p in (stage, WALL_CLOCK_LABEL if assumed else None) if p)
        result.append(Deadline(at=at, timezone="Europe/Brussels", label=label or None))
    return tuple(result)


def settle_model(
    model: DeadlineModel | None, deadlines: tuple[Deadline, ...]
) -> DeadlineModel | None:
    # H2020 topics list one single-stage action per cut-off: several deadlines are cut-offs.
    if len(deadlines) > 1 and model in (None, "single-stage"):
        return "multiple cut-off"
    return model


# --- budget ---------------------------------------------------------------------------


def _entries(overview: Any, name: str, notes: list[str]) -> list[dict[str, Any]]:
    """Every budget entry of a budgetOverview (a JSON text, possibly cut, or parsed) whose
    ``action`` is whole: an entry the cut falls inside keeps the values whole before it."""
    if isinstance(overview, str):
        loaded = jsontext.loads(overview)
        notes.extend(f"{name}: {warning}" for warning in loaded.warnings)
        overview = loaded.value
        if loaded.truncated:
            notes.append(f"{name}: cut short; only the values whole before the cut are read")
    if not isinstance(overview, dict):
        raise ValueError("not a budget overview")
    actions = overview.get("budgetTopicActionMap") or {}
    if not isinstance(actions, dict):
        raise ValueError("budgetTopicActionMap is not an object")
    entries: list[dict[str, Any]] = []
    for value in actions.values():  # a list of entries, or a single entry
        entries.extend(value if isinstance(value, list) else [value])
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("action"), str)]


def budget_entries(
    overview: Any, identifier: str, notes: list[str], types: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The entries of ``identifier`` itself, never a sibling topic's.

    A budgetOverview covers every topic of the call: an entry ``"<topic> - <type of action>"``
    belongs to that topic. An entry naming the type of action only (topicDetails) is the
    topic's own when that type is one of ``types`` (the topic's types of action), or, when
    they are unknown, when it is the only entry. An entry the Portal's cut falls inside is
    kept with the values whole before the cut, and noted.
    """
    entries = _entries(overview, "budgetOverview", notes)
    prefix = f"{identifier} - "
    mine = [e for e in entries if str(e.get("action", "")).startswith(prefix)]
    if not mine:
        bare = [e for e in entries if " - " not in str(e.get("action", ""))]
        if types:
            mine = [e for e in bare if _is_type(str(e.get("action", "")), types)]
        else:
            mine = bare if len(entries) == 1 else []
    for entry in mine:
        if not jsontext.is_whole(entry):
            notes.append(
                f"budgetOverview: the entry {entry['action']!r} was cut; its values whole "
                f"before the cut are kept ({', '.join(_whole_keys(entry)) or 'none'})"
            )
    return mine


def _whole_keys(entry: dict[str, Any]) -> list[str]:
    keys = ("expectedGrants", "minContribution", "maxContribution", "budgetYearMap")
    return [k for k in keys if k in entry and jsontext.is_whole(entry[k])]


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
    if not jsontext.is_whole(years):
        years = {}  # cut inside: some years missing, so no total
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


def budget_of(entries: list[dict[str, Any]], notes: list[str] | None = None) -> Budget:
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


# --- conditions -------------------------------------------------------------------------


def partnership(conditions: str) -> tuple[int | None, int | None]:
    return find_partnership(conditions) if conditions else (None, None)


def co_financing(conditions: str) -> Decimal | None:
    return find_co_financing_rate(conditions) if conditions else None
