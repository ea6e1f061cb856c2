"""Calls open to any field of research: found by what they say, and shown to every profile they
are open to, with that sentence as the reason."""

import pytest

from fundmatch import Call, Matcher, Profile, Weights
from fundmatch.match.opentopic import instrument, open_topic

FELLOWSHIPS = Call(
    id="WIDERA-FELLOWSHIPS",
    title="ERA Fellowships",
    description="Fellowships in Widening countries. The scientific field can be any domain of "
    "research and innovation.",
    organisation_types=("research-organisation", "university"),
)
MALARIA = Call(
    id="HLTH-MALARIA", title="Malaria vaccines", description="Vaccines against malaria parasites."
)
BATTERIES = Call(id="CL5-BATTERIES", title="Batteries", description="Battery chemistry.")
PROFILE = Profile(
    name="Plasmodium and Leishmania co-infection",
    description="How the immune response to malaria parasites changes with leishmaniasis.",
)


@pytest.mark.parametrize(
    ("title", "description", "said"),
    [
        (
            "ERA Fellowships",
            "The scientific field can be any domain of research.",
            "can be any domain of research",
        ),
        ("Twinning Bottom-Up", "Networking of universities.", "Twinning Bottom-Up"),
        (
            "MSCA COFUND",
            'Programmes can cover any research disciplines ("bottom-up").',
            "can cover any research disciplines",
        ),
        (
            "EIC Accelerator",
            "It has no predefined thematic priorities.",
            "no predefined thematic priorities",
        ),
        (
            "Design studies",
            "All fields of science are considered.",
            "All fields of science are considered",
        ),
    ],
)
def test_a_call_that_says_it_is_open_to_any_field_is_open_topic(
    title: str, description: str, said: str
) -> None:
    assert open_topic(title, description) == said


@pytest.mark.parametrize(
    "description",
    [
        "The call is open to any legal entity established in a Member State.",
        "Disruptive technologies in any area of defence interest.",
        "VET institutions follow a bottom-up approach to vocational excellence.",
        "Results are used in many areas, for example floods.",
    ],
)
def test_who_may_apply_a_bounded_field_or_a_method_is_not_an_open_topic(description: str) -> None:
    assert open_topic("Smart cities", description) is None


def test_an_open_topic_call_is_listed_for_any_research_profile_with_its_reason() -> None:
    matches = Matcher([FELLOWSHIPS, MALARIA, BATTERIES]).rank(PROFILE, limit=None, min_score=0)
    assert [m.call.id for m in matches] == ["HLTH-MALARIA", "WIDERA-FELLOWSHIPS"]
    fellowships = matches[1]
    (reason,) = [r for r in fellowships.reasons if r.factor == "open-topic"]
    assert reason.evidence == "open to any field: the call says 'can be any domain of research'"
    assert fellowships.score >= Weights().min_score  # listed by default too
    assert round(sum(r.points for r in fellowships.reasons), 2) == fellowships.score


def test_a_profile_whose_organisation_the_call_does_not_name_gets_no_lift() -> None:
    company = PROFILE.model_copy(update={"organisation_type": "sme"})
    lab = PROFILE.model_copy(update={"organisation_type": "university"})
    matcher = Matcher([FELLOWSHIPS, MALARIA])
    assert [m.call.id for m in matcher.rank(company, limit=None, min_score=0)] == ["HLTH-MALARIA"]
    assert len(matcher.rank(lab, limit=None, min_score=0)) == 2


def test_explain_gives_the_same_open_topic_reason_and_weights_can_turn_it_off() -> None:
    matcher = Matcher([FELLOWSHIPS, MALARIA])
    ranked = matcher.rank(PROFILE, limit=None, min_score=0)[1]
    assert matcher.explain(FELLOWSHIPS.id, PROFILE).reasons == ranked.reasons
    off = Matcher([FELLOWSHIPS, MALARIA], weights=Weights(open_topic=0))
    assert [m.call.id for m in off.rank(PROFILE, limit=None, min_score=0)] == ["HLTH-MALARIA"]


def test_at_most_two_open_topic_calls_are_raised_those_whose_words_fit_best() -> None:
    others = [
        Call(
            id=f"OPEN-{n}",
            title=title,
            description=f"{text} The scientific field can be any domain of research.",
        )
        for n, (title, text) in enumerate(
            [
                ("Doctoral programmes", "Doctoral training in universities."),
                ("Fellowships for researchers", "Researchers study immune parasites abroad."),
                ("Twinning of institutions", "Institutions twin with leading malaria centres."),
            ]
        )
    ]
    matches = Matcher([*others, MALARIA]).rank(PROFILE, limit=None, min_score=0)
    raised = [m.call.id for m in matches if any(r.factor == "open-topic" for r in m.reasons)]
    assert matches[0].call.id == "HLTH-MALARIA"  # the profile's own best match stays first
    assert sorted(raised) == ["OPEN-1", "OPEN-2"]  # they share "parasites", "malaria"


def test_two_editions_of_one_instrument_take_one_raised_place() -> None:
    editions = [
        Call(
            id=f"MSCA-{year}-COFUND",
            title=f"MSCA COFUND {year}",
            description="Doctoral programmes on malaria parasites and immune research. "
            "The programmes can cover any research disciplines.",
        )
        for year in (2024, 2025)
    ]
    twinning = Call(
        id="WIDERA-TWINNING", title="Twinning Bottom-Up", description="Institutions network."
    )
    matches = Matcher([*editions, twinning, MALARIA]).rank(PROFILE, limit=None, min_score=0)
    raised = [m.call.id for m in matches if any(r.factor == "open-topic" for r in m.reasons)]
    # Both editions fit the profile better than Twinning does (and alike: the first by id is
    # raised); the second place goes to another instrument.
    assert sorted(raised) == ["MSCA-2024-COFUND", "WIDERA-TWINNING"]


def test_an_instrument_is_its_title_without_years_or_numbers() -> None:
    assert instrument("MSCA COFUND 2024") == instrument("MSCA COFUND 2025") == "msca cofund"
    assert instrument("ERA Fellowships") != instrument("ERA Chairs")
