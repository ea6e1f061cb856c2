"""JSON, JSON Lines and CSV exports of calls and matches: the calls as data for other tools."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

from fundmatch.application import application
from fundmatch.display import deadline_text as format_deadline
from fundmatch.display import fit_label
from fundmatch.export.common import CallsOrMatches, emit, split, top_reasons
from fundmatch.models import Call, Match, Matches, json_dump

__all__ = ["CSV_COLUMNS", "MATCH_CSV_COLUMNS", "export_csv", "export_json", "export_jsonl"]

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "programme",
    "call_id",
    "topic_id",
    "kind",
    "parent_topic",
    "instrument",
    "action_type",
    "reported_status",
    "status",
    "status_at",
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

MATCH_CSV_COLUMNS: tuple[str, ...] = (
    "rank",
    "score",
    "fit",
    "application",
    "reasons",
    "blockers",
    *CSV_COLUMNS,
    "data_date",
)
"""CSV columns when exporting matches: rank, score, its plain label, how the profile would
apply and the explanation first; last, the day the calls were read (when known)."""

JOIN = "; "
"""Separator of multi-valued CSV cells (countries, keywords, deadlines)."""


# --- JSON -----------------------------------------------------------------------------


def _dump(item: Call | Match) -> dict[str, Any]:
    return json_dump(item)  # every schema field, empty fact_sources too


def export_json(data: CallsOrMatches, file: TextIO | None = None, *, indent: int = 2) -> str:
    """A JSON array of calls (``docs/schema/call.schema.json``) or of matches (``match``).

    Every field is present, so the names are stable; ``Call.model_validate`` (or
    ``Match.model_validate``) on each element gives back equal models.
    """
    calls, matches = split(data)
    items: Sequence[Call | Match] = calls if matches is None else matches
    text = json.dumps([_dump(i) for i in items], indent=indent, ensure_ascii=False) + "\n"
    return emit(text, file)


def export_jsonl(data: CallsOrMatches, file: TextIO | None = None) -> str:
    """JSON Lines: one call (or match) per line, the same objects as :func:`export_json`."""
    calls, matches = split(data)
    items: Sequence[Call | Match] = calls if matches is None else matches
    text = "".join(json.dumps(_dump(i), ensure_ascii=False) + "\n" for i in items)
    return emit(text, file)


# --- CSV ------------------------------------------------------------------------------


def _number(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _csv_row(call: Call, now: datetime | None) -> dict[str, str]:
    budget = call.budget
    return {
        "id": call.id,
        "title": call.title,
        "programme": call.programme or "",
        "call_id": call.call_id or "",
        "topic_id": call.topic_id or "",
        "kind": call.kind or "",
        "parent_topic": call.parent.id if call.parent else "",
        "instrument": call.instrument or "",
        "action_type": call.action_type or "",
        "reported_status": call.reported_status,
        "status": "" if now is None else call.status(now),
        "status_at": _iso(now),
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


def export_csv(
    data: CallsOrMatches,
    file: TextIO | None = None,
    *,
    bom: bool = True,
    now: datetime | None = None,
) -> str:
    """CSV, one row per call (columns :data:`CSV_COLUMNS`; matches add rank, score, its label,
    how the profile would apply, reasons, and ``data_date``: the day the calls were read, from a
    :class:`Matches`' ``data_date``, on every row since CSV has no header block).

    ``status`` is the call's status at ``now`` (the export time), computed from its dates, beside
    the ``reported_status`` the source gave when it was fetched (a call whose deadlines have all
    passed is ``closed`` even where the source still said ``open``); ``status_at`` is ``now``.
    Both are empty without ``now``.

    UTF-8 with a byte-order mark by default: Excel reads a CSV without one in the machine's
    legacy code page and garbles accents (``Région`` → ``RÃ©gion``), while LibreOffice, Google
    Sheets and ``csv`` with ``encoding="utf-8-sig"`` accept the mark. Deadlines come twice: ISO
    8601 with offset (``deadlines``) for tools and in words with the zone (``deadlines_human``).
    Multi-valued cells are joined with ``"; "``. Rows end with CRLF (RFC 4180).
    """
    calls, matches = split(data)
    profile = data.profile if isinstance(data, Matches) else None
    read_on = data.data_date if isinstance(data, Matches) else None
    buffer = io.StringIO()
    columns = CSV_COLUMNS if matches is None else MATCH_CSV_COLUMNS
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    if matches is None:
        writer.writerows(_csv_row(call, now) for call in calls)
    else:
        for rank, match in enumerate(matches, 1):
            row = {
                "rank": str(rank),
                "score": f"{match.score:.1f}",
                "fit": fit_label(match.score),
                "application": application(match.call, profile),
                "reasons": JOIN.join(top_reasons(match, count=len(match.reasons))),
                "blockers": JOIN.join(f"{b.gate}: {b.message}" for b in match.blockers),
            }
            row |= _csv_row(match.call, now)
            row["data_date"] = "" if read_on is None else read_on.isoformat()
            writer.writerow(row)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    return emit(text, file)
