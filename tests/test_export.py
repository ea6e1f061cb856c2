"""Exports: every format written and read back (JSON, JSON Lines, CSV, iCalendar, CommonGrants)."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from common_grants_sdk.schemas.pydantic import OpportunityBase
from pydantic import TypeAdapter

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.ranking import DEFAULT_MIN_SCORE
from support.samples import sample_calls, sample_matches

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schema"


def stages(calls: list[fm.Call]) -> int:
    return sum(len(call.deadlines) for call in calls)


# --- JSON -----------------------------------------------------------------------------


def test_json_round_trips_into_equal_calls() -> None:
    calls = sample_calls()
    text = fm.export_json(calls)
    assert TypeAdapter(list[fm.Call]).validate_json(text) == calls


def test_json_keeps_deadline_zones_and_offsets() -> None:
    data = json.loads(fm.export_json(sample_calls()))
    first = data[0]["deadlines"][0]
    assert first == {
        "at": "2024-09-17T17:00:00+02:00",
        "timezone": "Europe/Brussels",
        "label": None,
    }
    assert data[2]["deadlines"][0]["at"] == "2024-10-01T23:59:00+03:00"


def test_json_has_every_schema_field() -> None:
    schema = json.loads((SCHEMAS / "call.schema.json").read_text(encoding="utf-8"))
    for item in json.loads(fm.export_json(sample_calls())):
        assert set(item) == set(schema["properties"])


def test_matches_json_round_trips() -> None:
    matches = sample_matches()
    again = TypeAdapter(list[fm.Match]).validate_json(fm.export_json(matches))
    assert again == list(matches)
    schema = json.loads((SCHEMAS / "match.schema.json").read_text(encoding="utf-8"))
    assert set(json.loads(fm.export_json(matches))[0]) == set(schema["properties"])


def test_jsonl_is_one_call_per_line() -> None:
    calls = sample_calls()
    lines = fm.export_jsonl(calls).splitlines()
    assert len(lines) == len(calls)
    assert [fm.Call.model_validate_json(line) for line in lines] == calls


def test_export_writes_to_a_file_too(tmp_path: Path) -> None:
    path = tmp_path / "calls.json"
    with path.open("w", encoding="utf-8") as out:
        text = fm.export_json(sample_calls(), out)
    assert path.read_text(encoding="utf-8") == text


def test_a_mix_of_calls_and_matches_is_refused() -> None:
    with pytest.raises(TypeError, match="calls or matches"):
        fm.export_json([sample_calls()[0], sample_matches()[0]])  # type: ignore[list-item]


def test_empty_exports() -> None:
    assert json.loads(fm.export_json([])) == []
    assert fm.export_jsonl([]) == ""
    assert len(list(csv.reader(io.StringIO(fm.export_csv([], bom=False))))) == 1
    assert not icalendar.Calendar.from_ical(fm.export_ics([], now=NOW)).events


# --- CSV ------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # the byte-order mark spreadsheets need for UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_one_row_per_call_with_iso_and_human_deadlines() -> None:
    calls = sample_calls()
    rows = read_csv(fm.export_csv(calls))
    assert len(rows) == len(calls)
    assert list(rows[0]) == list(fm.export.CSV_COLUMNS)
    first = rows[0]
    assert first["deadlines"] == "2024-09-17T17:00:00+02:00; 2025-02-18T17:00:00+01:00"
    assert first["deadlines_human"].startswith("17 Sep 2024 17:00 Europe/Brussels; ")
    assert first["countries"] == "FR; GR; IT"
    assert first["budget_total"] == "12000000"
    assert first["co_financing_rate"] == "0.7"
    assert rows[1]["title"] == "Région Sud : appel à projets « Données ouvertes »"
    assert rows[2]["deadlines_human"] == "1 Oct 2024 23:59 UTC+0300"
    assert rows[3]["deadlines"] == ""


def test_csv_bytes_open_as_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(fm.export_csv(sample_calls()), encoding="utf-8", newline="")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 4


def test_csv_of_matches_has_rank_score_and_reasons() -> None:
    rows = read_csv(fm.export_csv(sample_matches()))
    assert [r["rank"] for r in rows] == ["1", "2"]
    assert rows[0]["score"] == "72.5"
    # Reasons in plain words, each with its points: no internal factor names.
    assert rows[0]["reasons"].startswith("smart, city, data (+42.5 points); ")
    assert rows[1]["blockers"] == "geography: FR only"


def _passed_but_reported_open() -> fm.Call:
    deadline = datetime(2024, 3, 1, 17, 0, tzinfo=UTC)
    return fm.Call(
        id="T-PASSED",
        title="A call the source still lists as open",
        reported_status="open",
        deadlines=(fm.Deadline(at=deadline, timezone="Europe/Brussels"),),
    )


def test_csv_carries_the_status_at_export_time_beside_the_reported_one() -> None:
    call = _passed_but_reported_open()
    (row,) = read_csv(fm.export_csv([call], now=NOW))
    assert (row["reported_status"], row["status"]) == ("open", "closed")
    assert row["status_at"] == NOW.isoformat()
    (before,) = read_csv(fm.export_csv([call], now=datetime(2024, 2, 1, tzinfo=UTC)))
    assert before["status"] == "open"
    (unknown,) = read_csv(fm.export_csv([call]))  # no moment given: no status computed
    assert (unknown["status"], unknown["status_at"]) == ("", "")


def test_ics_says_the_status_at_export_time_beside_the_reported_one() -> None:
    calendar = icalendar.Calendar.from_ical(fm.export_ics([_passed_but_reported_open()], now=NOW))
    (event,) = calendar.events
    assert "closed (the source reported: open)" in str(event["description"])


# --- iCalendar ------------------------------------------------------------------------


def test_ics_one_event_per_stage_in_the_calls_zone() -> None:
    calls = sample_calls()
    calendar = icalendar.Calendar.from_ical(fm.export_ics(calls, now=NOW))
    events = calendar.events
    assert len(events) == stages(calls) == 6
    first = events[0]
    start = first.decoded("dtstart")
    assert start == calls[0].deadlines[0].at
    assert str(start.tzinfo) == "Europe/Brussels"
    assert first["dtstart"].params["TZID"] == "Europe/Brussels"
    assert {tz["tzid"] for tz in calendar.timezones} == {"Europe/Brussels", "Europe/Paris"}
    offset_only = next(e for e in events if "offset" in e["summary"])
    assert offset_only.decoded("dtstart") == calls[2].deadlines[0].at
    assert offset_only.decoded("dtstart").utcoffset() == timedelta(0)


def test_ics_alarm_link_and_stage_names() -> None:
    calendar = icalendar.Calendar.from_ical(fm.export_ics(sample_calls(), now=NOW, alarm_days=10))
    first = calendar.events[0]
    (alarm,) = first.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-10)
    assert alarm["action"] == "DISPLAY"
    assert "ec.europa.eu" in first["description"]
    assert str(first["url"]).startswith("https://ec.europa.eu/")
    summaries = [str(e["summary"]) for e in calendar.events]
    assert summaries[:2] == [
        "Deadline: Open data for smart and climate-neutral cities (stage 1)",
        "Deadline: Open data for smart and climate-neutral cities (stage 2)",
    ]
    assert summaries[2].startswith("Deadline: Région Sud")
    assert summaries[2].endswith("(cut-off 1)")


def test_ics_uids_are_stable_and_unique() -> None:
    calls = sample_calls()
    first = icalendar.Calendar.from_ical(fm.export_ics(calls, now=NOW))
    later = icalendar.Calendar.from_ical(fm.export_ics(calls, now=NOW + timedelta(days=30)))
    uids = [str(e["uid"]) for e in first.events]
    assert uids == [str(e["uid"]) for e in later.events]
    assert len(set(uids)) == len(uids)
    assert uids[0] == "HORIZON-CL5-2024-D4-02-01-deadline-1@fundmatch"
    assert "/" not in uids[2]  # a URL id is hashed into a plain token


def test_ics_of_matches_carries_the_score() -> None:
    calendar = icalendar.Calendar.from_ical(fm.export_ics(sample_matches(), now=NOW))
    assert "Score: 72.5 / 100" in calendar.events[0]["description"]
    assert "Blocked: geography: FR only" in calendar.events[2]["description"]


# --- CommonGrants ---------------------------------------------------------------------


FIRST_SEEN = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
"""When the store first saw the sample calls (what the CLI passes from the store)."""


def seen(calls: Sequence[fm.Call | fm.Match]) -> dict[str, datetime]:
    return {(c.call if isinstance(c, fm.Match) else c).id: FIRST_SEEN for c in calls}


def test_commongrants_validates_against_the_protocol_models() -> None:
    calls = sample_calls()
    data = json.loads(fm.export_commongrants(calls, now=NOW, first_seen=seen(calls)))
    opportunities = [OpportunityBase.model_validate(item) for item in data]
    assert len(opportunities) == 4
    first = opportunities[0]
    assert first.status.value == "open"
    assert first.funding is not None and first.funding.total_amount_available is not None
    assert first.funding.total_amount_available.amount == "12000000"
    assert first.funding.total_amount_available.currency == "EUR"
    assert first.key_dates is not None and first.key_dates.close_date is not None
    close = first.key_dates.close_date
    assert (str(close.date), str(close.time)) == ("2024-09-17", "17:00:00")  # type: ignore[union-attr]
    assert "Europe/Brussels" in first.description
    assert opportunities[3].status.value == "custom"
    assert opportunities[3].status.custom_value == "unknown"


def test_commongrants_ids_are_stable_uuids() -> None:
    one = json.loads(fm.export_commongrants(sample_calls(), now=NOW))
    two = json.loads(fm.export_commongrants(sample_calls(), now=NOW + timedelta(days=1)))
    assert [o["id"] for o in one] == [o["id"] for o in two]
    assert len({o["id"] for o in one}) == 4


def test_commongrants_created_is_the_calls_own_date_never_the_export_time() -> None:
    published = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    updated = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
    told = fm.Call(id="P-1", title="Published call", published=published, updated=updated)
    silent = fm.Call(id="S-1", title="A call that gives no date")
    data = json.loads(fm.export_commongrants([told, silent], now=NOW))
    assert (data[0]["createdAt"], data[0]["lastModifiedAt"]) == (
        "2024-01-15T09:30:00+00:00",
        "2024-02-01T12:00:00+00:00",
    )
    assert "createdAt" not in data[1] and "lastModifiedAt" not in data[1]
    again = json.loads(fm.export_commongrants([silent], now=NOW, first_seen=seen([silent])))
    assert again[0]["createdAt"] == again[0]["lastModifiedAt"] == "2024-03-01T06:00:00+00:00"
    later = json.loads(fm.export_commongrants([told, silent], now=NOW + timedelta(days=9)))
    assert later == data  # the moment of the export is in none of it


def test_commongrants_of_matches_has_the_score() -> None:
    matches = sample_matches()
    data = json.loads(fm.export_commongrants(matches, now=NOW, first_seen=seen(matches)))
    OpportunityBase.model_validate(data[0])
    assert data[0]["customFields"]["score"]["value"] == 72.5


# --- the bundled snapshot, every format read back -----------------------------------


@pytest.fixture(scope="module")
def snapshot() -> list[fm.Call]:
    calls = fm.load_snapshot()
    assert calls
    return calls


def test_snapshot_every_format_reads_back(snapshot: list[fm.Call]) -> None:
    assert TypeAdapter(list[fm.Call]).validate_json(fm.export_json(snapshot)) == snapshot
    lines = fm.export_jsonl(snapshot).splitlines()
    assert [fm.Call.model_validate_json(line) for line in lines] == snapshot
    assert len(read_csv(fm.export_csv(snapshot))) == len(snapshot)
    ics = fm.export_ics(snapshot, now=NOW)
    events = icalendar.Calendar.from_ical(ics).events
    assert len(events) == stages(snapshot)
    again = icalendar.Calendar.from_ical(fm.export_ics(snapshot, now=NOW + timedelta(days=1)))
    assert [str(e["uid"]) for e in events] == [str(e["uid"]) for e in again.events]
    opportunities = json.loads(fm.export_commongrants(snapshot, now=NOW, first_seen=seen(snapshot)))
    assert len([OpportunityBase.model_validate(o) for o in opportunities]) == len(snapshot)


def test_ics_title_is_the_call_and_the_assumed_time_note_is_in_the_description() -> None:
    note = "17:00 Brussels time assumed (the source gives the date only)"
    call = fm.Call(
        id="HORIZON-MISS-2027-04-CIT-02",
        title="Hydrogen cities",
        deadlines=[
            fm.Deadline.model_validate(
                {"at": "2027-10-07T17:00", "timezone": "Europe/Brussels", "label": note}
            )
        ],
    )
    (event,) = icalendar.Calendar.from_ical(fm.export_ics([call], now=NOW)).events
    assert str(event["summary"]) == "Deadline: Hydrogen cities"
    assert note in str(event["description"]).replace("\n", " ")
    assert "Europe/Brussels" in str(event["description"])


TUTORIAL_NOW = "2026-09-01T12:00:00+00:00"
"""The moment of the tutorial's Python walk."""


