"""Programme rules as facts: calls inherit their programme's general eligibility rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.sources.http import Response
from fundmatch.sources.registry import Programme, ProgrammeRule, load_programmes
from fundmatch.sources.rules import inherit_rules

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

RULES = Programme(
    key="horizon-europe",
    name="Horizon Europe",
    documents=("rule documents",),
    rules=(
        ProgrammeRule(
            document="List of participating countries",
            url="https://example.eu/countries",
            read_on=date(2026, 11, 27),
            countries=("FR", "IT", "TN"),
        ),
        ProgrammeRule(
            document="General Annexes, B - Eligibility (RIA/IA)",
            url="https://example.eu/annexes",
            read_on=date(2026, 11, 26),
            action_types=("HORIZON Research and Innovation Actions",),
            min_partners=3,
            min_countries=3,
        ),
        ProgrammeRule(
            document="Pillar II associations",
            url="https://example.eu/pillar-2",
            read_on=date(2026, 11, 27),
            call_prefixes=("HORIZON-CL",),
            countries=("FR", "IT", "TN", "CA"),
        ),
    ),
)


def horizon(id: str = "HORIZON-CL4-2026-01-01", **fields: object) -> fm.Call:
    base: dict[str, object] = {
        "title": "Data spaces",
        "programme": "Horizon Europe",
        "action_type": "HORIZON  Research and Innovation Actions",
    }
    return fm.Call.model_validate({"id": id, **base, **fields})


def test_a_call_inherits_the_rules_of_its_programme_and_type_of_action() -> None:
    call = inherit_rules(horizon(), [RULES])

    assert call.countries == ("FR", "IT", "TN", "CA")  # the narrower (Pillar II) rule wins
    assert (call.min_partners, call.min_countries) == (3, 3)
    assert call.fact_sources == (
        fm.FactSource(
            url="https://example.eu/annexes",
            read_on=date(2026, 11, 26),
            facts=("min_partners", "min_countries"),
            note="Horizon Europe rule inherited: General Annexes, B - Eligibility (RIA/IA)",
        ),
        fm.FactSource(
            url="https://example.eu/pillar-2",
            read_on=date(2026, 11, 27),
            facts=("countries",),
            note="Horizon Europe rule inherited: Pillar II associations",
        ),
    )


def test_rules_cover_only_their_types_of_action_and_calls() -> None:
    erc = inherit_rules(horizon("ERC-2026-POC", action_type="HORIZON ERC Grants"), [RULES])

    assert erc.countries == ("FR", "IT", "TN")
    assert erc.min_partners is None and erc.min_countries is None  # unknown stays unknown


def test_the_calls_own_conditions_override_the_rules() -> None:
    own = horizon(min_partners=5, countries=["ES"])

    call = inherit_rules(own, [RULES])

    assert call.min_partners == 5
    assert call.countries == ("ES",)
    assert call.min_countries == 3
    assert [s.facts for s in call.fact_sources] == [("min_countries",)]


def test_a_call_of_another_programme_or_none_is_left_as_it_is() -> None:
    life = horizon(programme="LIFE")
    unknown = horizon(programme=None)

    assert inherit_rules(life, [RULES]) is life
    assert inherit_rules(unknown, [RULES]) is unknown


def test_inheriting_twice_changes_nothing_more() -> None:
    once = inherit_rules(horizon(), [RULES])

    assert inherit_rules(once, [RULES]) is once


def test_a_rule_must_state_a_fact() -> None:
    with pytest.raises(ValueError, match="at least one fact"):
        ProgrammeRule(document="d", url="https://example.eu", read_on=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("call_id", "action_type", "partners", "country_in", "country_out"),
    [
        ("HORIZON-CL5-2026-D3-01", "HORIZON Innovation Actions", 3, "CA", "US"),
        ("HORIZON-WIDERA-2026-01", "HORIZON Coordination and Support Actions", 1, "TN", "CA"),
        ("HORIZON-JU-CBE-2026-01", "HORIZON JU Research and Innovation Actions", 3, "GB", "US"),
    ],
)
def test_the_bundled_horizon_europe_rules(
    call_id: str, action_type: str, partners: int, country_in: str, country_out: str
) -> None:
    call = inherit_rules(horizon(call_id, action_type=action_type), load_programmes())

    assert call.min_partners == partners
    assert country_in in call.countries and country_out not in call.countries
    assert {"FR", "IT", "GR", "ES"} <= set(call.countries)
    assert all(s.url.startswith("https://") and s.read_on for s in call.fact_sources)


def test_the_bundled_rules_name_dated_documents() -> None:
    programmes = load_programmes()

    assert {"horizon-europe", "digital-europe", "edf", "life", "cef", "euratom", "rfcs"} <= set(
        programmes
    )
    for programme in programmes.values():
        for rule in programme.rules:
            assert rule.document and rule.url.startswith("https://")
            assert date(2025, 1, 1) <= rule.read_on <= date(2026, 11, 28)


@pytest.mark.parametrize(
    ("programme", "document"),
    [
        ("LIFE", "Regulation (EU) 2021/783"),
        ("Connecting Europe Facility", "CEF call conditions"),
        ("Euratom Research and Training Programme", "NetEuratom"),
        ("Research Fund for Coal & Steel", "European Research Executive Agency"),
    ],
)
def test_snapshot_topics_of_other_portal_programmes_inherit_member_states(
    programme: str, document: str
) -> None:
    calls = [c for c in fm.load_snapshot() if c.programme == programme and c.kind == "topic"]

    assert calls
    for call in calls:
        assert {"FR", "IT", "ES", "DE"} <= set(call.countries)
        assert "US" not in call.countries
        assert any(document in (s.note or "") and "countries" in s.facts for s in call.fact_sources)


def test_a_rule_that_leaves_countries_out_lends_its_list_as_incomplete() -> None:
    partial = RULES.model_copy(
        update={"rules": (RULES.rules[0].model_copy(update={"countries_complete": False}),)}
    )
    call = inherit_rules(horizon(), [partial])
    assert call.countries == ("FR", "IT", "TN") and not call.countries_complete
    assert inherit_rules(horizon(), [RULES]).countries_complete
    own = inherit_rules(horizon(countries=("FR",)), [partial])  # the call's own list stands
    assert own.countries == ("FR",) and own.countries_complete


def test_a_bundled_horizon_call_does_not_rule_out_a_country_its_rule_omits() -> None:
    call = next(c for c in fm.load_snapshot() if c.id.startswith("HORIZON-CL5"))
    kenya = fm.Profile(name="Nairobi", country="KE")  # a low- or middle-income country
    blockers, notes = fm.match.gates(call, kenya, now=NOW, include_closed=True)
    assert not [b for b in blockers if b.gate == "geography"]
    assert any(n.gate == "geography" and n.outcome == "unknown" for n in notes)


ERASMUS = Programme(
    key="erasmus",
    name="Erasmus+",
    documents=("programme guide",),
    rules=(
        ProgrammeRule(
            document="Programme Guide",
            url="https://example.eu/guide",
            read_on=date(2026, 11, 27),
            countries=("FR", "IT"),
        ),
    ),
)


def _portal_page() -> Response:
    result = json.loads((DATA / "sedia" / "call_dto_12_03_24.json").read_bytes(), strict=False)
    body = json.dumps({"totalResults": 1, "pageSize": 10, "results": [result]}).encode()
    return Response(url="", status=200, body=body)


def test_update_stores_portal_calls_with_their_inherited_rules(tmp_path: Path) -> None:
    source = fm.Source(
        name="portal",
        kind="ftportal",
        url="https://api.example.org/search?apiKey=SEDIA",
        query={"bool": {"must": []}},
    )
    with fm.Store(tmp_path / "s.sqlite") as store:
        fm.update(
            store, [source], now=NOW, fetch=lambda _: _portal_page(), programmes={"e": ERASMUS}
        )
        (call,) = store.calls()

    assert call.programme == "Erasmus+"
    assert call.countries == ("FR", "IT")
    assert call.fact_sources[-1].url == "https://example.eu/guide"


def test_offline_update_applies_the_rules_to_the_snapshot(tmp_path: Path) -> None:
    life = Programme(
        key="life",
        name="LIFE",
        documents=("d",),
        rules=(
            ProgrammeRule(
                document="d",
                url="https://example.eu/life",
                read_on=date(2026, 1, 1),
                min_partners=2,
            ),
        ),
    )
    with fm.Store(tmp_path / "s.sqlite") as store:
        fm.update(store, [], now=NOW, offline=True, programmes={"life": life})
        stored = [c for c in store.calls() if c.programme == "LIFE"]

    assert stored and all(c.min_partners == 2 for c in stored)


def test_a_live_portal_topic_inherits_by_its_code_and_name() -> None:
    payload = (DATA / "sedia" / "call_10_06_24.json").read_bytes()
    (teaming,) = fm.parse_ftportal(payload)
    assert teaming.action_type == "HORIZON-CSA HORIZON Coordination and Support Actions"

    own = teaming.min_partners
    call = inherit_rules(teaming, load_programmes())

    assert own is not None and call.min_partners == own  # the topic's own conditions win
    assert str(call.co_financing_rate) == "1"  # the CSA rule: funding rate 100 %
    assert any("coordination and support" in s.note for s in call.fact_sources)
    assert "TN" in call.countries and "CA" not in call.countries  # not a Pillar II call


def test_a_code_alone_is_not_a_longer_code() -> None:
    ria_ls = horizon(action_type="HORIZON-RIA-LS-X Some lump sum")
    assert inherit_rules(ria_ls, load_programmes()).min_partners is None
