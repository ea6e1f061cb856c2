"""Partners and precedents on the packaged CORDIS extract: the commands, the JSON output, the
call-driven "missing countries" mode, unknown country codes and a profile that matches nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.errors import MatchError
from fundmatch.partners import eu_country, project_index, shortfall

PROFILES = Path(__file__).resolve().parents[1] / "calls" / "profiles"
MARSEILLE = str(PROFILES / "marseille-open-data-sme.toml")
VOLOS = str(PROFILES / "greek-municipality-climate-adaptation.toml")
NOW = "2026-12-07T12:00:00+00:00"
EURO_MED = "interreg-euro-med-call-5"
"""An Interreg Euro-MED call of the bundled snapshot: partners from 5 countries."""


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--db", str(tmp_path / "store.sqlite"), "--now", NOW])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def marseille() -> fm.Profile:
    return fm.load_profile(MARSEILLE)


def test_partners_in_greece_and_croatia_for_the_marseille_sme(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, tmp_path, "partners", "--profile", MARSEILLE, "--country", "GR", "--country", "HR"
    )
    assert code == 0
    blocks = [line for line in out.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert len(blocks) == 20  # --limit defaults to 20
    assert "[EL " in blocks[0] and "[HR " in blocks[1]  # the best of each country first
    assert "in turns by country: the best of each country before the second of any" in out
    assert all("[EL " in b or "[HR " in b for b in blocks)
    assert "shared words:" in out


def test_json_lists_the_candidates_best_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, tmp_path, "partners", "--profile", MARSEILLE, "--format", "json", "--limit", "7"
    )
    assert code == 0
    found = json.loads(out)
    assert len(found) == 7
    for partner in found:
        assert {"org", "name", "country", "type", "score", "projects"} <= partner.keys()
        assert partner["projects"] and all(p.isdigit() for p in partner["projects"])
        assert partner["type"] in {"PUB", "PRC", "REC", "HES", "OTH"}
    scores = [p["score"] for p in found]
    assert scores == sorted(scores, reverse=True)


def test_a_call_decides_which_countries_are_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, tmp_path, "partners", "--profile", MARSEILLE, "--call", EURO_MED, "--limit", "6"
    )
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("needs 2 more countries: candidates in ")
    named = first.rpartition(" in ")[2].split(", ")
    assert len(named) >= 2 and not {"FR", "IT", "ES"} & set(named)
    code, out, _ = run(
        capsys, tmp_path, "partners", "--profile", MARSEILLE, "--call", EURO_MED, "--format", "json"
    )
    found = json.loads(out)
    # The profile covers FR, IT and ES: candidates from new countries fill the list first.
    assert found[0]["country"] not in {"FR", "IT", "ES"}
    assert found[0]["fills"] == f"a new country, {found[0]['country']}"
    assert [p["country"] for p in found[:2]] == named[:2]


def test_the_missing_countries_through_the_api(marseille: fm.Profile) -> None:
    call = fm.Call(id="X-1", title="Mediterranean open data", min_countries=5, min_partners=4)
    assert shortfall(call, marseille) == (1, 2)
    found = fm.partners(marseille, call=call, limit=5)
    assert found.missing_countries == 2 and found.missing_partners == 1
    assert found.needs is not None and found.needs.startswith("needs 1 more partner and 2 more")
    assert {p.country for p in found[:2]}.isdisjoint({"FR", "IT", "ES"})
    met = fm.Call(id="X-2", title="Open data", min_countries=2)
    assert fm.partners(marseille, call=met, limit=3).needs is None


def test_an_unknown_country_code_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, tmp_path, "partners", "--profile", MARSEILLE, "--country", "XX")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "unknown country code 'XX'" in err and "EL for Greece" in err


def test_greece_is_el_and_gr_is_accepted(marseille: fm.Profile) -> None:
    assert eu_country("GR") == eu_country("el") == "EL"
    assert eu_country("GB") == "UK"
    with pytest.raises(MatchError):
        eu_country("Greece")
    by_iso = fm.partners(marseille, countries=["GR"], limit=5)
    by_eu = fm.partners(marseille, countries=["EL"], limit=5)
    assert by_iso == by_eu and {p.country for p in by_eu} == {"EL"}


def test_a_profile_that_matches_nothing_gets_an_empty_explained_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    nowhere = tmp_path / "nowhere.toml"
    nowhere.write_text('name = "Qzxv"\ndescription = "Zzqxv wqpft blorvk."\n', encoding="utf-8")
    code, out, _ = run(capsys, tmp_path, "partners", "--profile", str(nowhere))
    assert code == 0
    assert out.startswith("no candidate partner: no funded project shares a word")
    code, out, _ = run(capsys, tmp_path, "partners", "--profile", str(nowhere), "--format", "json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, tmp_path, "precedents", "--profile", str(nowhere))
    assert code == 0 and out.startswith("no precedent: no funded project shares a word")


def test_filters_that_leave_nobody_say_so(marseille: fm.Profile) -> None:
    found = fm.partners(marseille, countries=["AQ"], limit=5)
    assert not found and "none of their organisations is in countries AQ" in (found.note or "")


def test_the_profiles_own_organisation_and_named_partners_are_left_out(
    marseille: fm.Profile,
) -> None:
    best = fm.partners(marseille, countries=["EL"], limit=2)
    named = marseille.model_copy(update={"partner_names": (best[0].name,)})
    again = fm.partners(named, countries=["EL"], limit=2)
    assert best[0].org not in {p.org for p in again}
    itself = marseille.model_copy(update={"name": best[1].name})
    assert best[1].org not in {p.org for p in fm.partners(itself, countries=["EL"], limit=3)}
    excluded = fm.partners(marseille, countries=["EL"], exclude=[best[0].name], limit=2)
    assert best[0].org not in {p.org for p in excluded}


def test_types_and_regions_narrow_the_list(marseille: fm.Profile) -> None:
    public = fm.partners(marseille, types=["public"], limit=5)
    assert public and {p.type for p in public} == {"PUB"}
    attica = fm.partners(marseille, regions=["EL30"], limit=5)
    assert attica and all((p.region or "").startswith("EL30") for p in attica)
    with pytest.raises(MatchError, match="unknown organisation type"):
        fm.partners(marseille, types=["spaceship"])


def test_the_ranking_is_explained_and_deterministic(marseille: fm.Profile) -> None:
    first = fm.partners(marseille, countries=["HR"], limit=5)
    assert first == fm.partners(marseille, countries=["HR"], limit=5)
    top = first[0]
    assert top.words and top.evidence and top.projects == tuple(e.id for e in top.evidence)
    assert all(0 < e.similarity <= 1 and e.title for e in top.evidence)


def test_precedents_of_the_greek_municipality(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, tmp_path, "precedents", "--profile", VOLOS)
    assert code == 0
    assert out.startswith(" 1. ") and "climate change" in out.lower()
    code, out, _ = run(capsys, tmp_path, "precedents", "--profile", VOLOS, "--format", "json")
    found = json.loads(out)
    assert len(found) == 10
    assert {"id", "acronym", "title", "start", "eu_contribution", "coordinator", "words"} <= set(
        found[0]
    )


def test_precedents_for_a_call_start_with_its_topic() -> None:
    volos = fm.load_profile(VOLOS)
    topic = "HORIZON-MISS-2022-CLIMA-01-06"
    same = fm.precedents(volos, call=fm.Call(id=topic, title="Nature-based solutions"), limit=3)
    assert same[0].topic == topic and same[0].funded_under == "this topic"
    later = fm.Call(id="HORIZON-MISS-2026-CLIMA-01-06", title="Nature-based solutions")
    earlier = fm.precedents(volos, call=later, limit=3)
    assert earlier[0].funded_under == "an earlier topic" and earlier[0].topic == topic


def test_an_unknown_call_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path, "partners", "--profile", MARSEILLE, "--call", "NOPE-1")
    assert code == 1 and "no call 'NOPE-1'" in err


def test_the_packaged_extract_says_where_it_comes_from() -> None:
    index = project_index()
    assert len(index) > 7000 and len(index.organisations) > 20000
    assert "© European Union" in index.data.source and "2011/833/EU" in index.data.source


def test_match_explain_shows_three_candidates_per_missing_country(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, tmp_path, "match", "--profile", MARSEILLE, "--explain", EURO_MED)
    assert code == 0
    tail = out[out.index("partnership: needs 2 more countries") :].splitlines()
    countries = [line for line in tail[1:] if line.startswith("  ") and line.endswith(":")]
    assert len(countries) == 3 and not {"  FR:", "  IT:", "  ES:"} & set(countries)
    assert len(tail) == 1 + 3 * 4  # each country: its line and three candidates


def test_explain_stays_quiet_when_the_partnership_is_met(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    met = tmp_path / "met.toml"
    met.write_text(
        Path(MARSEILLE)
        .read_text(encoding="utf-8")
        .replace(
            'partner_countries = ["IT", "ES"]', 'partner_countries = ["IT", "ES", "GR", "HR"]'
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, tmp_path, "match", "--profile", str(met), "--explain", EURO_MED)
    assert code == 0 and "partnership:" not in out


def test_the_report_shows_candidates_under_a_call_that_lacks_countries(
    marseille: fm.Profile,
) -> None:
    from datetime import UTC, datetime

    from fundmatch.partners import missing_partners

    lacking = fm.Call(id="EMED-X", title="Open data for Mediterranean cities", min_countries=5)
    met = fm.Call(id="EMED-Y", title="Open data for cities", min_countries=2)
    needs = missing_partners([lacking, met], marseille)
    assert list(needs) == ["EMED-X"] and len(needs["EMED-X"]) == 3
    assert all(len(found) == 3 for found in needs["EMED-X"].values())
    html = fm.render_report(
        [fm.Match(call=lacking, score=50), fm.Match(call=met, score=40)],
        profile=marseille,
        now=datetime(2026, 12, 7, tzinfo=UTC),
        partners=needs,
    )
    assert html.count('<div class="partners">') == 1
    assert "Partnership: needs 2 more countries: candidates in " in html
    first = next(iter(needs["EMED-X"].values()))[0]
    assert first.name in html
