"""Portal topicDetails documents: golden facts of every recorded answer, merging, tolerance.

The recorded answers are in ``tests/data/sedia/`` (see its README for their provenance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.ftportal import parse_ftportal_page
from fundmatch.sources.topicdetails import conditions_facts, details_url, merge_details

DATA = Path(__file__).parent / "data" / "sedia"
BRUSSELS = ZoneInfo("Europe/Brussels")
DETAILS = sorted(
    p for p in DATA.glob("*.json") if "TopicDetails" in p.read_text(encoding="utf-8-sig")
)


@dataclass(frozen=True)
class Golden:
    """What one recorded topicDetails answer must give."""

    identifier: str
    description_start: str
    description_chars: int  # at least
    total: int | None
    actions: tuple[tuple[str, int], ...]  # per type of action, when several
    per_project_max: int | None
    expected_grants: int | None
    min_partners: int | None
    opening: datetime
    action_type: str
    documents: int  # at least
    siblings: tuple[str, ...] = ()  # topics of the same call whose budget must not be taken


GOLDEN = {
    "call_10_06_24.json": Golden(
        "HORIZON-WIDERA-2025-ACCESS-01-01-two-stage",
        "Expected Outcome:\nDisparities in R&I performance",
        10_000,
        270_000_000,
        (),
        15_000_000,
        18,
        2,  # "A Teaming project must involve at least two beneficiaries"
        datetime(2024, 12, 3, tzinfo=BRUSSELS),
        "HORIZON-CSA HORIZON Coordination and Support Actions",
        15,
    ),
    "call_details_dto_10_06_24.json": Golden(
        "HORIZON-WIDERA-2025-ACCESS-01-01-two-stage",
        "test",  # this recorded copy was cut down to a placeholder
        4,
        270_000_000,
        (),
        15_000_000,
        18,
        None,
        datetime(2024, 12, 3, tzinfo=BRUSSELS),
        "HORIZON-CSA HORIZON Coordination and Support Actions",
        0,
    ),
    "call_details_dto_10_11_24.json": Golden(
        "HORIZON-MSCA-2025-COFUND-01-01",
        "test",
        4,
        None,  # both types of action show the same 101,820,280: shared or not, unsaid
        (
            ("HORIZON TMA MSCA Cofund Postdoctoral programme", 101_820_280),
            ("HORIZON TMA MSCA Cofund Doctoral programme", 101_820_280),
        ),
        None,
        None,
        None,
        datetime(2025, 1, 23, tzinfo=BRUSSELS),
        "HORIZON-TMA-MSCA-Cofund-P HORIZON TMA MSCA Cofund Postdoctoral programme",
        0,
    ),
    "call_details_dto_10_12_24.json": Golden(
        "ERC-2025-SyG",
        "test",
        4,
        500_000_000,
        (),
        14_000_000,
        48,
        None,
        datetime(2024, 7, 11, tzinfo=BRUSSELS),
        "HORIZON-ERC-SYG HORIZON ERC Synergy Grants",
        1,
    ),
    "call_details_dto_10_12_24_2.json": Golden(
        "MIGRATION-05-2018-2020",
        "Specific Challenge:",
        7_000,
        15_000_000,
        (("RIA Research and Innovation action", 6_000_000), ("IA Innovation action", 9_000_000)),
        None,
        None,
        None,
        datetime(2017, 11, 7, tzinfo=BRUSSELS),
        "RIA Research and Innovation action",
        20,
        siblings=("MIGRATION-02-2018", "DT-MIGRATION-06-2018-2019", "MIGRATION-04-2020"),
    ),
    "call_details_dto_12_03_24.json": Golden(
        "CEF-T-2024-SAFEMOBGEN-EXTBORDER-WORKS",
        "Objective:\nThe objective is to moder",
        1_600,
        None,  # its only budget entry belongs to the sibling ...-PARKINGS-WORKS
        (),
        None,
        None,
        None,
        datetime(2024, 9, 24, tzinfo=BRUSSELS),
        "CEF-INFRA CEF Infrastructure Projects",
        15,
        siblings=("CEF-T-2024-SAFEMOBGEN-PARKINGS-WORKS",),
    ),
    "call_details_dto_12_03_24_2_pppa.json": Golden(
        "PPPA-2024-SKILL-FOR-TOURISM",
        "Expected Outcome:\nSupporting upskill",
        390,
        1_000_000,
        (),
        995_000,
        1,
        None,
        datetime(2024, 11, 28, tzinfo=BRUSSELS),
        "PPPA Pilot Projects and Preparatory Actions",
        10,
    ),
    "call_details_dto_12_03_24_3.json": Golden(
        "ERASMUS-EDU-2025-PI-ALL-INNO-EDU-ENTERP",
        "Scope:\nALLIANCES FOR INNOVATION",
        3_000,
        None,  # its only budget entry belongs to the sibling ...-BLUEPRINT
        (),
        None,
        None,
        None,
        datetime(2024, 12, 5, tzinfo=BRUSSELS),
        "ERASMUS-LS ERASMUS Lump Sum Grants",
        10,
        siblings=("ERASMUS-EDU-2025-PI-ALL-INNO-BLUEPRINT",),
    ),
}


def test_every_recorded_topic_details_answer_has_a_golden_entry() -> None:
    assert sorted(p.name for p in DETAILS) == sorted(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_topic_details_golden_facts(name: str) -> None:
    golden = GOLDEN[name]
    call, notes = fm.parse_topic_details((DATA / name).read_bytes(), source="portal")
    assert call.id == golden.identifier
    # The full description, as HTML reduced to text.
    assert call.description.startswith(golden.description_start)
    assert len(call.description) >= golden.description_chars
    assert "<" not in call.description
    # The budget: the topic's own entries only, per type of action when several.
    budget = call.budget
    assert budget.total == (None if golden.total is None else Decimal(golden.total))
    assert [(a.action, a.total) for a in budget.actions] == [
        (action, Decimal(amount)) for action, amount in golden.actions
    ]
    assert budget.per_project_max == (
        None if golden.per_project_max is None else Decimal(golden.per_project_max)
    )
    assert budget.expected_grants == golden.expected_grants
    # The conditions' facts: these recorded topics refer to documents for countries and
    # organisation types, so those stay unknown; a partnership rule is read when stated.
    assert call.countries == ()
    assert call.organisation_types == ()
    assert call.min_partners == golden.min_partners
    assert call.co_financing_rate is None
    assert call.opening == golden.opening
    assert call.action_type == golden.action_type
    assert len(call.documents) >= golden.documents
    assert all(
        link.url.startswith("https://") or link.url.startswith("http://") for link in call.documents
    )
    assert len({link.url for link in call.documents}) == len(call.documents)
    assert not [n for n in notes if not n.startswith("budget:")]


@pytest.mark.parametrize("name", [n for n, g in GOLDEN.items() if g.siblings])
def test_a_sibling_topics_budget_is_never_taken(name: str) -> None:
    golden = GOLDEN[name]
    raw = json.loads((DATA / name).read_text(encoding="utf-8-sig"), strict=False)
    overview = raw["TopicDetails"]["budgetOverviewJSONItem"]["budgetTopicActionMap"]
    sibling_amounts = set()
    for value in overview.values():
        for entry in value if isinstance(value, list) else [value]:
            if any(entry["action"].startswith(f"{s} - ") for s in golden.siblings):
                sibling_amounts.update(Decimal(str(v)) for v in entry["budgetYearMap"].values())
    assert sibling_amounts  # the document does carry a sibling's budget
    call, _ = fm.parse_topic_details((DATA / name).read_bytes())
    own = {a.total for a in call.budget.actions} | {call.budget.total}
    if golden.total is None:
        assert own == {None}
    assert call.budget.total != sum(sibling_amounts)


def test_documents_are_the_call_document_annexes_and_submission() -> None:
    call, _ = fm.parse_topic_details((DATA / "call_details_dto_12_03_24_2_pppa.json").read_bytes())
    titles = [link.title for link in call.documents]
    assert "call document" in titles  # as the conditions name it
    assert any(t.startswith("Submission: ") for t in titles)
    (h2020, _) = fm.parse_topic_details((DATA / "call_details_dto_10_12_24_2.json").read_bytes())
    assert any(link.title.startswith("Work programme: ") for link in h2020.documents)
    assert any("Call Results" in link.title for link in h2020.documents)  # a dossier file


def test_details_add_the_full_description_and_the_budget_to_the_search_facts() -> None:
    (search,) = fm.parse_ftportal((DATA / "call_dto_12_03_24_3.json").read_bytes(), source="p")
    details, _ = fm.parse_topic_details((DATA / "call_details_dto_12_03_24_3.json").read_bytes())
    merged = merge_details(search, details)
    assert merged.id == search.id and merged.source == "p"
    assert len(merged.description) >= len(search.description)
    assert merged.documents == details.documents
    assert merged.opening == details.opening
    assert merged.action_type == "ERASMUS-LS ERASMUS Lump Sum Grants"


def test_a_placeholder_description_never_replaces_the_search_one() -> None:
    (search,) = fm.parse_ftportal((DATA / "call_dto_12_03_24.json").read_bytes())
    details, _ = fm.parse_topic_details((DATA / "call_details_dto_12_03_24_3.json").read_bytes())
    stub = details.model_copy(update={"description": "test"})
    assert merge_details(search, stub).description == search.description


def test_search_facts_stay_where_the_details_are_silent() -> None:
    search = fm.Call(
        id="T-1", title="T", min_partners=3, countries=("FR",), budget=fm.Budget(total=5)
    )
    details = fm.Call(id="T-1", title="T (details)")
    merged = merge_details(search, details)
    assert (merged.min_partners, merged.countries, merged.budget.total) == (3, ("FR",), 5)
    assert merged.title == "T"


def test_details_url_is_lower_case_under_a_configurable_base() -> None:
    assert details_url("HORIZON-CL5-2024-D4-02-01") == (
        "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
        "horizon-cl5-2024-d4-02-01.json"
    )
    assert (
        details_url("A/B 1", "http://127.0.0.1:8000/td")
        == "http://127.0.0.1:8000/td/a%2Fb%201.json"
    )


# --- the conditions' facts ------------------------------------------------------------


def test_countries_and_organisation_types_listed_outright_are_read() -> None:
    text = (
        "1. Eligible countries: France, Italy, Spain and Greece\n"
        "2. Eligible applicants: public authorities, SMEs and universities\n"
        "3. Other conditions: none"
    )
    facts = conditions_facts(text)
    assert facts.countries == ("FR", "IT", "ES", "GR")
    assert facts.organisation_types == ("public-authority", "sme", "university")


@pytest.mark.parametrize(
    "text",
    [
        "2. Eligible countries: described in Annex B of the Work Programme General Annexes",
        "2. Eligible countries: EU Member States, including France, and Associated Countries",
        "2. Eligible countries\n\ndescribed in section 6 of the call document.",
        "Eligible applicants: any legal entity, e.g. SMEs",
    ],
)
def test_conditions_that_refer_elsewhere_leave_the_facts_unknown(text: str) -> None:
    assert conditions_facts(text) == conditions_facts("")


# --- tolerant search metadata ---------------------------------------------------------


def _euaf() -> dict[str, object]:
    return json.loads((DATA / "call_dto_10_06_24.json").read_bytes(), strict=False)


def test_a_budget_overview_cut_after_the_topics_entry_keeps_that_entry() -> None:
    result = _euaf()
    overview = result["metadata"]["budgetOverview"][0]  # type: ignore[index]
    # EUAF-2023-TRAI-03 is the second entry: cut in the middle of the third one's amount.
    third = overview.index("EUAF-2023-TRAI-02")
    cut = overview.index('"2023":900000', third) + len('"2023":9000')
    result["metadata"]["budgetOverview"] = [overview[:cut]]  # type: ignore[index]
    page = parse_ftportal_page(result)
    (call,) = page.calls
    assert call.id == "EUAF-2023-TRAI-03"
    assert call.budget.total == 900_000
    assert any("budgetOverview: cut short" in note for note in page.field_errors)


def test_a_budget_overview_cut_inside_the_topics_entry_gives_no_budget() -> None:
    result = _euaf()
    overview = result["metadata"]["budgetOverview"][0]  # type: ignore[index]
    own = overview.index("EUAF-2023-TRAI-03")
    cut = overview.index('"2023":900000', own) + len('"2023":90')  # never read as 90
    result["metadata"]["budgetOverview"] = [overview[:cut]]  # type: ignore[index]
    (call,) = parse_ftportal_page(result).calls
    assert call.budget == fm.Budget()


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity", "1e400", "9" * 5000])
def test_non_finite_and_absurd_numbers_become_unknown_with_a_warning(word: str) -> None:
    text = (DATA / "call_search_10_06_24.json").read_text(encoding="utf-8")
    page_text = text.replace('"totalResults": 510841', f'"totalResults": {word}', 1)
    page_text = page_text.replace('"pageSize": 1', f'"pageSize": {word}', 1)
    assert page_text != text
    page = parse_ftportal_page(page_text.encode())
    assert page.total_results is None and page.page_size is None
    assert [c.id for c in page.calls] == ["EUAF-2023-TRAI-03"]
    assert any("left unknown" in note for note in page.field_errors)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "1e400", "1e15"])
def test_a_non_finite_or_absurd_budget_is_unknown_not_a_crash(word: str) -> None:
    raw = (DATA / "call_details_dto_12_03_24_2_pppa.json").read_text(encoding="utf-8-sig")
    assert '"2024": "1000000"' in raw or '"2024":"1000000"' in raw
    text = raw.replace('"1000000"', word, 1)
    call, notes = fm.parse_topic_details(text.encode())
    assert call.budget.total is None
    assert notes


@pytest.mark.parametrize("epoch", ["999000000000000000", "-99999999999999999", "1e30"])
def test_an_absurd_epoch_date_is_unknown_not_a_crash(epoch: str) -> None:
    raw = json.loads((DATA / "call_details_dto_12_03_24.json").read_bytes(), strict=False)
    details = raw["TopicDetails"]
    details["publicationDateLong"] = epoch
    details["actions"][0]["deadlineDates"] = [epoch]
    call, notes = fm.parse_topic_details(json.dumps(raw).encode())
    assert call.published is None and call.deadlines == ()
    fields = {note.split(":")[0] for note in notes}
    assert fields >= {"publicationDateLong", "actions.deadlineDates"}
