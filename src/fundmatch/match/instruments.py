"""Instruments: the funding schemes a profile can name, such as Twinning or ERA Chairs.

A project that writes "Twinning" or "ERA Chair" in its profile says which kind of grant it
wants, not only what it is about; the calls of that instrument are named in their titles
("Twinning Bottom-Up", "ERA Chairs", "MSCA Doctoral Networks 2026"). Their texts describe the
instrument, so their words rarely meet the project's. The ranking raises a call whose title
names an instrument the profile names (:attr:`~fundmatch.match.Weights.instrument`), with the
words of both as its reason.

Only names that mean the instrument count: "digital twinning" and "town twinning" are not the
Widening programme's Twinning, "co-funded" is not MSCA COFUND. The names are those the calls
use, in English (the programmes do not translate them).

A profile can also say what it sets out to do that only some instruments fund, without naming
one: "strengthen the research capacity of our university", "building excellence in genomics"
is what the Widening instruments are for (:data:`PURPOSES`). Their calls are raised too
(:attr:`~fundmatch.match.Weights.purpose`), with the profile's words as the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fundmatch.text import search_near

__all__ = ["INSTRUMENTS", "PURPOSES", "Instrument", "Purpose", "named", "served", "titled"]


@dataclass(frozen=True, slots=True)
class Instrument:
    """A funding scheme: how a profile names it, and how a call's title does."""

    name: str
    said: re.Pattern[str]
    """Where a profile names the instrument (case ignored)."""
    title: re.Pattern[str]
    """Where a call's title names it (case ignored)."""
    hint: str
    """A word, in lower case, that every text naming it holds (a quick test before a
    search)."""


def _instrument(name: str, hint: str, said: str, title: str | None = None) -> Instrument:
    return Instrument(
        name, re.compile(said, re.IGNORECASE), re.compile(title or said, re.IGNORECASE), hint
    )


_TWINNING = r"(?<!town )(?<!town-)(?<!digital )(?<!massive )\btwinning\b(?![- ]enabled)"

INSTRUMENTS: tuple[Instrument, ...] = (
    # Horizon Europe, Widening participation and spreading excellence
    _instrument("Twinning", "twinning", _TWINNING),
    _instrument("ERA Chairs", "chair", r"\bera[- ]chairs?\b"),
    _instrument("ERA Fellowships", "fellowship", r"\bera[- ]fellowships?\b"),
    _instrument("Teaming for Excellence", "teaming", r"\bteaming for excellence\b", r"^teaming\b"),
    _instrument("Excellence Hubs", "hub", r"\bexcellence hubs?\b"),
    _instrument("Hop On Facility", "facility", r"\bhop[- ]on facility\b"),
    _instrument("Pathways to Synergies", "synerg", r"\bpathways? to synergies\b"),
    _instrument(
        "European Excellence Initiative",
        "excellence initiative",
        r"\beuropean excellence initiative\b",
    ),
    # Marie Skłodowska-Curie Actions
    _instrument("MSCA Doctoral Networks", "doctoral", r"\bdoctoral networks?\b"),
    _instrument("MSCA Postdoctoral Fellowships", "postdoctoral", r"\bpostdoctoral fellowships?\b"),
    _instrument("MSCA Staff Exchanges", "exchange", r"\bstaff exchanges?\b"),
    _instrument("MSCA COFUND", "cofund", r"\bmsca[- ]cofund\b", r"\bcofund\b"),
    # European Research Council
    _instrument("ERC Starting Grants", "erc ", r"\berc starting grants?\b"),
    _instrument("ERC Consolidator Grants", "erc ", r"\berc consolidator grants?\b"),
    _instrument("ERC Advanced Grants", "erc ", r"\berc advanced grants?\b"),
    _instrument("ERC Synergy Grants", "erc ", r"\berc synergy grants?\b"),
    _instrument("ERC Proof of Concept", "erc ", r"\berc proof[- ]of[- ]concept\b"),
    # European Innovation Council
    _instrument("EIC Pathfinder", "pathfinder", r"\beic pathfinder\b"),
    _instrument("EIC Transition", "transition", r"\beic transition\b"),
    _instrument("EIC Accelerator", "accelerator", r"\beic accelerator\b"),
    # LIFE
    _instrument("LIFE Strategic Nature Projects", "strategic", r"\bstrategic nature projects?\b"),
    _instrument(
        "LIFE Strategic Integrated Projects", "strategic", r"\bstrategic integrated projects?\b"
    ),
    # Citizens, Equality, Rights and Values
    _instrument("Town Twinning", "twinning", r"\btown[- ]twinning\b"),
    _instrument("Networks of Towns", "towns", r"\bnetworks? of towns\b"),
)
"""The instruments known, each named by a profile and by its calls' titles."""


@dataclass(frozen=True, slots=True)
class Purpose:
    """What a project sets out to do that only some instruments fund."""

    name: str
    """What it is, in a few words ("building research capacity")."""
    said: re.Pattern[str]
    """Where a profile says it (case ignored)."""
    anchors: tuple[str, ...]
    """Words, in lower case, that every statement of it holds: it is looked for only around
    them (:data:`_BEFORE` characters before, :data:`_AFTER` after), a few substring searches
    instead of trying the pattern at every place of a long abstract."""
    instruments: tuple[int, ...]
    """The instruments for it (their places in :data:`INSTRUMENTS`)."""


