"""Interreg calls ruled in or out by region, with the reason (transcribed calls, real areas).

The Marseille example profile (FRL04, Bouches-du-Rhône) is inside the Euro-MED area and
outside ALCOTRA's and the Italy–France Maritime programme's; a Paris organisation is outside
all three.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.sources.transcribed import load_transcribed

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "calls" / "snapshot"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PROGRAMMES = (
    "Interreg Euro-MED",
    "Interreg France-Italy ALCOTRA",
    "Interreg Italy-France Maritime",
)


def transcribed() -> list[fm.Call]:
    calls: dict[str, fm.Call] = {}
    for name in ("curated.toml", "interreg.toml"):
        if (SNAPSHOT / name).is_file():
            calls.update((c.id, c) for c in load_transcribed(SNAPSHOT / name))
    return [c for c in calls.values() if c.programme in PROGRAMMES and c.regions]


def geography(profile: fm.Profile) -> dict[str, fm.Check | None]:
    """Each call's geography blocker for the profile (None: not ruled out by region)."""
    matches = fm.rank(
        profile,
        transcribed(),
        now=NOW,
        limit=None,
        include_closed=True,
        include_blocked=True,
        min_score=0,
    )
    checks = {
        m.call.id: next((b for b in m.blockers if b.gate == "geography"), None) for m in matches
    }
    assert set(checks) == {c.id for c in transcribed()}
    return checks


def by_programme(programme: str) -> list[str]:
    return [c.id for c in transcribed() if c.programme == programme]


@pytest.fixture(scope="module")
def marseille() -> fm.Profile:
    return fm.load_profile(ROOT / "calls" / "profiles" / "marseille-open-data-sme.toml")


def test_every_programme_has_transcribed_calls_with_their_area() -> None:
    assert all(by_programme(p) for p in PROGRAMMES)


def test_marseille_is_inside_the_euro_med_area(marseille: fm.Profile) -> None:
    checks = geography(marseille)

    assert by_programme("Interreg Euro-MED")
    for call_id in by_programme("Interreg Euro-MED"):
        assert checks[call_id] is None, call_id


@pytest.mark.parametrize("programme", PROGRAMMES[1:])
def test_marseille_is_outside_alcotra_and_the_maritime_area(
    marseille: fm.Profile, programme: str
) -> None:
    checks = geography(marseille)

    for call_id in by_programme(programme):
        blocker = checks[call_id]
        assert blocker is not None, call_id
        assert blocker.message.startswith("FRL04 is outside the eligible regions (")


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_paris_is_outside_all_three(marseille: fm.Profile, programme: str) -> None:
    paris = fm.Profile.model_validate(
        {
            **marseille.model_dump(),
            "name": "Paris open-data SME",
            "region": "FR101",
            "country": None,
        }
    )

    checks = geography(paris)

    for call_id in by_programme(programme):
        blocker = checks[call_id]
        assert blocker is not None, call_id
        assert blocker.message.startswith("FR101 is outside the eligible regions (")


def test_the_euro_med_area_reason_names_the_region(marseille: fm.Profile) -> None:
    from fundmatch.match import gates

    call = next(c for c in transcribed() if c.programme == "Interreg Euro-MED")
    blockers, _ = gates(call, marseille, now=NOW, include_closed=True)
    assert not [b for b in blockers if b.gate == "geography"]
    assert fm.geo.is_within("FRL04", call.regions)


def test_explain_says_why_a_call_is_ruled_in_or_out_by_region(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from fundmatch.cli import main

    profile = str(ROOT / "calls" / "profiles" / "marseille-open-data-sme.toml")
    when = "2024-07-01T00:00:00+00:00"
    euro_med = "interreg-euro-med-call-5"
    assert main(["match", "--profile", profile, "--explain", euro_med, "--now", when]) == 0
    out = capsys.readouterr().out
    ruled_in = out.split("ruled in by:")[1].split("notes:")[0]
    assert "geography    pass     FRL04 (Bouches-du-Rhône) is inside the call's area" in ruled_in

    alcotra = "interreg-alcotra-simple-projects-call-4-window-2"
    assert main(["match", "--profile", profile, "--explain", alcotra, "--now", when]) == 0
    out = capsys.readouterr().out
    blocked = out.split("blocked by:")[1].split("ruled in by:")[0]
    assert "geography    blocked  FRL04 is outside the eligible regions (FRK28" in blocked
