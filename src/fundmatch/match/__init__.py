"""Ranking calls against a profile: the index, the eligibility gates, the score and its reasons.

Pure: calls and a profile in, :class:`~fundmatch.models.Matches` out; time comes in as ``now``.
The weights live in one place, :class:`Weights`; ``docs/matching.md`` explains each factor.

One module per noun: :mod:`~fundmatch.match.query` (a profile read once per ranking:
:class:`ProfileQuery`), :mod:`~fundmatch.match.index` (the TF-IDF index),
:mod:`~fundmatch.match.themes` (the theme vocabulary and names that are not topics),
:mod:`~fundmatch.match.opentopic` (calls open to any field), :mod:`~fundmatch.match.meaning`
(closeness of meaning by an optional sentence model), :mod:`~fundmatch.match.score` (the
factors), :mod:`~fundmatch.match.gates` (eligibility), :mod:`~fundmatch.match.priorities` (what a
call's programme funds, matched and quoted), :mod:`~fundmatch.match.rank` (the
ranking and :meth:`Matcher.explain`), :mod:`~fundmatch.match.explain` (reasons in words for
people), :mod:`~fundmatch.match.weights` (the numbers).
"""

from fundmatch.match.explain import reason_text as reason_text
from fundmatch.match.gates import checks as checks
from fundmatch.match.gates import gates as gates
from fundmatch.match.gates import partnership_gap as partnership_gap
from fundmatch.match.meaning import Meaning as Meaning
from fundmatch.match.query import ProfileQuery as ProfileQuery
from fundmatch.match.rank import Matcher as Matcher
from fundmatch.match.rank import rank as rank
from fundmatch.match.themes import Theme as Theme
from fundmatch.match.themes import themes as themes
from fundmatch.match.weights import Weights as Weights

MIN_SCORE = Weights().min_score
"""The default minimum score of :func:`rank` (``Weights.min_score``; see docs/matching.md)."""

__all__ = [
    "MIN_SCORE",
    "Matcher",
    "Meaning",
    "ProfileQuery",
    "Theme",
    "Weights",
    "checks",
    "gates",
    "partnership_gap",
    "rank",
    "reason_text",
    "themes",
]
