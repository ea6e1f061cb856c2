"""Eligibility gates: each blocks with a readable reason; what is unknown never excludes."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fundmatch import Budget, Call, Deadline, Matcher, Profile
from fundmatch.match import checks, gates

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# The Interreg Euro-MED cooperation area, as NUTS codes (Programme 2021-2027, section 1.1).
EURO_MED = ("FRL", "FRJ", "FRM", "FRK2", "ITC", "ITF", "ITG", "ITH", "ITI", "ES5", "ES6",
            "ES7", "EL", "HR", "SI", "CY", "MT", "PT")  # fmt: skip

EURO_MED_CALL = Call(
    id="EUROMED-2026-3",
    title="Euro-MED third call: open data for greener Mediterranean cities",
    description="Transnational projects on open data, smart cities and climate adaptation "
    "in the Mediterranean cooperation area.",
    programme="Interreg Euro-MED",
    instrument="grant",
    regions=EURO_MED,
    deadlines=(Deadline(at=NOW + timedelta(days=90), timezone="Europe/Brussels"),),
)

MARSEILLE = Profile(
    name="Open data for Marseille",
    description="An SME publishing open data for smart cities in the Mediterranean.",
    region="FRL04",
    organisation_type="sme",
)
PARIS = MARSEILLE.model_copy(update={"region": "FR101", "name": "Open data for Paris"})


def test_marseille_is_inside_euro_med() -> None:
    (match,) = Matcher([EURO_MED_CALL]).rank(MARSEILLE, now=NOW)
    assert match.blockers == ()
    assert "geography" not in {n.gate for n in match.notes}


def test_ile_de_france_is_blocked_with_its_reason_when_asked() -> None:
    matcher = Matcher([EURO_MED_CALL])
    assert matcher.rank(PARIS, now=NOW) == []
    (match,) = matcher.rank(PARIS, now=NOW, include_blocked=True)
    (blocker,) = match.blockers
    assert blocker.gate == "geography"
    assert "FR101 is outside the eligible regions" in blocker.message
    assert match.score > 0  # relevance is still shown, so the user sees what they miss


def test_unknown_never_excludes() -> None:
    bare = Call(id="BARE-1", title="Open data for smart cities")
    (match,) = Matcher([bare]).rank(MARSEILLE, now=NOW)
    assert match.blockers == ()
    unknown = {n.gate for n in match.notes if n.outcome == "unknown"}
    assert {"deadline", "instrument", "geography", "organisation", "budget"} <= unknown


def test_country_lists() -> None:
    call = EURO_MED_CALL.model_copy(update={"regions": (), "countries": ("GR", "IT")})
    blockers, _ = gates(call, MARSEILLE, now=NOW)
    assert [b.message for b in blockers] == ["FR is not among the eligible countries"]
    greek = Profile(name="Athens", country="EL")
    assert gates(call, greek, now=NOW)[0] == []


def test_a_country_left_out_of_an_incomplete_list_is_unknown_not_blocked() -> None:
    partial = EURO_MED_CALL.model_copy(
        update={"regions": (), "countries": ("GR", "IT"), "countries_complete": False}
    )
    blockers, notes = gates(partial, MARSEILLE, now=NOW)
    assert blockers == []
    (note,) = [n for n in notes if n.gate == "geography"]
    assert note.outcome == "unknown" and note.message.startswith("FR is not among the countries")
    assert gates(partial, Profile(name="Athens", country="EL"), now=NOW)[0] == []
    regions = partial.model_copy(update={"regions": ("ITC4",)})  # Lombardia, and a partial list
    assert gates(regions, MARSEILLE, now=NOW)[0] == []
    assert gates(regions, Profile(name="Rome", region="ITI43"), now=NOW)[0] == []


def test_deadline_gates() -> None:
    closed = EURO_MED_CALL.model_copy(
        update={"deadlines": (Deadline(at=NOW - timedelta(days=1), timezone="Europe/Brussels"),)}
    )
    (blocker,) = gates(closed, MARSEILLE, now=NOW)[0]
    assert blocker.gate == "deadline" and blocker.message.startswith("closed")
    blockers, notes = gates(closed, MARSEILLE, now=NOW, include_closed=True)
    assert blockers == [] and any(n.outcome == "flag" for n in notes)

    slow = MARSEILLE.model_copy(update={"prep_days": 120})
    (blocker,) = gates(EURO_MED_CALL, slow, now=NOW)[0]
    assert blocker.message == "only 90 days left; the profile needs 120 to prepare"

    later = EURO_MED_CALL.model_copy(update={"opening": NOW + timedelta(days=10)})
    blockers, notes = gates(later, MARSEILLE, now=NOW)
    assert blockers == [] and any(n.message.startswith("not open yet") for n in notes)


def test_instrument_organisation_budget_partnership_and_exclusions() -> None:
    tender = EURO_MED_CALL.model_copy(update={"instrument": "tender"})
    assert gates(tender, MARSEILLE, now=NOW)[0][0].message == "a tender; the profile seeks grant"

    universities = EURO_MED_CALL.model_copy(update={"organisation_types": ("university",)})
    assert gates(universities, MARSEILLE, now=NOW)[0][0].gate == "organisation"

    big = EURO_MED_CALL.model_copy(
        update={"budget": Budget(per_project_min=Decimal(2_000_000)), "min_partners": 1}
    )
    small_sme = MARSEILLE.model_copy(update={"budget_max": Decimal(300_000)})
    (blocker,) = gates(big, small_sme, now=NOW)[0]
    assert blocker.message == (
        "at least 2,000,000 EUR per project; the profile can handle at most 300,000"
    )
    # The same amount for a consortium (or when the call does not say) can be joined as a
    # partner: flagged, not blocked.
    for partners in (None, 3):
        shared = big.model_copy(update={"min_partners": partners})
        blockers, notes = gates(shared, small_sme, now=NOW)
        assert [b.gate for b in blockers if b.gate == "budget"] == []
        assert any(n.gate == "budget" and "as a partner" in n.message for n in notes)

    # Partners can be found: a partnership short of the minimum is a flag, never a blocker.
    consortium = EURO_MED_CALL.model_copy(update={"min_partners": 3, "min_countries": 3})
    alone = MARSEILLE.model_copy(update={"partners": 0, "partner_countries": ()})
    blockers, notes = gates(consortium, alone, now=NOW)
    assert blockers == []
    (flag,) = [n for n in notes if n.gate == "partnership"]
    assert flag.outcome == "flag"
    assert flag.message == (
        "needs 2 more partners from 2 more countries: the call asks for 3 partners "
        "(the profile has 1 with itself) and 3 countries (the profile covers 1)"
    )
    ready = MARSEILLE.model_copy(update={"partners": 3, "partner_countries": ("IT", "ES")})
    assert gates(consortium, ready, now=NOW)[0] == []
    assert [c.outcome for c in checks(consortium, ready, now=NOW) if c.gate == "partnership"] == [
        "pass"
    ]

    no_climate = MARSEILLE.model_copy(update={"exclude": ("climate adaptation",)})
    (blocker,) = gates(EURO_MED_CALL, no_climate, now=NOW)[0]
    assert blocker.message == "mentions excluded term 'climate adaptation' in its description"


def test_a_profile_silent_on_partners_is_unknown_never_blocked() -> None:
    three_countries = EURO_MED_CALL.model_copy(update={"min_countries": 3})
    blockers, notes = gates(three_countries, MARSEILLE, now=NOW)
    assert blockers == []
    (note,) = [n for n in notes if n.gate == "partnership"]
    assert note.outcome == "unknown"
    assert note.message == (
        "needs partners from 3 countries; the profile does not say where its partners are"
    )
    # Partners but no word on where they are: still unknown.
    some = MARSEILLE.model_copy(update={"partners": 4})
    assert gates(three_countries, some, now=NOW)[0] == []
    # No partners: a fact, so it passes or shows the gap (never a blocker).
    alone = MARSEILLE.model_copy(update={"partners": 0})
    blockers, notes = gates(three_countries, alone, now=NOW)
    assert blockers == []
    assert [n.message for n in notes if n.gate == "partnership"] == [
        "needs 2 more partners from 2 more countries: "
        "the call asks for 3 countries (the profile covers 1)"
    ]


def test_a_consortium_action_amount_is_the_consortiums() -> None:
    municipality = MARSEILLE.model_copy(
        update={"organisation_type": "public-body", "budget_max": Decimal(2_000_000)}
    )
    for action in (
        "HORIZON-IA HORIZON Innovation Actions",
        "HORIZON-RIA HORIZON Research and Innovation Actions",
        "HORIZON-CSA HORIZON Coordination and Support Actions",
        "RIA Research and Innovation action",
    ):
        innovation_action = EURO_MED_CALL.model_copy(
            update={
                "action_type": action,
                "min_partners": 1,  # as some records give it: still a consortium grant
                "budget": Budget(per_project_min=Decimal(9_500_000)),
            }
        )
        blockers, notes = gates(innovation_action, municipality, now=NOW)
        assert blockers == [], action
        (note,) = [n for n in notes if n.gate == "budget"]
        assert note.outcome == "flag" and "as a partner of a consortium" in note.message


def test_a_single_applicant_action_amount_is_the_applicants() -> None:
    accelerator = EURO_MED_CALL.model_copy(
        update={
            "action_type": "HORIZON-EIC-ACC HORIZON EIC Accelerator",
            "min_partners": 1,
            "budget": Budget(per_project_min=Decimal(2_500_000)),
        }
    )
    small_sme = MARSEILLE.model_copy(update={"budget_max": Decimal(300_000)})
    (blocker,) = gates(accelerator, small_sme, now=NOW)[0]
    assert blocker.gate == "budget"
    assert blocker.message.startswith("at least 2,500,000 EUR per project")


def test_a_grant_smaller_than_planned_is_flagged_not_ruled_out() -> None:
    small_grant = EURO_MED_CALL.model_copy(
        update={"budget": Budget(per_project_max=Decimal(60_000)), "min_partners": 1}
    )
    planner = MARSEILLE.model_copy(update={"budget_min": Decimal(200_000)})
    blockers, notes = gates(small_grant, planner, now=NOW)
    assert [b.gate for b in blockers] == []
    (note,) = [n for n in notes if n.gate == "budget"]
    assert note.outcome == "flag"
    assert note.message == (
        "at most 60,000 EUR per project; the profile seeks at least 200,000: "
        "a smaller grant than planned"
    )
