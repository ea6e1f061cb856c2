"""Instruments a profile names (Twinning, ERA Chairs, MSCA Doctoral Networks), or whose purpose
it states (building research capacity): the calls of that instrument are raised, with the
profile's own words as the reason; look-alike words are not."""

import pytest

from fundmatch import Call, Match, Matcher, Profile, Weights
from fundmatch.match.instruments import INSTRUMENTS, PURPOSES, Instrument, named, served, titled

CHAIRS = Call(
    id="WIDERA-ERA-CHAIRS",
    title="ERA Chairs",
    description="Universities attract outstanding researchers and their teams to a chair.",
)
TWINNING = Call(
    id="WIDERA-TWINNING",
    title="Twinning Bottom-Up",
    description="Networking between a widening institution and two leading ones.",
)
CITY_TWINS = Call(
    id="CL5-CITY-TWINS",
    title="Digital twins of cities",
    description="Digital twinning of urban energy systems and ports for planning.",
)
FISHERIES = Call(
    id="CL6-FISHERIES",
    title="Small-scale fisheries",
    description="Coastal fisheries, their catch data and their communities.",
)
CALLS = [CHAIRS, TWINNING, CITY_TWINS, FISHERIES]


def names(text: str) -> list[str]:
    return [INSTRUMENTS[k].name for k in named(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We apply for an ERA Chair in marine ecology", ["ERA Chairs"]),
        ("A Twinning project with two leading institutions", ["Twinning"]),
        ("An MSCA Doctoral Network on soil biology", ["MSCA Doctoral Networks"]),
        ("Our MSCA-COFUND programme", ["MSCA COFUND"]),
        ("An ERC Starting Grant for a young team", ["ERC Starting Grants"]),
        ("A town-twinning meeting of two municipalities", ["Town Twinning"]),
    ],
)
def test_a_profile_names_an_instrument_in_its_own_words(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Digital twinning of the port of Marseille",
        "Massive twinning of industrial sites",
        "Twinning-enabled maintenance of wind farms",
        "A project co-funded by the region",  # not MSCA COFUND
        "A chair of the steering committee",  # not an ERA Chair
        "Open data for smart cities",
    ],
)
def test_look_alike_words_name_no_instrument(text: str) -> None:
    assert named(text) == {}


def test_a_call_title_names_its_instrument() -> None:
    assert [INSTRUMENTS[k].name for k in titled("MSCA Doctoral Networks 2027")] == [
        "MSCA Doctoral Networks"
    ]
    assert [INSTRUMENTS[k].name for k in titled("Call Town Twinning 2026")] == ["Town Twinning"]
    assert titled("Digital twins of cities") == []


def test_the_calls_of_the_instrument_a_profile_names_come_first_with_its_words() -> None:
    profile = Profile(
        name="ERA Chair in fisheries science",
        description="A university in a widening country seeks an ERA Chair to build a team on "
        "small-scale fisheries and their catch data.",
    )
    matches = Matcher(CALLS).rank(profile, limit=None, min_score=0)
    assert matches[0].call.id == "WIDERA-ERA-CHAIRS"
    (reason,) = [r for r in matches[0].reasons if r.factor == "instrument"]
    assert reason.evidence == (
        "the profile names the call's instrument, ERA Chairs: it says 'ERA Chair'"
    )
    assert reason.points > 0
    assert round(sum(r.points for r in matches[0].reasons), 2) == matches[0].score
    others = [r for m in matches[1:] for r in m.reasons if r.factor == "instrument"]
    assert others == []


def test_digital_twinning_raises_no_twinning_call() -> None:
    profile = Profile(
        name="Digital twinning of coastal cities",
        description="Digital twinning of urban energy systems for city planners.",
    )
    matches = Matcher(CALLS).rank(profile, limit=None, min_score=0)
    assert matches[0].call.id == "CL5-CITY-TWINS"
    assert all(r.factor != "instrument" for m in matches for r in m.reasons)


def test_instrument_weight_zero_turns_the_raise_off() -> None:
    profile = Profile(name="Fisheries", description="An ERA Chair on small-scale fisheries.")
    raised = Matcher(CALLS).rank(profile, limit=None, min_score=0)
    plain = Matcher(CALLS, weights=Weights(instrument=0)).rank(profile, limit=None, min_score=0)

    def score(matches: list[Match]) -> float:
        return next(m.score for m in matches if m.call.id == "WIDERA-ERA-CHAIRS")

    assert score(plain) < score(raised)
    assert all(r.factor != "instrument" for m in plain for r in m.reasons)


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.name)
def test_every_text_that_names_an_instrument_holds_its_hint(instrument: Instrument) -> None:
    # named() and titled() search only the texts holding the hint: a hint outside a pattern
    # would hide the instrument.
    assert instrument.hint in instrument.said.pattern.lower()
    assert instrument.hint in instrument.title.pattern.lower()


