"""Rebuild the bundled offline snapshot ``calls/snapshot/calls.jsonl.gz``.

    python scripts/build_snapshot.py [--dataset PATH] [--out PATH]

Reads the Portal topics normalised by OscarSalgado/CordisData (``calls_open.jsonl.gz``,
Apache-2.0, August 2026) and the hand-transcribed Interreg calls in
``calls/snapshot/curated.toml``, and writes one Call per line (gzip JSON lines).
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
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fundmatch.models import Budget, Call, Deadline  # noqa: E402
from fundmatch.sources.extract import (  # noqa: E402
    clean_text,
    find_co_financing_rate,
    find_partnership,
    repair_mojibake,
)
from fundmatch.sources.ftportal import (  # noqa: E402
    ASSUMED_TIME_LABEL,
    PORTAL_DEADLINE_TIME,
    PROGRAMMES,
)
from fundmatch.sources.snapshot import SNAPSHOT_SOURCE, dump_snapshot  # noqa: E402

DATASET = ROOT.parent / "shared" / "data" / "sedia" / "normalised" / "calls_open.jsonl.gz"
CURATED = ROOT / "calls" / "snapshot" / "curated.toml"
OUT = ROOT / "calls" / "snapshot" / "calls.jsonl.gz"
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


def curated_calls(path: Path) -> list[Call]:
    """The hand-transcribed Interreg calls, each pointing at the page its facts come from."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["calls"]
    calls = []
    for entry in entries:
        zone = ZoneInfo(entry["timezone"])
        if "deadline" in entry:
            at = datetime.fromisoformat(entry["deadline"]).replace(tzinfo=zone)
            label = entry.get("deadline_label")
        else:
            at = datetime.combine(date.fromisoformat(entry["deadline_date"]), time(23, 59), zone)
            label = "time not stated: end of day assumed"
        sources = [entry["document"]] + [
            entry[k] for k in ("deadline_document", "co_financing_document") if k in entry
        ]
        description = entry["description"] + "\n\nSource: " + " ; ".join(sources)
        opening = entry.get("opening")
        calls.append(
            Call(
                id=entry["id"],
                title=entry["title"],
                description=description,
                source=SNAPSHOT_SOURCE,
                url=entry["document"],
                programme=entry["programme"],
                instrument=entry["instrument"],
                action_type=entry.get("action_type"),
                opening=datetime.fromisoformat(opening).replace(tzinfo=zone) if opening else None,
                deadlines=(Deadline(at=at, timezone=entry["timezone"], label=label),),
                budget=Budget(
                    total=entry.get("budget_total"),
                    per_project_min=entry.get("budget_min"),
                    per_project_max=entry.get("budget_max"),
                ),
                co_financing_rate=entry.get("co_financing_rate"),
                regions=tuple(entry.get("regions", ())),
                min_partners=entry.get("min_partners"),
                min_countries=entry.get("min_countries"),
                languages=(entry.get("language", "en"),),
            )
        )
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DATASET, help="calls_open.jsonl.gz")
    parser.add_argument("--curated", type=Path, default=CURATED)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    topics = read_topics(args.dataset)
    calls: dict[str, Call] = {}
    for topic in topics:
        call = topic_call(topic)
        calls.setdefault(call.id, call)
    portal = len(calls)
    for call in curated_calls(args.curated):
        calls[call.id] = call
    dump_snapshot(list(calls.values()), args.out)
    size = args.out.stat().st_size
    print(f"{len(topics)} topics read, {portal} Portal calls + {len(calls) - portal} curated")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(f"{size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
