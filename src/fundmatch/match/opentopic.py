"""Open-topic calls: calls that fund projects in any field, whatever the project is about.

An ERA Fellowship, a Twinning Bottom-Up or an MSCA COFUND programme says what the instrument
is, not what the project is about: "The scientific field can be any domain of research and
innovation". Their words rarely meet a project's, yet they fit any project of an eligible
applicant. :func:`open_topic` finds the sentence that says so; the ranking then counts such a
call as at least a weak match (:attr:`~fundmatch.match.Weights.open_topic`), with that sentence
as its reason.

Only statements about the *topic* count: "open to any legal entity" is about who may apply,
"any area of defence interest" is bounded by its field, "a bottom-up approach" is a method.
"""

from __future__ import annotations

import re

__all__ = ["open_topic"]

_FIELD = r"(?:scientific |research |thematic )?(?:domain|field|area|discipline|topic)s?"
_OF = r"(?: of (?:research|science|technology|research and innovation|science and technology))"

_PATTERN = (
    r"\b(?:"
    # "The scientific field can be any domain of research", "may be in any domains of research"
    rf"(?:can|may) (?:be in |be |cover |address )?any {_FIELD}{_OF}"
    # "can cover any research disciplines"
    rf"|(?:can|may) (?:cover|address|be in) any research {_FIELD}"
    # "no predefined thematic priorities", "no predefined topics"
    r"|no (?:pre-?defined|pre-?determined) (?:thematic )?(?:priorities|topics|themes|fields)"
    # "open to proposals in any field of technology", "open to any thematic area"
    rf"|open to (?:proposals in )?any {_FIELD}{_OF}?(?= ?[,.;:(]| and | or |$)"
    # "All fields of science are considered", "in all fields of research are eligible"
    r"|all (?:fields|domains|areas|disciplines) of (?:science|research)"
    r"(?: and (?:technology|innovation))? are (?:considered|eligible|welcome)"
    r")"
)
_LOWER = re.compile(_PATTERN)
"""The pattern, run on the lowercased text (much faster than ``re.IGNORECASE``)."""
_AS_WRITTEN = re.compile(_PATTERN, re.IGNORECASE)
_ANCHORS = (
    "any ",
    "predefined",
    "predetermined",
    "pre-defined",
    "pre-determined",
    "all fields",
    "all domains",
    "all areas",
    "all disciplines",
)
"""Words every statement has: a text without any of them is not read further."""

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
    low = description.lower()
    if not any(anchor in low for anchor in _ANCHORS):
        return None
    found = _LOWER.search(low)
    if found is None:
        return None
    # Lowercasing may change a text's length (rarely): read the words as written near there.
    written = _AS_WRITTEN.search(description, max(0, found.start() - 8)) or _AS_WRITTEN.search(
        description
    )
    return " ".join(written.group(0).split()) if written else None
