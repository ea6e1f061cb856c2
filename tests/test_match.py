"""Ranking: relevance across languages, reasons that add up, determinism, edge cases."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch import Budget, Call, Deadline, Matcher, Profile, Weights

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def deadline(days: float) -> tuple[Deadline, ...]:
    return (Deadline(at=NOW + timedelta(days=days), timezone="Europe/Brussels"),)


CALLS = [
    Call(
        id="DIGITAL-2026-OPEN-DATA",
        title="Open data platforms for smart cities",
        description="Municipalities publish open data and build urban data platforms so that "
        "citizens and SMEs can reuse public sector information for smart city services.",
        tags=("Smart Cities", "open-data"),
        deadlines=deadline(60),
    ),
    Call(
        id="HORIZON-2026-HYDROGEN",
        title="Renewable hydrogen production with electrolysers",
        description="Develop electrolysers and fuel cells for clean hydrogen in heavy industry.",
        deadlines=deadline(60),
    ),
    Call(
        id="EU4H-2026-CANCER",
        title="Cancer screening programmes",
        description="Support national cancer screening and early detection in primary care.",
        deadlines=deadline(60),
    ),
    Call(
        id="LIFE-2026-CLIMA-ADAPT",
        title="Climate change adaptation in coastal regions",
        description="Local authorities prepare for heatwaves, floods and drought with "
        "nature-based solutions and climate resilience plans.",
        deadlines=deadline(60),
    ),
]


def test_a_french_profile_finds_the_english_open_data_call() -> None:
    profile = Profile(
        name="Données ouvertes pour Marseille",
        description="Nous ouvrons les données de la ville et créons une plateforme de données "
        "urbaines pour une ville intelligente au service des habitants.",
        keywords=("données ouvertes", "ville intelligente"),
    )
    matches = fm.rank(profile, CALLS, now=NOW)
    assert matches[0].call.id == "DIGITAL-2026-OPEN-DATA"
    theme = next(r for r in matches[0].reasons if r.factor == "theme")
    assert "Open data" in theme.evidence and "Smart city" in theme.evidence


def test_an_english_profile_finds_a_greek_call() -> None:
    greek = Call(
        id="EL-2026-KLIMA",
        title="Προσαρμογή στην κλιματική αλλαγή στους δήμους",
        description="Οι δήμοι σχεδιάζουν μέτρα για καύσωνες, πλημμύρες και ξηρασία.",
    )
    profile = Profile(
        name="Heatwave plan",
        description="Our municipality prepares a climate adaptation plan for heatwaves and floods.",
    )
    matches = fm.rank(profile, [*CALLS[:3], greek], now=NOW)
    assert matches[0].call.id == "EL-2026-KLIMA"


def test_reasons_add_up_to_the_score_and_serialise_to_json() -> None:
    profile = Profile(
        name="Open data SME",
        description="We build open data platforms for smart cities.",
        keywords=("smart-city", "open data"),
        budget_min=Decimal(50_000),
        budget_max=Decimal(500_000),
    )
    calls = [CALLS[0].model_copy(update={"budget": Budget(per_project_max=Decimal(400_000))})]
    (match,) = Matcher(calls).rank(profile, now=NOW)
    assert match.score == pytest.approx(sum(r.points for r in match.reasons), abs=0.01)
    factors = {r.factor for r in match.reasons}
    assert {"lexical", "keyword", "theme", "budget-fit"} <= factors
    keyword = next(r for r in match.reasons if r.factor == "keyword")
    assert "'smart-city' is the call's tag 'Smart Cities'" in keyword.evidence
    data = json.loads(match.model_dump_json())
    assert data["reasons"][0]["factor"] == "lexical" and data["reasons"][0]["evidence"]


def test_clipping_keeps_reasons_adding_up() -> None:
    weights = Weights(lexical=90, keyword=40, lexical_scale=0.01)
    profile = Profile(
        name="Open data", description="open data smart cities", keywords=("open data",)
    )
    (match, *_) = Matcher(CALLS, weights=weights).rank(profile, now=NOW)
    assert match.score == 100
    assert sum(r.points for r in match.reasons) == pytest.approx(100, abs=0.01)


def test_closing_soon_costs_points() -> None:
    soon = CALLS[0].model_copy(update={"id": "SOON", "deadlines": deadline(5)})
    profile = Profile(name="Open data", description="open data platforms for smart cities")
    matches = Matcher([CALLS[0], soon]).rank(profile, now=NOW)
    assert [m.call.id for m in matches] == ["DIGITAL-2026-OPEN-DATA", "SOON"]
    assert any(r.factor == "closing-soon" and r.points < 0 for r in matches[1].reasons)


def test_empty_profile_or_empty_pool_gives_an_empty_result() -> None:
    assert fm.rank(Profile(name="?"), CALLS, now=NOW) == []
    assert fm.rank(Profile(name="the and of"), CALLS, now=NOW) == []
    assert fm.rank(Profile(name="Open data"), [], now=NOW) == []
    assert Matcher([]).rank(Profile(name="Open data")) == []


def test_ties_are_broken_by_id_and_ranking_is_deterministic() -> None:
    twins = [CALLS[1].model_copy(update={"id": id_}) for id_ in ("B-2", "A-1", "C-3")]
    profile = Profile(name="Hydrogen", description="electrolysers for hydrogen")
    first = Matcher(twins).rank(profile, now=NOW)
    assert [m.call.id for m in first] == ["A-1", "B-2", "C-3"]
    assert Matcher(list(reversed(twins))).rank(profile, now=NOW) == first


def test_calls_score_the_same_in_one_block_or_spread_over_many_blocks_and_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Words repeated in a call, pairs and themes: each column's calls are summed and kept in
    # order whichever block or group a call falls in.
    calls = [
        call.model_copy(update={"id": f"{call.id}-{i}", "description": call.description * 3})
        for i in range(5)
        for call in CALLS
    ]
    profile = Profile(
        name="Open data for smart cities",
        description="climate resilience of coastal cities with hydrogen and open data",
    )

    def ranked() -> list[tuple[str, float]]:
        found = Matcher(calls).rank(profile, now=NOW, limit=None, min_score=0)
        return [(m.call.id, m.score) for m in found]

    whole = ranked()
    monkeypatch.setattr("fundmatch.match.columns.CHUNK", 3)  # 7 blocks
    monkeypatch.setattr("fundmatch.match.columns.GROUP", 6)  # 4 groups
    assert ranked() == whole
    assert len(whole) == 15  # five copies of each of the three calls that share words


def test_limit_and_unrelated_calls() -> None:
    profile = Profile(name="Hydrogen", description="electrolysers for renewable hydrogen")
    matches = Matcher(CALLS).rank(profile, now=NOW, limit=1)
    assert [m.call.id for m in matches] == ["HORIZON-2026-HYDROGEN"]
    assert all(m.call.id != "EU4H-2026-CANCER" for m in Matcher(CALLS).rank(profile, now=NOW))


def test_cli_match_ranks_the_bundled_snapshot_when_the_store_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundmatch.cli import main

    profile = Path(__file__).parents[1] / "calls" / "profiles" / "marseille-open-data-sme.toml"
    db = str(tmp_path / "empty.sqlite")
    now = "2026-03-01T12:00:00+00:00"
    assert main(["match", "--profile", str(profile), "--db", db, "--now", now, "--json"]) == 0
    matches = json.loads(capsys.readouterr().out)
    assert 0 < len(matches) <= 10
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)
    first = matches[0]["call"]["id"]
    assert (
        main(["match", "--profile", str(profile), "--db", db, "--now", now, "--explain", first])
        == 0
    )
    assert "score:" in capsys.readouterr().out


def test_a_profile_keyword_is_stemmed_in_the_profile_language_and_in_english() -> None:
    # A Greek municipality's keywords: one in Greek, one in English, as profiles mix them.
    profile = Profile(
        name="Δήμος Βόλου",
        description="Ο δήμος μας προετοιμάζεται για την κλιματική αλλαγή: σχέδια για τους "
        "καύσωνες και τις πλημμύρες στις γειτονιές της πόλης.",
        keywords=("κλιματική αλλαγή", "climate adaptation"),
    )
    call = Call(
        id="LIFE-2026-CLIMA",
        title="Cities prepare for heatwaves",
        tags=("Climate change", "Climate adaptation"),
        description="Local authorities plan for heatwaves and floods in their neighbourhoods.",
    )
    (match,) = Matcher([call]).rank(profile, now=NOW, min_score=0)
    keyword = next(r for r in match.reasons if r.factor == "keyword")
    assert keyword.evidence == (
        "'κλιματική αλλαγή' is the call's tag 'Climate change'; "
        "'climate adaptation' is the call's tag 'Climate adaptation'"
    )
    assert keyword.points == Weights().keyword  # both keywords found
