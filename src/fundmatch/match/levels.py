"""A profile's relevance to every call of an index, step by step, as a ranking computes it
(:meth:`fundmatch.match.Matcher.rank`) and its reasons read it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fundmatch.match.query import ProfileQuery
from fundmatch.match.reading import Reading

__all__ = ["Levels"]


@dataclass(frozen=True, slots=True)
class Levels:
    """A profile's relevance to every call, step by step."""

    lexical: npt.NDArray[np.float32]
    """By the words alone: the cosine with the whole call plus ``title_match`` × its title's."""
    meant: npt.NDArray[np.float32]
    """With closeness of meaning (the same as ``lexical`` without a :class:`Meaning`)."""
    raised: npt.NDArray[np.float32]
    """With the best-fitting open-topic calls raised."""
    ranked: npt.NDArray[np.float32]
    """As ranked: with the calls of the instruments the profile names (or states the purpose
    of) raised too."""
    closeness: npt.NDArray[np.float32] | None
    """Per call, its closeness of meaning to the profile (None: no meaning)."""
    named: dict[int, tuple[int, str, str]]
    """The calls of an instrument the profile names, or of one for a purpose it states: the
    instrument (its place in :data:`~fundmatch.match.instruments.INSTRUMENTS`), the profile's
    words for it, and the purpose ("" when the profile names the instrument)."""
    query: ProfileQuery
    """The profile as the ranking read it."""
    words: dict[int, float]
    """The profile's weight of each of its index columns (TF-IDF, unit length)."""
    reading: Reading
    """The profile's own texts, read when a reason first quotes them."""