def _places(*names: str) -> tuple[int, ...]:
    return tuple(k for k, instrument in enumerate(INSTRUMENTS) if instrument.name in names)


_BUILD = (
    r"\b(?:enhanc|strengthen|boost|build|rais|improv|elevat|increas|reinforc|capacitat|consolidat"
    r"|upgrad|foster)\w*\s+(?:[\w'’-]+\s+){0,6}?"  # a verb of building, then up to six words
)

_BEFORE, _AFTER = 160, 100

PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        "building research capacity",
        re.compile(
            # "enhance the research capacity of", "boost R&I excellence", "raise the scientific
            # profile and visibility"
            rf"{_BUILD}(?:research|scientific|r&i|r&d|academic)\s+"
            r"(?:and (?:innovation|technological|management) )?"
            r"(?:capacit|capabilit|excellence|profile|performance|potential|competitiveness"
            r"|reputation|standing)\w*"
            # "building excellence in", "strengthen the excellence of"
            rf"|{_BUILD}excellence\b"
            # "enhance the capacities of the University of", "elevate the standing of the institute"
            rf"|{_BUILD}(?:capacit|capabilit|status|standing|profile|visibility|reputation|position)"
            r"\w* of (?:the |its |our )?(?:[\w'’-]+ ){0,3}?(?:universit|institut|facult|laborator"
            r"|department|academy|college|research cent|research organi[sz]ation)\w*"
            r"|\bresearch excellence\b"
            # the Widening programme's own words
            r"|\bnetwork(?:ing)? (?:for|of) excellence\b|\badvanced partners?\b|\btwins with\b"
            r"|\bwidening (?:countr|partner|institution|region)\w*"
            r"|\bcent(?:re|er)s? of excellence\b",
            re.IGNORECASE,
        ),
        (
            "capacit",
            "capabilit",
            "excellen",
            "profile",
            "performance",
            "potential",
            "competitiveness",
            "reputation",
            "standing",
            "status",
            "visibility",
            "position",
            "partner",
            "twins with",
            "widening",
        ),
        _places(
            "Twinning",
            "ERA Chairs",
            "Teaming for Excellence",
            "Excellence Hubs",
            "European Excellence Initiative",
            "Pathways to Synergies",
        ),
    ),
)
"""The purposes known, each with the instruments for it. Building research capacity (an
institution's research excellence, standing, staff) is what Horizon Europe's Widening
instruments fund; the words were read off the dev profiles of Widening projects and checked
against the others (``docs/matching.md``)."""


def named(text: str) -> dict[int, str]:
    """The instruments ``text`` names (by their place in :data:`INSTRUMENTS`), each with its
    words as written.

    >>> named("A Twinning project on digital twinning of ports")
    {0: 'Twinning'}
    >>> named("Ports as digital twinning labs, co-funded by the region")
    {}
    """
    return _found(text, title=False)


def served(text: str) -> dict[int, tuple[Purpose, str]]:
    """The instruments for a purpose ``text`` says it has (by their places in
    :data:`INSTRUMENTS`), each with the purpose and its words as written.

    >>> found = served("We will strengthen the research capacity of the University of Tartu.")
    >>> [INSTRUMENTS[k].name for k in found][:3]
    ['Twinning', 'ERA Chairs', 'Teaming for Excellence']
    >>> {words for _, words in found.values()}
    {'strengthen the research capacity'}
    >>> served("We improve the performance of batteries and boost innovation capacity of SMEs.")
    {}
    """
    found: dict[int, tuple[Purpose, str]] = {}
    lowered = text.lower()
    for purpose in PURPOSES:
        match = _said(purpose, text, lowered)
        if match:
            words = " ".join(match.group(0).split())
            for k in purpose.instruments:
                found.setdefault(k, (purpose, words))
    return found


def _said(purpose: Purpose, text: str, lowered: str) -> re.Match[str] | None:
    """Where ``text`` states ``purpose``, searched around its anchors."""
    if len(lowered) != len(text):  # a letter whose lower case is longer: places would move
        return purpose.said.search(text)
    return search_near(purpose.said, text, purpose.anchors, _BEFORE, _AFTER, within=lowered)


def titled(title: str) -> list[int]:
    """The instruments a call's title names (their places in :data:`INSTRUMENTS`).

    >>> [INSTRUMENTS[k].name for k in titled("Twinning Bottom-Up")]
    ['Twinning']
    >>> [INSTRUMENTS[k].name for k in titled("Call Town Twinning 2026")]
    ['Town Twinning']
    """
    return list(_found(title, title=True))


def _found(text: str, *, title: bool) -> dict[int, str]:
    """Each instrument ``text`` names, as a profile (``said``) or as a call's title does, with
    the words that name it."""
    lowered = text.lower()
    found = {}
    for k, instrument in enumerate(INSTRUMENTS):
        if instrument.hint not in lowered:  # most texts name none: a substring test, no search
            continue
        match = (instrument.title if title else instrument.said).search(text)
        if match:
            found[k] = match.group(0)
    return found
