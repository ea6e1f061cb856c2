"""Rebuild the bundled offline snapshot ``calls/snapshot/calls.jsonl.gz``.

    python scripts/build_snapshot.py [--dataset PATH] [--out PATH]

Reads the Portal topics normalised by OscarSalgado/CordisData (``calls_open.jsonl.gz``,
Apache-2.0, August 2026); every Portal record of the daily feed snapshots of the Portal's
search API (``--feeds``: topics the first input lacks, calls for proposals and cascade-funding
calls, each read by the live parser from the search result the record was made from; their
budgets and opening days for the topics of the first input); and the hand-transcribed calls in
``calls/snapshot/curated.toml`` and ``calls/snapshot/interreg.toml``. Each Portal call's status
is the one its own dates give on the data's date; every call inherits its programme's general
rules (``calls/programmes.toml``). Writes one Call per line (gzip JSON lines) and
``snapshot.json`` (the data's date).
The input's quirks, handled here: a UTF-8 BOM, objects written back to back on one line,
mojibake (UTF-8 read as cp1252), a ``stage`` field that says two-stage for every topic (so
``deadlineModel`` is used), and date-only deadlines (Portal deadlines are 17:00 Brussels time;
the deadline's label says the time was assumed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fundmatch.errors import FundmatchError  # noqa: E402
from fundmatch.models import Budget, Call, Deadline, FactSource  # noqa: E402
from fundmatch.sources.extract import (  # noqa: E402
    clean_text,
    find_co_financing_rate,
    find_partnership,
    repair_mojibake,
)
from fundmatch.sources.ftportal import parse_ftportal_page  # noqa: E402
from fundmatch.sources.portalfields import (  # noqa: E402
    ASSUMED_TIME_LABEL,
    PORTAL_DEADLINE_TIME,
    PROGRAMMES,
    topic_url,
)
from fundmatch.sources.registry import load_programmes  # noqa: E402
from fundmatch.sources.rules import inherit_rules  # noqa: E402
from fundmatch.sources.snapshot import (  # noqa: E402
    SNAPSHOT_SOURCE,
    SnapshotInfo,
    dump_snapshot,
    dump_snapshot_info,
)
from fundmatch.sources.transcribed import load_transcribed  # noqa: E402

DATASET = ROOT.parent / "shared" / "data" / "sedia" / "normalised" / "calls_open.jsonl.gz"
SNAPSHOT_DIR = ROOT / "calls" / "snapshot"
TRANSCRIBED = ("curated.toml", "interreg.toml")
"""The transcribed-calls files read when present, in this order (a later file wins an id)."""
FEEDS = ROOT.parent / "shared" / "data" / "sedia" / "snapshots"
OUT = SNAPSHOT_DIR / "calls.jsonl.gz"
DATA_DATE = date(2026, 8, 17)
"""The day of the Portal listing: the date of CordisData commit ee1cc5f (the data's own date)."""
BRUSSELS = ZoneInfo("Europe/Brussels")
DESCRIPTION_LIMIT = 4000
"""Characters of description kept per topic: enough to rank on, small enough to ship."""
STATUSES = {"open": "open", "forthcoming": "forthcoming", "closed": "closed"}


def read_topics(path: Path) -> list[dict[str, Any]]:
    """The objects of the not-quite-JSONL file: BOM, then objects back to back."""
    text = gzip.decompress(path.read_bytes()).decode("utf-8").lstrip("\ufeff")
    decoder = json.JSONDecoder()
    topics: list[dict[str, Any]] = []
    index = 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            break
        obj, index = decoder.raw_decode(text, index)
        topics.append(obj)
    return topics


def _text(value: Any) -> str:
    return clean_text(repair_mojibake(str(value or "")))


def _money(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "", 0) else None


def topic_call(topic: dict[str, Any]) -> Call:
    """One normalised Portal topic as a Call."""
    identifier = str(topic["topicId"]).strip()
    model = topic.get("deadlineModel") or None  # never `stage`: it says two-stage for all
    deadlines: tuple[Deadline, ...] = ()
    if topic.get("deadline"):
        day = date.fromisoformat(topic["deadline"])
        at = datetime.combine(day, PORTAL_DEADLINE_TIME, BRUSSELS)
        label = ASSUMED_TIME_LABEL if model != "two-stage" else f"stage 1; {ASSUMED_TIME_LABEL}"
        deadlines = (Deadline(at=at, timezone="Europe/Brussels", label=label),)
    description = _text(topic.get("description"))
    objectives = _text(topic.get("objectives"))
    if objectives and objectives not in description:
        description = f"{description}\n\n{objectives}".strip()
    if len(description) > DESCRIPTION_LIMIT:
        description = description[:DESCRIPTION_LIMIT].rsplit(" ", 1)[0] + " …"
    conditions = _text(topic.get("topicConditions"))
    partners, countries = find_partnership(conditions)
    low, high = _money(topic.get("budgetMin")), _money(topic.get("budgetMax"))
    if low is not None and high is not None and low > high:
        low = None
    keywords = [k.strip() for k in str(topic.get("keywords") or "").split(",")]
    skip = {identifier, str(topic.get("callIdentifier") or "")}
    tags = [topic.get("cluster") or ""] + [
        t.strip() for t in str(topic.get("crossCuttingPriorities") or "").split(",")
    ]
    programme_id = str(topic.get("programmeId") or "")
    return Call(
        id=identifier,
        title=_text(topic.get("title")) or identifier,
        description=description,
        source=SNAPSHOT_SOURCE,
        url=topic.get("portalUrl") or None,
        kind="topic",
        programme=PROGRAMMES.get(programme_id, topic.get("programme") or None),
        call_id=topic.get("callIdentifier") or None,
        topic_id=identifier,
        keywords=tuple(_text(k) for k in keywords if k and k not in skip),
        tags=tuple(_text(t) for t in tags if t),
        instrument="grant",
        action_type=_text(topic.get("typesOfAction")) or topic.get("actionType") or None,
        reported_status=STATUSES.get(str(topic.get("callStatus")), "unknown"),
        deadlines=deadlines,
        deadline_model=model,
        budget=Budget(
            per_project_min=low,
            per_project_max=high,
            expected_grants=topic.get("expectedGrants") or None,
        ),
        co_financing_rate=find_co_financing_rate(conditions) if conditions else None,
        min_partners=partners,
        min_countries=countries,
        languages=("en",),
    )


def search_result(grant: dict[str, Any]) -> dict[str, Any]:
    """The search-API result a feed record was made from (the feed's mapping, reversed).

    ``id`` is the result's ``reference``; ``identifier``, ``title``, ``callTitle``,
    ``callIdentifier``, the type (``kind.id``), status, dates, programmes, type of action and
    ``abstract`` (the start of ``descriptionByte``) go back to ``metadata``.
    """

    def one(value: Any) -> list[str]:
        return [] if value is None else [str(value)]

    meta = {
        "identifier": one(grant.get("identifier")),
        "title": one(grant.get("title")),
        "callTitle": one(grant.get("callTitle")),
        "callIdentifier": one(grant.get("callIdentifier")),
        "type": one((grant.get("kind") or {}).get("id")),
        "status": one((grant.get("status") or {}).get("id")),
        "startDate": one(grant.get("startDate")),
        "deadlineDate": one(grant.get("deadlineDate")),
        "frameworkProgramme": [str(p["id"]) for p in grant.get("frameworkProgrammes") or []],
        "typesOfAction": one(grant.get("actionType")),
        "descriptionByte": one(grant.get("abstract")),
        "url": one(grant.get("url")),
    }
    return {
        "reference": grant.get("id"),
        "url": grant.get("url"),
        "summary": grant.get("summary"),
        "metadata": meta,
    }


def feed_calls(paths: list[Path]) -> dict[str, Call]:
    """Every Portal record of the feed snapshots as a Call, the latest listing of each winning.

    Each record is read by the live parser (``parse_ftportal_page``) from its search result.
    """
    found: dict[str, Call] = {}
    for path in sorted(paths):
        data = json.loads(gzip.decompress(path.read_bytes()))
        results = [search_result(g) for g in data["grants"] if g.get("id") and g.get("kind")]
        page = parse_ftportal_page({"results": results}, source=SNAPSHOT_SOURCE)
        for call in page.calls:
            found.pop(call.id, None)  # re-inserted: the latest listing's order
            found[call.id] = call
    return found


def dated(call: Call, at: datetime) -> Call:
    """The call with the status its own dates give at ``at`` (kept when they give none)."""
    status = call.status(at)
    if status == "unknown" or status == call.reported_status:
        return call
    return call.model_copy(update={"reported_status": status})


def transcribed_calls(paths: list[Path]) -> list[Call]:
    """The hand-transcribed calls of every file, each fact with the page it was read from."""
    calls: list[Call] = []
    for path in paths:
        calls.extend(load_transcribed(path, source=SNAPSHOT_SOURCE))
    return calls


def feed_budgets(paths: list[Path]) -> dict[str, tuple[Budget, FactSource]]:
    """Topic budgets recorded from the Portal's search API by daily feed snapshots.

    ``grants_<day>_<commit>.json.gz`` files of MichelNivard/eu-grants-feed: each grant's
    ``budget`` is the Portal's ``budgetOverview`` entry of the topic. Later files win; an
    identifier listed with two different budgets in one file (cascade calls) is skipped.
    """
    found: dict[str, tuple[Budget, FactSource]] = {}
    for path in sorted(paths):
        data = json.loads(gzip.decompress(path.read_bytes()))
        day = date.fromisoformat(str(data["generatedAt"])[:10])
        commit = path.name.removesuffix(".json.gz").rsplit("_", 1)[-1]
        seen: dict[str, Any] = {}
        for grant in data["grants"]:
            identifier, money = grant.get("identifier"), grant.get("budget")
            if not identifier or not money:
                continue
            if identifier in seen and seen[identifier] != money:
                seen[identifier] = None
            else:
                seen.setdefault(identifier, money)
            if seen[identifier] is None:
                found.pop(identifier, None)
                continue
            low = _money(money.get("minContributionEur"))
            high = _money(money.get("maxContributionEur"))
            if low is not None and high is not None and low > high:
                low = None
            budget = Budget(
                total=_money(money.get("totalBudgetEur")),
                per_project_min=low,
                per_project_max=high,
                expected_grants=money.get("expectedGrants") or None,
            )
            if budget == Budget():
                continue
            url = grant.get("url") or topic_url(identifier)
            note = (
                "the Portal search API's budgetOverview for the topic, as recorded on "
                f"{day.isoformat()} by the daily feed snapshot of MichelNivard/eu-grants-feed "
                f"(commit {commit})"
            )
            source = FactSource(url=url, read_on=day, facts=("budget",), note=note)
            found[identifier] = (budget, source)
    return found


def with_budget(call: Call, budgets: dict[str, tuple[Budget, FactSource]]) -> Call:
    """The call with a recorded budget where it has none of its own."""
    if call.budget != Budget() or call.id not in budgets:
        return call
    budget, source = budgets[call.id]
    return call.model_copy(update={"budget": budget, "fact_sources": (*call.fact_sources, source)})


Opening = tuple[datetime, date, FactSource]
"""An opening time, the deadline day it was listed with, and where it was read."""


def feed_openings(paths: list[Path]) -> dict[str, Opening]:
    """Topic opening days recorded from the Portal's search API by daily feed snapshots.

    A grant's ``startDate`` is the topic's opening day (written as UTC midnight): it is taken
    as 00:00 Brussels time that day. Later files win; kept with the deadline day listed beside
    it, so that an opening of an earlier cycle of the topic is not lent to a later one.
    """
    found: dict[str, Opening] = {}
    for path in sorted(paths):
        data = json.loads(gzip.decompress(path.read_bytes()))
        day = date.fromisoformat(str(data["generatedAt"])[:10])
        commit = path.name.removesuffix(".json.gz").rsplit("_", 1)[-1]
        for grant in data["grants"]:
            identifier, start = grant.get("identifier"), grant.get("startDate")
            deadline = grant.get("deadlineDate")
            if not identifier or not start or not deadline:
                continue
            opening = datetime.combine(date.fromisoformat(start[:10]), time(0, 0), BRUSSELS)
            note = (
                "the Portal search API's opening day (startDate) of the topic, as recorded on "
                f"{day.isoformat()} by the daily feed snapshot of MichelNivard/eu-grants-feed "
                f"(commit {commit}); the day is taken from 00:00 Brussels time"
            )
            url = grant.get("url") or topic_url(identifier)
            source = FactSource(url=url, read_on=day, facts=("opening",), note=note)
            found[identifier] = (opening, date.fromisoformat(deadline[:10]), source)
    return found


def with_opening(call: Call, openings: dict[str, Opening]) -> Call:
    """The call with a recorded opening where it has none and the deadline day agrees."""
    if call.opening is not None or call.id not in openings or not call.deadlines:
        return call
    opening, deadline_day, source = openings[call.id]
    if call.deadlines[0].local().date() != deadline_day or opening >= call.deadlines[0].at:
        return call
    sources = (*call.fact_sources, source)
    return call.model_copy(update={"opening": opening, "fact_sources": sources})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DATASET, help="calls_open.jsonl.gz")
    parser.add_argument(
        "--transcribed",
        type=Path,
        action="append",
        help="a transcribed-calls TOML file (repeatable; default: "
        + ", ".join(f"calls/snapshot/{name}" for name in TRANSCRIBED)
        + " when present)",
    )
    parser.add_argument(
        "--feeds",
        type=Path,
        default=FEEDS,
        help="folder of grants_<day>_<commit>.json.gz feed snapshots (budgets); '-' for none",
    )
    parser.add_argument("--data-date", type=date.fromisoformat, default=DATA_DATE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    topics = read_topics(args.dataset)
    calls: dict[str, Call] = {}
    for topic in topics:
        call = topic_call(topic)
        calls.setdefault(call.id, call)
    portal = len(calls)
    budgets: dict[str, tuple[Budget, FactSource]] = {}
    openings: dict[str, Opening] = {}
    listed: dict[str, Call] = {}
    if str(args.feeds) != "-" and args.feeds.is_dir():
        feeds = sorted(args.feeds.glob("grants_*.json.gz"))
        budgets, openings = feed_budgets(feeds), feed_openings(feeds)
        listed = feed_calls(feeds)
    with_budgets = with_openings = 0
    for key, call in calls.items():
        calls[key] = with_budget(call, budgets)
        with_budgets += calls[key] is not call
        before = calls[key]
        calls[key] = with_opening(before, openings)
        with_openings += calls[key] is not before
    added = Counter[str]()
    for call in listed.values():
        if call.id in calls:
            continue  # the August listing's topic is newer and fuller
        calls[call.id] = with_budget(call, budgets) if call.kind == "topic" else call
        added[call.kind or "other"] += 1
    at = datetime.combine(args.data_date, time(12, 0), BRUSSELS)
    calls = {key: dated(call, at) for key, call in calls.items()}
    paths = args.transcribed or [
        SNAPSHOT_DIR / name for name in TRANSCRIBED if (SNAPSHOT_DIR / name).is_file()
    ]
    for call in transcribed_calls(paths):
        calls[call.id] = call
    programmes = load_programmes()
    final = [inherit_rules(call, programmes) for call in calls.values()]
    inherited = sum(1 for new, old in zip(final, calls.values(), strict=True) if new is not old)
    dump_snapshot(final, args.out)
    info = SnapshotInfo(
        data_date=args.data_date,
        calls=len(final),
        note=f"Funding & Tenders Portal topics listed on {args.data_date.isoformat()}, the "
        "Portal's topics, calls for proposals and cascade-funding calls listed from March to "
        "June 2026 (each with its status on that day), and hand-transcribed programme calls "
        "(each fact with the day it was read)",
    )
    dump_snapshot_info(info, args.out.with_name("snapshot.json"))
    size = args.out.stat().st_size
    feed_added = sum(added.values())
    print(
        f"{len(topics)} topics read, {portal} Portal calls; from the feed snapshots "
        f"{feed_added} more ({', '.join(f'{n} {k}' for k, n in sorted(added.items()))}); "
        f"{len(calls) - portal - feed_added} transcribed"
    )
    print(f"feed snapshots: {with_budgets} budgets, {with_openings} opening days")
    print(f"{inherited} calls inherit programme rules")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(f"{size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except FundmatchError as exc:
        print(f"build_snapshot: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
