"""Open-topic calls: calls that fund projects in any field, whatever the project is about.

An ERA Fellowship, a Twinning Bottom-Up or an MSCA COFUND programme says what the instrument
is, not what the project is about: "The scientific field can be any domain of research and
innovation". Their words rarely meet a project's, yet they fit any project of an eligible
applicant. :func:`open_topic` finds the sentence that says so; the ranking then counts such a
call as at least a weak match (:attr:`~fundmatch.match.Weights.open_topic`), with that sentence
as its reason. Editions of one instrument (MSCA COFUND 2024 and 2025) are one
:func:`instrument`: the ranking raises one of them, not both.

Only statements about the *topic* count: "open to any legal entity" is about who may apply,
"any area of defence interest" is bounded by its field, "a bottom-up approach" is a method.
"""

from __future__ import annotations

import re

from fundmatch.text import search_near

__all__ = ["instrument", "open_topic"]

_FIELD = r"(?:scientific |research |thematic )?(?:domain|field|area|discipline|topic)s?"
_OF = r"(?: of (?:research|science|technology|research and innovation|science and technology))"

_STATEMENT = re.compile(
    r"\b(?:"
    # "The scientific field can be any domain of research", "may be in any domains of research"
    rf"(?:can|may) (?:be in |be |cover |address )?any {_FIELD}{_OF}"
    # "can cover any research disciplines"
    rf"|(?:can|may) (?:cover|address|be in) any research {_FIELD}"
    # "no predefined thematic priorities", "no predefined topics"
    r"|no pre-?defined (?:thematic )?(?:priorities|topics|themes|fields)"
    # "open to proposals in any field of technology", "open to any thematic area"
    rf"|open to (?:proposals in )?any {_FIELD}{_OF}?(?= ?[,.;:(]| and | or |$)"
    # "All fields of science are considered", "all fields of research are eligible"
    r"|all fields of (?:science|research)(?: and (?:technology|innovation))?"
    r" are (?:considered|eligible|welcome)"
    r")",
    re.IGNORECASE,
)

_ANCHORS = ("any ", "predefined", "pre-defined", "ll fields of")
"""Words each statement holds, as written: the statement is looked for only around them (from
24 characters before to 100 after), which keeps reading 100,000 calls cheap."""

_TITLE = re.compile(r"\bbottom[- ]up\s*\)?\s*$", re.IGNORECASE)
"""A title that ends with "Bottom-Up" names an open-topic strand ("Twinning Bottom-Up")."""


def open_topic(title: str, description: str) -> str | None:
    """The words of a call that say it is open to any field, as written; None if it does not.

    >>> open_topic("ERA Fellowships", "The scientific field can be any domain of research.")
    'can be any domain of research'
    >>> open_topic("Twinning Bottom-Up", "")
    'Twinning Bottom-Up'
    >>> open_topic("Smart cities", "The call is open to any legal entity.") is None
    True
    """
    if _TITLE.search(title):
        return " ".join(title.split())
    found = search_near(_STATEMENT, description, _ANCHORS, 24, 100)
    return None if found is None else " ".join(found.group(0).split())


_NOT_LETTERS = re.compile(r"[\d\W_]+")


def instrument(title: str) -> str:
    """What a call's title names without its years and numbers: editions of one instrument
    ("MSCA COFUND 2024", "MSCA COFUND 2025") share it. A title of numbers alone is its own.

    >>> instrument("MSCA COFUND 2025") == instrument("MSCA  COFUND 2024")
    True
    >>> instrument("ERA Fellowships") == instrument("ERA Chairs")
    False
    """
    return _NOT_LETTERS.sub(" ", title.casefold()).strip() or title
