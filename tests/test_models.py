"""The data model: calls, deadlines, status at a given moment, profiles, validation errors."""

from __future__ import annotations

import inspect
import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

import fundmatch as fm

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: str, hour: int = 17) -> datetime:
    """A Brussels-time moment on an ISO day."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=BRUSSELS)


def test_minimal_call_and_profile() -> None:
    call = fm.Call(id="x", title="t")
    profile = fm.Profile(name="p", description="d")
    assert call.deadlines == ()
    assert call.budget == fm.Budget()
    assert call.instrument is None
    assert profile.instruments == ("grant",)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="deadlne"):
        fm.Call(id="x", title="t", deadlne="2024-06-12")  # type: ignore[call-arg]


def test_models_are_frozen() -> None:
    call = fm.Call(id="x", title="t")
    with pytest.raises(ValidationError):
        call.title = "other"  # type: ignore[misc]


def test_naive_deadline_is_refused_without_time_zone() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        fm.Deadline(at=datetime(2024, 6, 12, 13, 0))


def test_deadline_in_brussels_time_keeps_its_zone() -> None:
    deadline = fm.Deadline(at=datetime(2024, 6, 12, 13, 0), timezone="Europe/Brussels")
    assert deadline.at.tzinfo == BRUSSELS
    assert deadline.at == datetime(2024, 6, 12, 11, 0, tzinfo=UTC)  # CEST is UTC+2
    assert deadline.at < datetime(2024, 6, 12, 11, 1, tzinfo=UTC)
    assert deadline.local("America/New_York").hour == 7
    again = fm.Deadline.model_validate_json(deadline.model_dump_json())
    assert again == deadline
    assert again.at.tzinfo == BRUSSELS


def test_aware_deadline_infers_zone_name() -> None:
    deadline = fm.Deadline(at=datetime(2025, 1, 15, 17, 0, tzinfo=BRUSSELS))
    assert deadline.timezone == "Europe/Brussels"
    offset_only = fm.Deadline(at="2025-01-15T17:00:00+01:00")
    assert offset_only.timezone is None
    assert offset_only.at == deadline.at


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        fm.Deadline(at=datetime(2024, 6, 12, 13, 0), timezone="Mars/Olympus")


def test_deadlines_accept_plain_dicts_and_are_sorted() -> None:
    call = fm.Call(
        id="x",
        title="t",
        deadlines=[
            {"at": "2025-09-01T17:00:00", "timezone": "Europe/Brussels", "label": "stage 2"},
            {"at": "2025-03-01T17:00:00+01:00", "label": "stage 1"},
        ],
        deadline_model="two-stage",
    )
    assert [d.label for d in call.deadlines] == ["stage 1", "stage 2"]


class TestStatus:
    single = fm.Call(
        id="s", title="t", opening=at("2025-01-10"), deadlines=[{"at": at("2025-04-01")}]
    )

    def test_single_stage(self) -> None:
        assert self.single.deadline_model == "single-stage"
        assert self.single.status(at("2025-01-01")) == "forthcoming"
        assert self.single.status(at("2025-02-01")) == "open"
        assert self.single.status(at("2025-04-01", 16)) == "open"
        assert self.single.status(at("2025-04-01", 18)) == "closed"

    def test_no_date_is_unknown_never_open_forever(self) -> None:
        call = fm.Call(id="x", title="t", reported_status="open")
        assert call.status(at("2025-01-01")) == "unknown"
        assert call.status(at("2099-01-01")) == "unknown"

    def test_no_deadline_but_not_yet_open_is_forthcoming(self) -> None:
        call = fm.Call(id="x", title="t", opening=at("2025-05-01"))
        assert call.status(at("2025-04-01")) == "forthcoming"
        assert call.status(at("2025-06-01")) == "unknown"

    def test_reported_closed_without_deadline_is_closed(self) -> None:
        call = fm.Call(id="x", title="t", reported_status="closed")
        assert call.status(at("2025-01-01")) == "closed"

    def test_reported_forthcoming_without_opening_date(self) -> None:
        call = fm.Call(
            id="x", title="t", reported_status="forthcoming", deadlines=[{"at": at("2025-04-01")}]
        )
        assert call.status(at("2025-01-01")) == "forthcoming"
        assert call.status(at("2025-05-01")) == "closed"

    def test_two_stage_closes_to_new_applicants_after_stage_one(self) -> None:
        call = fm.Call(
            id="x",
            title="t",
            deadline_model="two-stage",
            deadlines=[{"at": at("2025-02-01"), "label": "stage 1"}, {"at": at("2025-09-01")}],
        )
        assert call.status(at("2025-01-01")) == "open"
        assert call.next_deadline(at("2025-01-01")) == call.deadlines[0]
        assert call.status(at("2025-03-01")) == "closed"
        assert call.next_deadline(at("2025-03-01")) is None

    def test_multiple_cut_off_stays_open_until_the_last(self) -> None:
        call = fm.Call(
            id="x",
            title="t",
            deadline_model="multiple cut-off",
            deadlines=[{"at": at(day)} for day in ("2025-02-01", "2025-06-01", "2025-10-01")],
        )
        assert call.status(at("2025-03-01")) == "open"
        assert call.next_deadline(at("2025-03-01")) == call.deadlines[1]
        assert call.status(at("2025-09-30")) == "open"
        assert call.status(at("2025-10-02")) == "closed"

    def test_several_deadlines_default_to_multiple_cut_off(self) -> None:
        call = fm.Call(
            id="x", title="t", deadlines=[{"at": at("2025-02-01")}, {"at": at("2025-06-01")}]
        )
        assert call.deadline_model == "multiple cut-off"

    def test_days_left(self) -> None:
        now = at("2025-03-22")
        assert self.single.days_left(now) == 10  # whole days
        assert self.single.days_left(now + timedelta(days=30)) is None

    def test_now_must_be_aware(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            self.single.status(datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"regions": ["FRX99"]}, "regions.0"),
        ({"countries": ["XX"]}, "countries.0"),
        ({"budget": {"total": -1}}, "budget.total"),
        ({"budget": {"per_project_min": 10, "per_project_max": 5}}, "budget"),
        ({"co_financing_rate": 1.5}, "co_financing_rate"),
        ({"co_financing_rate": -0.1}, "co_financing_rate"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"languages": ["french"]}, "languages.0"),
        ({"instrument": "gift"}, "instrument"),
        ({"opening": datetime(2025, 1, 1)}, "opening"),
    ],
)
def test_invalid_values_name_the_field(fields: dict[str, object], field_name: str) -> None:
    with pytest.raises(ValidationError) as info:
        fm.Call(id="x", title="t", **fields)  # type: ignore[arg-type]
    locations = [".".join(str(p) for p in e["loc"]) for e in info.value.errors()]
    assert field_name in locations


def test_countries_accept_eu_codes_and_store_iso() -> None:
    call = fm.Call(id="x", title="t", countries=["EL", "uk", "fr", "FR"])
    assert call.countries == ("GR", "GB", "FR")


def test_nuts_2021_codes_are_mapped_to_2024() -> None:
    # NL332 (Agglomeratie 's-Gravenhage) became NL361 in NUTS 2024.
    call = fm.Call(id="x", title="t", regions=["NL332", "FRL04"])
    assert call.regions == ("NL361", "FRL04")


def test_budget_holds_decimals() -> None:
    call = fm.Call(
        id="x",
        title="t",
        budget={"total": "2500000", "per_project_max": 500000.5, "expected_grants": 5},
        co_financing_rate="0.8",
    )
    assert call.budget.total == Decimal("2500000")
    assert call.co_financing_rate == Decimal("0.8")
    assert call.budget.currency == "EUR"


class TestProfile:
    def test_country_is_derived_from_region(self) -> None:
        assert fm.Profile(name="m", region="FRL04").country == "FR"
        assert fm.Profile(name="a", region="EL30").country == "GR"

    def test_region_and_country_must_agree(self) -> None:
        with pytest.raises(ValidationError, match="not in country"):
            fm.Profile(name="m", region="FRL04", country="IT")

    def test_budget_range_must_be_ordered(self) -> None:
        with pytest.raises(ValidationError, match="budget_min"):
            fm.Profile(name="m", budget_min=10, budget_max=5)

    def test_negative_prep_days(self) -> None:
        with pytest.raises(ValidationError, match="prep_days"):
            fm.Profile(name="m", prep_days=-1)


def test_match_serialises_with_reasons_and_blockers() -> None:
    match = fm.Match(
        call=fm.Call(id="x", title="t"),
        score=42.5,
        reasons=[fm.Reason(factor="keyword", points=42.5, evidence="open data ≈ open-data")],
        blockers=[fm.Check(gate="geography", outcome="blocked", message="FR101 is not eligible")],
    )
    data = match.model_dump(mode="json")
    assert data["reasons"][0]["points"] == 42.5
    assert data["blockers"][0]["gate"] == "geography"
    assert fm.Match.model_validate(data) == match


def test_matches_repr_lists_scores() -> None:
    matches = fm.Matches([fm.Match(call=fm.Call(id="A-1", title="Open data"), score=12.0)])
    assert "A-1" in repr(matches)
    assert "12.0" in repr(matches)


def test_call_and_match_reprs_are_short() -> None:
    call = fm.Call(
        id="HORIZON-MISS-2027-04-CIT-02",
        title="Hydrogen cities: local hydrogen valleys for mobility, heat and industry in Europe",
        description="Expected outcome. " * 250,
        programme="Horizon Europe",
        deadlines=[fm.Deadline(at=at("2027-10-07"), timezone="Europe/Brussels")],
    )
    match = fm.Match(call=call, score=42.25, reasons=[fm.Reason(factor="keyword", points=42.25)])
    assert len(call.description) > 4000
    assert repr(call) == (
        "Call(id='HORIZON-MISS-2027-04-CIT-02', title='Hydrogen cities: local hydrogen valleys"
        " for mobility, heat…', programme='Horizon Europe',"
        " deadlines=['2027-10-07 17:00 Europe/Brussels'])"
    )
    assert repr(match).startswith("Match(score=42.2, call='HORIZON-MISS-2027-04-CIT-02', title=")
    assert len(repr(match)) < 200
    assert "Expected outcome" not in repr(match) + str(call)


def test_match_shows_as_a_small_table_in_a_notebook() -> None:
    call = fm.Call(
        id="A-1",
        title="Open <data> cities",
        url="https://example.org/a-1",
        deadlines=[fm.Deadline(at=at("2027-03-12", 13), timezone="Europe/Brussels")],
    )
    match = fm.Match(
        call=call,
        score=12.0,
        reasons=[fm.Reason(factor="keyword", points=12.0, evidence="open data")],
        blockers=[fm.Check(gate="geography", outcome="blocked", message="FR101 is not eligible")],
    )
    html = match._repr_html_()
    assert html.startswith("<table>") and html.endswith("</table>")
    for shown in (
        "12.0",
        "Open &lt;data&gt; cities",
        'href="https://example.org/a-1"',
        "2027-03-12 13:00 Europe/Brussels",
        "+12.0 keyword: open data",
        "geography: FR101 is not eligible",
    ):
        assert shown in html


def test_models_are_named_by_the_package_and_pickle_through_it() -> None:
    import fundmatch.models as models

    for name in models.__all__:
        value = getattr(models, name)
        if isinstance(value, type) or inspect.isfunction(value):
            assert value.__module__ == "fundmatch.models", name
    call = fm.Call(
        id="X-1",
        title="Smart grids",
        deadlines=[fm.Deadline(at=datetime(2026, 1, 1, 12, tzinfo=UTC))],
    )
    match = fm.Match(call=call, score=5.0, reasons=[fm.Reason(factor="keyword", points=5.0)])
    data = pickle.dumps(match)
    assert b"fundmatch.models.results" not in data
    assert pickle.loads(data) == match