def served_by(text: str) -> list[str]:
    return [INSTRUMENTS[k].name for k in served(text)]


WIDENING = [
    "Twinning",
    "ERA Chairs",
    "Teaming for Excellence",
    "Excellence Hubs",
    "Pathways to Synergies",
    "European Excellence Initiative",
]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "We aim to strengthen the research capacity of the University of Tartu",
            "strengthen the research capacity",
        ),
        ("Boosting R&I excellence in Cyprus", "Boosting R&I excellence"),
        ("Building excellence in the study of galaxies", "Building excellence"),
        ("to elevate the scientific profile of our institute", "elevate the scientific profile"),
        (
            "enhancing capacities of the University of Banja Luka",
            "enhancing capacities of the University",
        ),
        ("a Twinning-like network with two advanced partners", "advanced partners"),
        ("a new centre of excellence in photonics", "centre of excellence"),
        ("partners from three Widening countries", "Widening countries"),
    ],
)
def test_a_profile_that_sets_out_to_build_research_capacity_is_served_by_widening(
    text: str, words: str
) -> None:
    found = served(text)
    assert served_by(text) == WIDENING
    assert {(purpose.name, said) for purpose, said in found.values()} == {
        ("building research capacity", words)
    }


@pytest.mark.parametrize(
    "text",
    [
        "We improve the performance of batteries for electric vehicles",
        "Boost the innovation capacity of SMEs in the Marseille region",
        "Advanced sensing and cognitive capabilities for robots",
        "Enhance preparedness and response capabilities of first responders",
        "Improve the ecological status of coastal waters",
        "Open data platforms for smart cities",
    ],
)
def test_capacity_words_of_other_kinds_serve_no_purpose(text: str) -> None:
    assert served(text) == {}


WIDENING_CALLS = [
    TWINNING,
    Call(
        id="WIDERA-TEAMING",
        title="Teaming for Excellence",
        description="A new centre of excellence with a leading partner institution.",
    ),
    CITY_TWINS,
    FISHERIES,
]


def test_the_widening_calls_follow_the_best_match_for_a_university_building_its_capacity() -> None:
    profile = Profile(
        name="Small-scale fisheries science in Tartu",
        description="We will strengthen the research capacity of the University of Tartu in "
        "small-scale fisheries and their catch data.",
    )
    matches = Matcher(WIDENING_CALLS).rank(profile, limit=None, min_score=0)
    assert [m.call.id for m in matches] == [
        "CL6-FISHERIES",
        "WIDERA-TWINNING",
        "WIDERA-TEAMING",
        "CL5-CITY-TWINS",
    ]
    (reason,) = [r for r in matches[2].reasons if r.factor == "purpose"]
    assert reason.evidence == (
        "Teaming for Excellence is an instrument for building research capacity: the profile "
        "says 'strengthen the research capacity'"
    )
    assert reason.points > 0
    assert round(sum(r.points for r in matches[2].reasons), 2) == matches[2].score
    assert all(r.factor != "purpose" for m in (matches[0], matches[3]) for r in m.reasons)


def test_an_instrument_named_counts_as_named_not_as_a_purpose() -> None:
    profile = Profile(
        name="Twinning on fisheries",
        description="A Twinning project to strengthen the research capacity of our institute.",
    )
    matches = Matcher(WIDENING_CALLS).rank(profile, limit=None, min_score=0)
    twinning = next(m for m in matches if m.call.id == "WIDERA-TWINNING")
    teaming = next(m for m in matches if m.call.id == "WIDERA-TEAMING")
    assert [r.factor for r in twinning.reasons if r.factor in ("instrument", "purpose")] == [
        "instrument"
    ]
    assert [r.factor for r in teaming.reasons if r.factor in ("instrument", "purpose")] == [
        "purpose"
    ]


def test_purpose_weight_zero_turns_its_raise_off() -> None:
    profile = Profile(name="Fisheries", description="Building excellence in fisheries science.")
    plain = Matcher(WIDENING_CALLS, weights=Weights(purpose=0)).rank(
        profile, limit=None, min_score=0
    )
    assert all(r.factor != "purpose" for m in plain for r in m.reasons)
    raised = Matcher(WIDENING_CALLS).rank(profile, limit=None, min_score=0)
    assert any(r.factor == "purpose" for m in raised for r in m.reasons)


def test_a_purpose_is_found_anywhere_in_a_long_abstract() -> None:
    # Looked for around its anchor words only: a statement after many other anchors
    # ("performance", "potential") is found as a search of the whole text would find it.
    filler = "The performance and potential of new catalysts are measured. " * 40
    for text in (
        filler + "We will strengthen the research capacity of the University of Tartu.",
        "İzmir. " + filler + "Networking for excellence with two advanced partners.",
    ):
        (purpose,) = PURPOSES
        expected = purpose.said.search(text)
        assert expected is not None
        assert {words for _, words in served(text).values()} == {expected.group(0)}
    assert served(filler) == {}
