"""Calls transcribed by hand: every fact with the page it was read from and the day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.transcribed import SOURCED_FACTS, load_transcribed, parse_transcribed

SNAPSHOT = Path(__file__).resolve().parents[1] / "calls" / "snapshot"
FILES = [SNAPSHOT / "curated.toml", SNAPSHOT / "interreg.toml"]

CALL = """
[[calls]]
id = "interreg-euro-med-call-5"
title = "Interreg Euro-MED – fifth call"
programme = "Interreg Euro-MED"
url = "https://interreg-euro-med.eu/call-5"
instrument = "grant"
action_type = "Thematic project"
timezone = "Europe/Paris"
opening = "2025-10-01T00:00:00"
deadlines = [
  { at = "2026-01-27T13:00:00", label = "step 1, 13:00 CET" },
  { at = "2026-06-30", label = "step 2" },
]
deadline_model = "two-stage"
budget_total = "12000000"
budget_min = "500000"
budget_max = 2500000
co_financing_rate = "0.8"
min_partners = 3
regions = ["FRL", "ITC3"]
countries = ["EL"]
organisation_types = ["public-authority", "university"]
tags = ["Smarter Mediterranean"]
language = "en"
description = "What the call funds."
{extra}
[[calls.sources]]
facts = ["title", "deadlines", "opening", "budget", "co_financing_rate", "regions", "min_partners"]
url = "https://interreg-euro-med.eu/call-5"
read_on = 2026-11-27
note = "stored copy of the page dated 2025-09-30"

[[calls.sources]]
facts = ["countries", "organisation_types"]
url = "https://interreg-euro-med.eu/cooperation-area"
read_on = 2026-11-26
"""


def entry(extra: str = "") -> str:
    return CALL.replace("{extra}", extra)


def test_a_transcribed_call_keeps_every_fact_and_its_sources() -> None:
    [call] = parse_transcribed(entry(), source="snapshot")

    paris = ZoneInfo("Europe/Paris")
    assert call.id == "interreg-euro-med-call-5"
    assert call.source == "snapshot"
    assert call.opening == datetime(2025, 10, 1, tzinfo=paris)
    assert [d.local() for d in call.deadlines] == [
        datetime(2026, 1, 27, 13, 0, tzinfo=paris),
        datetime(2026, 6, 30, 23, 59, tzinfo=paris),
    ]
    assert call.deadlines[0].label == "step 1, 13:00 CET"
    assert call.deadlines[1].label == "step 2; time not stated: end of day assumed"
    assert call.deadline_model == "two-stage"
    assert call.budget == fm.Budget(
        total=12_000_000, per_project_min=500_000, per_project_max=2_500_000
    )
    assert str(call.co_financing_rate) == "0.8"
    assert call.regions == ("FRL", "ITC3")
    assert call.countries == ("GR",)
    assert call.organisation_types == ("public-authority", "university")
    assert call.languages == ("en",)
    assert call.fact_sources == (
        fm.FactSource(
            url="https://interreg-euro-med.eu/call-5",
            read_on=date(2026, 11, 27),
            facts=(
                "title",
                "deadlines",
                "opening",
                "budget",
                "co_financing_rate",
                "regions",
                "min_partners",
            ),
            note="stored copy of the page dated 2025-09-30",
        ),
        fm.FactSource(
            url="https://interreg-euro-med.eu/cooperation-area",
            read_on=date(2026, 11, 26),
            facts=("countries", "organisation_types"),
        ),
    )


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ('budget_mn = "1"', None, "budget_mn"),
        ("min_countries = 0", "min_countries", "greater than or equal to 1"),
        ("min_countries = 2", None, "no [[calls.sources]] entry covers: min_countries"),
    ],
)
def test_a_wrong_entry_names_the_file_the_call_and_the_field(
    extra: str, field: str | None, words: str
) -> None:
    with pytest.raises(fm.ConfigError) as caught:
        parse_transcribed(entry(extra), path="calls/snapshot/x.toml")

    message = str(caught.value)
    assert message.startswith("calls/snapshot/x.toml:3: ")
    assert "call 'interreg-euro-med-call-5'" in message
    assert words in message
    if field is not None:
        assert caught.value.field == field


def test_a_wrong_region_code_is_refused_with_its_field() -> None:
    text = entry().replace('"FRL", "ITC3"', '"FRL", "ZZ99"')
    with pytest.raises(fm.ConfigError) as caught:
        parse_transcribed(text, path="interreg.toml")
    assert caught.value.field == "regions.1"
    assert "ZZ99" in str(caught.value)


def test_local_times_need_the_programmes_time_zone() -> None:
    text = entry().replace('timezone = "Europe/Paris"\n', "")
    with pytest.raises(fm.ConfigError, match="give the programme's `timezone`"):
        parse_transcribed(text)


def test_a_fact_source_must_name_call_fields() -> None:
    text = entry().replace('"countries", "organisation_types"', '"countries", "eligibility"')
    with pytest.raises(fm.ConfigError, match="not Call fields: eligibility") as caught:
        parse_transcribed(text)
    assert caught.value.field == "sources.1.facts"


def test_an_id_used_twice_is_refused() -> None:
    one = entry()
    with pytest.raises(fm.ConfigError, match="used twice"):
        parse_transcribed(one + one)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(fm.ConfigError, match="not found"):
        load_transcribed(tmp_path / "absent.toml")


@pytest.mark.parametrize("path", [p for p in FILES if p.is_file()], ids=lambda p: p.name)
def test_every_bundled_transcribed_call_has_a_source_for_each_fact(path: Path) -> None:
    calls = load_transcribed(path)

    assert calls
    for call in calls:
        covered = {fact for source in call.fact_sources for fact in source.facts}
        stated = {
            fact for fact in SOURCED_FACTS if getattr(call, fact) not in (None, (), fm.Budget())
        }
        assert stated <= covered, call.id
        assert all(
            s.url.startswith("https://") or s.url.startswith("http://") for s in call.fact_sources
        )
        assert all(s.read_on <= date(2026, 12, 7) for s in call.fact_sources)
        assert call.programme and call.title
        # What the programme funds comes with the page each priority was read from.
        assert all(p.read_on <= date(2026, 12, 7) for p in call.priorities)
        priority_pages = {s.url for s in call.fact_sources if "priorities" in s.facts}
        assert {p.url for p in call.priorities} == priority_pages