def test_the_tutorials_calendar_holds_only_calls_at_or_above_the_minimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).resolve().parents[1]
    tutorial = (root / "docs" / "tutorial.md").read_text(encoding="utf-8")
    line = next(
        found.group(1)
        for found in re.finditer(r"^\$ fundmatch (export --format ics .*)$", tutorial, re.M)
    )
    argv = shlex.split(line)
    assert "--profile" in argv and "--min-score" not in argv  # the default applies
    monkeypatch.chdir(root)
    monkeypatch.setenv("FUNDMATCH_DB", str(tmp_path / "empty.sqlite"))  # the snapshot is used
    out = tmp_path / "deadlines.ics"
    argv[argv.index("--out") + 1] = str(out)
    assert main([*argv, "--now", TUTORIAL_NOW]) == 0
    capsys.readouterr()
    exported = {
        str(e["uid"]).rsplit("-deadline-", 1)[0]
        for e in icalendar.Calendar.from_ical(out.read_text(encoding="utf-8")).events
    }
    profile = fm.load_profile(root / argv[argv.index("--profile") + 1])
    now = datetime.fromisoformat(TUTORIAL_NOW)
    ranked = fm.Matcher(fm.load_snapshot()).rank(profile, now=now, limit=None, min_score=0)
    scores = {m.call.id: m.score for m in ranked}
    assert exported and all(scores[i] >= DEFAULT_MIN_SCORE for i in exported)
    above = {m.call.id for m in ranked if m.score >= DEFAULT_MIN_SCORE and m.call.deadlines}
    assert exported == above
    assert len(exported) < len([m for m in ranked if m.call.deadlines])  # some were left out
