"""The consortium a call asks for: country codes as the EU writes them, organisation types,
what a profile still lacks, and how a partner search says it in words."""

from __future__ import annotations

from collections.abc import Sequence

from fundmatch import geo
from fundmatch.errors import MatchError
from fundmatch.match.gates import partnership_gap
from fundmatch.models import Call, Profile

__all__ = ["ORG_TYPES", "eu_country", "shortfall"]

ORG_TYPES = {
    "public": "PUB",
    "public-authority": "PUB",
    "company": "PRC",
    "private": "PRC",
    "sme": "PRC",
    "large-enterprise": "PRC",
    "research": "REC",
    "research-organisation": "REC",
    "university": "HES",
    "higher-education": "HES",
    "other": "OTH",
    "ngo": "OTH",
    "cluster": "OTH",
}
"""Words for organisation types (and the profile's types) → CORDIS activity types; the CORDIS
codes themselves (``PUB``, ``PRC``, ``REC``, ``HES``, ``OTH``) are accepted as they are."""


def eu_country(code: str) -> str:
    """A country code as the EU writes it (``GR`` → ``EL``, ``GB`` → ``UK``).

    Raises :class:`~fundmatch.errors.MatchError` for a code that is no country.
    """
    upper = code.strip().upper()
    if upper == "XK":  # Kosovo: in CORDIS, not in ISO 3166-1
        return upper
    try:
        iso = geo.normalise_country(upper)
    except ValueError:
        raise MatchError(
            f"unknown country code {code!r}: give a two-letter code as the EU writes it "
            "(EL for Greece, UK for the United Kingdom; GR and GB are accepted)"
        ) from None
    return {"GR": "EL", "GB": "UK"}.get(iso, iso)


def _org_type(word: str) -> str:
    upper = word.strip().upper()
    if upper in ("PUB", "PRC", "REC", "HES", "OTH"):
        return upper
    found = ORG_TYPES.get(word.strip().lower())
    if found is None:
        known = ", ".join(sorted({*ORG_TYPES, "PUB", "PRC", "REC", "HES", "OTH"}))
        raise MatchError(f"unknown organisation type {word!r}: one of {known}")
    return found


def shortfall(call: Call, profile: Profile) -> tuple[int, int]:
    """(partners, countries) the call's partnership rule still needs beyond what the profile
    states, as the partnership gate reads them (:func:`fundmatch.match.partnership_gap`); 0
    where the rule is met or unknown. ``partners`` counts the minimum number of partners
    alone, not the one partner at least each missing country needs."""
    gap = partnership_gap(call, profile)
    if gap is None:
        return 0, 0
    partners = 0
    if gap.min_partners is not None and gap.have_partners is not None:
        partners = max(0, gap.min_partners - gap.have_partners)
    return partners, gap.countries


def _plain(phrases: list[str]) -> tuple[str, ...]:
    """Phrases as people write them: a word written in mixed capitals to spell an acronym
    ("eNERGy", "solUtions") in lower case."""
    return tuple(
        " ".join(w if w.islower() or w.isupper() or w.istitle() else w.lower() for w in p.split())
        for p in phrases
    )


def _needs(partners: int, countries: int, new_countries: list[str]) -> str:
    parts = []
    if partners:
        parts.append(f"{partners} more partner{'s' if partners > 1 else ''}")
    if countries:
        parts.append(f"{countries} more countr{'ies' if countries > 1 else 'y'}")
    text = "needs " + " and ".join(parts)
    shown = list(dict.fromkeys(new_countries))[: max(countries, 3)]
    if countries and shown:
        text += ": candidates in " + ", ".join(shown)
    return text


def _nothing(profile: Profile) -> str:
    return (
        f"no funded project shares a word with the profile {profile.name!r}: give it a "
        "description or keywords that say what the project does"
    )


def _none_left(countries: list[str], types: list[str], regions: Sequence[str] | None) -> str:
    filters = [
        f"countries {', '.join(countries)}" if countries else "",
        f"types {', '.join(types)}" if types else "",
        f"regions {', '.join(regions)}" if regions else "",
    ]
    if not any(filters):
        return (
            "funded projects share words with the profile, but every organisation that ran "
            "them is left out (the profile's own, its named partners, or outside the call's "
            "eligible countries)"
        )
    return (
        "funded projects share words with the profile, but none of their organisations is in "
        + " and ".join(f for f in filters if f)
    )
