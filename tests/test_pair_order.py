"""A profile in another language reads its word pairs in the order the calls hold them."""

from __future__ import annotations

import fundmatch as fm

URBAN_MOBILITY = fm.Call(
    id="urban-mobility",
    title="Urban mobility and air quality",
    description="Sustainable urban mobility in cities, with open data on air quality.",
)
QUANTUM = fm.Call(
    id="quantum",
    title="Quantum hardware",
    description="Quantum computing hardware, urban test beds and mobility of researchers.",
)
FRENCH = fm.Profile(
    name="Mobilité urbaine durable",
    description="Nous voulons mesurer la qualité de l'air et la mobilité urbaine durable.",
    keywords=("mobilité urbaine",),
)


def test_a_french_pair_meets_the_calls_pair_written_the_other_way_round() -> None:
    match = fm.Matcher([URBAN_MOBILITY, QUANTUM]).explain("urban-mobility", FRENCH)
    (lexical,) = [r for r in match.reasons if r.factor == "lexical"]
    assert "'Urban mobility' (the profile: 'mobilité urbaine')" in lexical.evidence


def test_the_pair_counts_only_in_the_calls_order() -> None:
    # The quantum call holds "urban" and "mobility" apart, never as a pair: it gains nothing.
    ranked = fm.Matcher([URBAN_MOBILITY, QUANTUM]).rank(FRENCH, min_score=0)
    assert [m.call.id for m in ranked] == ["urban-mobility", "quantum"]
    assert ranked[0].score > 3 * ranked[1].score


def test_an_english_profile_keeps_its_own_order() -> None:
    english = fm.Profile(name="Mobility urban", description="We study mobility urban.")
    match = fm.Matcher([URBAN_MOBILITY, QUANTUM]).explain("urban-mobility", english)
    (lexical,) = [r for r in match.reasons if r.factor == "lexical"]
    assert "Urban mobility" not in lexical.evidence
