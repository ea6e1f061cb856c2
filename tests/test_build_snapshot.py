"""The snapshot build: Portal topics, feed budgets and openings, transcribed calls, rules."""

from __future__ import annotations

import gzip
import importlib.util
import json
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.snapshot import snapshot_info

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_snapshot", ROOT / "scripts" / "build_snapshot.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def topic(identifier: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "topicId": identifier,
        "title": "Data spaces for cities",
        "programme": "Horizon Europe",
        "programmeId": "43108390",
        "callIdentifier": identifier.rsplit("-", 1)[0],
        "typesOfAction": "HORIZON Research and Innovation Actions",
        "deadline": "2027-03-18",
        "deadlineModel": "single-stage",
        "callStatus": "forthcoming",
    }
    return {**base, **fields}


def test_a_build_joins_every_input(build: ModuleType, tmp_path: Path) -> None:
    dataset = tmp_path / "calls_open.jsonl.gz"
    objects = [
        topic("HORIZON-CL4-2027-04-DATA-08"),
        topic(
            "LIFE-2027-SAP-ENV",
            programme="LIFE",
            programmeId="43252405",
            typesOfAction="LIFE Project Grants",
        ),
    ]
    dataset.write_bytes(
        gzip.compress(("\ufeff" + "".join(json.dumps(o) for o in objects)).encode())
    )
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    grant = {
        "identifier": "HORIZON-CL4-2027-04-DATA-08",
        "url": "https://ec.europa.eu/topic/HORIZON-CL4-2027-04-DATA-08",
        "startDate": "2026-11-04T00:00:00.000Z",
        "deadlineDate": "2027-03-18T00:00:00.000Z",
        "budget": {
            "totalBudgetEur": 20000000,
            "expectedGrants": 4,
            "minContributionEur": 5000000,
            "maxContributionEur": 5000000,
        },
    }
    feed = {"generatedAt": "2026-06-01T06:55:59.000Z", "grants": [grant]}
    (feeds / "grants_2026-06-01_7919d12.json.gz").write_bytes(
        gzip.compress(json.dumps(feed).encode())
    )
    out = tmp_path / "calls.jsonl.gz"

    argv = ["--dataset", str(dataset), "--feeds", str(feeds), "--out", str(out)]
    argv += ["--transcribed", str(ROOT / "calls" / "snapshot" / "curated.toml")]
    assert build.main(argv) == 0

    calls = {c.id: c for c in fm.load_snapshot(out)}
    data = calls["HORIZON-CL4-2027-04-DATA-08"]
    assert data.budget == fm.Budget(
        total=20_000_000, per_project_min=5_000_000, per_project_max=5_000_000, expected_grants=4
    )
    assert data.opening == datetime(2026, 11, 4, tzinfo=ZoneInfo("Europe/Brussels"))
    assert (data.min_partners, data.min_countries) == (3, 3)
    assert "CA" in data.countries  # Pillar II
    facts = {fact: s for s in data.fact_sources for fact in s.facts}
    assert facts["budget"].read_on == date(2026, 6, 1)
    assert "7919d12" in facts["budget"].note
    assert facts["opening"].url == "https://ec.europa.eu/topic/HORIZON-CL4-2027-04-DATA-08"
    assert "rule inherited" in facts["min_partners"].note
    life = calls["LIFE-2027-SAP-ENV"]
    # LIFE's rule states countries only (Member States and Iceland): no consortium is lent.
    assert {"FR", "IS"} <= set(life.countries) and life.min_partners is None
    assert [s.facts for s in life.fact_sources] == [("countries",)]
    assert "Regulation (EU) 2021/783" in (life.fact_sources[0].note or "")
    assert "interreg-alcotra-simple-projects-call-4" in calls
    info = snapshot_info(out.with_name("snapshot.json"))
    assert info.data_date == date(2026, 8, 17) and info.calls == 6


def test_an_opening_of_another_cycle_is_not_lent(build: ModuleType) -> None:
    call = fm.Call(
        id="T-1",
        title="t",
        deadlines=[fm.Deadline(at=datetime(2027, 3, 18, 17), timezone="Europe/Brussels")],
    )
    source = fm.FactSource(url="https://example.eu", read_on=date(2026, 6, 1), facts=("opening",))
    earlier = datetime(2025, 11, 4, tzinfo=ZoneInfo("Europe/Brussels"))

    assert build.with_opening(call, {"T-1": (earlier, date(2026, 3, 18), source)}) is call
    assert (
        build.with_opening(call, {"T-1": (earlier, date(2027, 3, 18), source)}).opening == earlier
    )


def test_every_portal_record_of_the_feeds_is_a_call_with_the_status_of_its_dates(
    build: ModuleType, tmp_path: Path
) -> None:
    dataset = tmp_path / "calls_open.jsonl.gz"
    dataset.write_bytes(gzip.compress(("\ufeff" + json.dumps(topic("HORIZON-X-01"))).encode()))
    listing = ROOT / "tests" / "data" / "sedia" / "listing" / "grants_2026-04-01_1a01fd9.json"
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "grants_2026-04-01_1a01fd9.json.gz").write_bytes(gzip.compress(listing.read_bytes()))
    out = tmp_path / "calls.jsonl.gz"
    argv = ["--dataset", str(dataset), "--feeds", str(feeds), "--out", str(out)]
    assert (
        build.main([*argv, "--transcribed", str(ROOT / "calls" / "snapshot" / "curated.toml")]) == 0
    )

    calls = {c.id: c for c in fm.load_snapshot(out)}
    cerv = [c for c in calls.values() if c.parent and c.parent.id == "CERV-2024-CITIZENS-VALUES"]
    assert sorted(c.id for c in cerv) == ["13324COMPETITIVE_CALLen", "13585COMPETITIVE_CALLen"]
    assert {c.kind for c in calls.values()} == {"topic", "call for proposals", "cascade", None}
    # Listed open in April, closed by the data's date (17 August 2026): closed, and kept.
    assert {c.reported_status for c in cerv} == {"closed"}
    assert calls["HORIZON-CL3-2026-02-CS-ECCC-01"].reported_status == "open"  # until 15 Sept
    assert all(c.min_partners is None for c in cerv)  # no programme rule lent
