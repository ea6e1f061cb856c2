"""A Matcher ranks a profile the same whatever profiles it ranked before.

A digest ranks every subscription with one Matcher, and a Python user may rank many profiles
with one: the words of the profiles read before (place names, acronyms, words no call holds)
must not move the next profile's ranking.
"""

from datetime import UTC, datetime

import pytest

import fundmatch as fm
from fundmatch import Matcher, Profile

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)

# Place and product names no call holds, each beside words calls do hold.
PROFILE = Profile(
    name="Heat pumps for Vallørbakken",
    description=(
        "The municipality of Skjervøyfjord renovates the Vallørbakken and Hestnesmyra housing "
        "blocks with heat pumps. The Kvernhusbekken stream feeds a district heating loop run "
        "by Fjordvarme, and the Brattlia school and the Solsiden care home join it. Tenants of "
        "Lillehagen and Storeng learn to read their energy bills with Strømvakt, an app built "
        "by Nordlysdata."
    ),
    keywords=("heat pumps", "district heating", "energy poverty"),
)

OTHERS = [
    Profile(
        name="Safe walking routes to school",
        description="Schools of Orkanger, Meldal, Hølonda, Skaun and Børsa map safe walking "
        "routes with Gåtrygg, a tool by Vegvett; Buvika and Viggja follow.",
    ),
    Profile(
        name="Citizen science on the Ljusnan",
        description="Anglers of Ytterhogdal and Järvsö count grayling with Fiskräknaren.",
    ),
]


@pytest.fixture(scope="module")
def calls() -> list[fm.Call]:
    return fm.load_snapshot()


def ranking(matcher: Matcher, profile: Profile) -> list[tuple[str, float, list[str]]]:
    found = matcher.rank(profile, now=NOW, limit=None, include_closed=True, min_score=0)
    return [(m.call.id, m.score, [r.evidence for r in m.reasons]) for m in found]


def test_a_profile_ranks_the_same_on_a_fresh_matcher_and_after_others(
    calls: list[fm.Call],
) -> None:
    fresh = ranking(Matcher(calls), PROFILE)
    used = Matcher(calls)
    for other in OTHERS:
        used.rank(other, now=NOW)
    assert ranking(used, PROFILE) == fresh
    assert ranking(used, PROFILE) == fresh  # and the same when read again


def test_a_pair_with_a_word_no_call_holds_still_counts_in_the_profiles_length(
    calls: list[fm.Call],
) -> None:
    # The pairs of an unknown name dilute the profile (as any word of it no call holds would
    # in a call-side index): the same profile with a name no call holds matches less closely.
    matcher = Matcher(calls)
    plain = Profile(name="District heating", description="A district heating loop with heat pumps.")
    named = plain.model_copy(
        update={"description": "A district heating loop with heat pumps in Kvernhusbekken."}
    )
    (best, *_) = matcher.rank(plain, now=NOW, include_closed=True, min_score=0)
    (again, *_) = matcher.rank(named, now=NOW, include_closed=True, min_score=0)
    assert again.call.id == best.call.id
    assert again.score < best.score
