"""The Funding & Tenders Portal adapter on real recorded payloads (golden files beside them)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.ftportal import parse_ftportal_page

DATA = Path(__file__).parent / "data" / "sedia"
EXPECTED = DATA / "expected"
PAYLOADS = sorted(DATA.glob("*.json"))
BRUSSELS = ZoneInfo("Europe/Brussels")


def _as_json(calls: list[fm.Call]) -> list[dict[str, object]]:
    return [call.model_dump(mode="json") for call in calls]


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.stem)
def test_each_real_payload_parses_to_its_golden_calls(path: Path) -> None:
    calls = fm.parse_ftportal(path.read_bytes(), source="ftportal-test")
    expected = json.loads((EXPECTED / path.name).read_text(encoding="utf-8"))
    assert _as_json(calls) == expected


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.stem)
def test_bytes_text_and_parsed_json_give_the_same_calls(path: Path) -> None:
    raw = path.read_bytes()
    parsed = json.loads(raw, strict=False)
    assert fm.parse_ftportal(raw) == fm.parse_ftportal(raw.decode()) == fm.parse_ftportal(parsed)


def test_every_topic_payload_yields_a_call() -> None:
    topics = [p for p in PAYLOADS if p.name != "call_dto_budget_overview.json"]
    assert all(len(fm.parse_ftportal(p.read_bytes())) == 1 for p in topics)
    # A bare budgetOverview describes topics but is none.
    assert fm.parse_ftportal((DATA / "call_dto_budget_overview.json").read_bytes()) == []


def test_two_stage_topic_keeps_both_deadlines_in_brussels() -> None:
    (call,) = fm.parse_ftportal((DATA / "call_10_06_24.json").read_bytes())
    assert call.deadline_model == "two-stage"
    assert [d.local() for d in call.deadlines] == [
        datetime(2025, 4, 10, 17, 0, tzinfo=BRUSSELS),
        datetime(2026, 1, 20, 17, 0, tzinfo=BRUSSELS),
    ]
    assert all(d.timezone == "Europe/Brussels" for d in call.deadlines)
    assert call.deadlines[0].label is not None and "stage 1" in call.deadlines[0].label
    assert "assumed" in call.deadlines[0].label
    # New applicants face stage 1 only; after it the call is closed to them.
    assert call.status(datetime(2025, 5, 1, tzinfo=BRUSSELS)) == "closed"


def test_search_result_fields() -> None:
    (call,) = fm.parse_ftportal((DATA / "call_dto_12_03_24_2_pppa.json").read_bytes())
    assert call.id == call.topic_id == "PPPA-2024-SKILL-FOR-TOURISM"
    assert call.reported_status == "open"
    assert call.programme == "Pilot Projects & Preparatory Actions"
    assert call.instrument == "grant"
    assert call.url is not None and call.url.endswith("/topic-details/PPPA-2024-SKILL-FOR-TOURISM")
    assert call.budget.total == 1_000_000
    assert call.budget.per_project_max == 995_000
    assert call.budget.expected_grants == 1
    assert "Tourism" in call.tags
    assert "<" not in call.description


def test_budget_entry_is_the_one_of_this_topic() -> None:
    # The ERASMUS budgetOverview lists every topic of the call; zeros mean unknown.
    (call,) = fm.parse_ftportal((DATA / "call_dto_12_03_24.json").read_bytes())
    assert call.budget.total == 62_000_000
    assert call.budget.per_project_max is None
    assert call.budget.expected_grants is None


def test_unknown_status_code_is_kept_as_unknown() -> None:
    result = json.loads((DATA / "call_dto_12_03_24_2_pppa.json").read_bytes(), strict=False)
    result["metadata"]["status"] = ["99999999"]
    (call,) = fm.parse_ftportal(result)
    assert call.reported_status == "unknown"


def test_a_broken_result_does_not_lose_the_page() -> None:
    good = json.loads((DATA / "call_dto_12_03_24_2_pppa.json").read_bytes(), strict=False)
    other = json.loads((DATA / "call_dto_10_06_24.json").read_bytes(), strict=False)
    broken = {"metadata": {"identifier": ["X-1"]}}  # no title anywhere
    page = parse_ftportal_page({"results": [good, broken, other], "totalResults": 3})
    assert [c.id for c in page.calls] == ["PPPA-2024-SKILL-FOR-TOURISM", "EUAF-2023-TRAI-03"]
    assert len(page.skipped) == 1 and "X-1" in page.skipped[0]
    assert page.total_results == 3


def test_a_malformed_field_fails_that_field_only() -> None:
    result = json.loads((DATA / "call_dto_12_03_24_2_pppa.json").read_bytes(), strict=False)
    result["metadata"]["budgetOverview"] = ['{"budgetTopicActionMap": {"1": [{"act']  # truncated
    result["metadata"]["deadlineDate"] = ["next Tuesday"]
    page = parse_ftportal_page(result)
    (call,) = page.calls
    assert call.budget == fm.Budget()
    assert call.deadlines == ()
    assert call.reported_status == "open"
    assert {note.split(": ")[1] for note in page.field_errors} == {"budgetOverview", "deadlineDate"}


@pytest.mark.parametrize("payload", [b"<html>", b'{"hello": 1}', b"\xff\xfe\x00"])
def test_not_a_portal_payload_is_a_parse_error(payload: bytes) -> None:
    with pytest.raises(fm.ParseError):
        fm.parse_ftportal(payload, source="x")


def _regenerate() -> None:
    EXPECTED.mkdir(exist_ok=True)
    for path in PAYLOADS:
        calls = fm.parse_ftportal(path.read_bytes(), source="ftportal-test")
        text = json.dumps(_as_json(calls), indent=2, ensure_ascii=False, sort_keys=True)
        (EXPECTED / path.name).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    _regenerate()
