"""A profile as a ranking reads it: built once per ranking, then read by the index, the
score, the gates and the explanation alike (never the profile's fields read again)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from fundmatch.match.meaning import profile_text
from fundmatch.models import Profile
from fundmatch.text import fold, guess_language, pivot, stem, tokens

__all__ = [
    "ProfileQuery",
    "Terms",
    "keyword_forms",
    "norm_phrase",
    "profile_language",
    "profile_texts",
    "stem_as_english",
    "stemmed",
]


@dataclass(slots=True)
class Terms:
    """One text (call or profile) as weighted index columns, plus the themes found in it."""

    columns: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]
    themes: dict[int, str]
    """Theme (its place in the index's theme table) → the words of the text that say it."""
    unheld: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    """The weight of each distinct stem pair with a word the index's calls never hold: in no
    column (it can meet no call), it counts in the text's length as a column no call holds."""


@dataclass(frozen=True, slots=True)
class ProfileQuery:
    """A profile read once for a ranking: its language, its texts, its keywords' forms, its
    excluded terms folded, and its terms in an index's columns.

    Built by :meth:`fundmatch.match.index.Index.query` (the terms are an index's); the same
    query serves every call that ranking scores, gates and explains.
    """

    profile: Profile
    lang: str
    """The profile's language, guessed from its description (or its name)."""
    texts: tuple[str, str, str]
    """Its name, its keywords (joined by " ; ") and its description: what the index reads,
    with the weights of ``Weights.profile_title`` and ``Weights.profile_keywords``."""
    text: str
    """Its name, description and keywords as one text: what the instruments and the sentence
    model read (:func:`fundmatch.match.meaning.profile_text`)."""
    keywords: tuple[tuple[str, tuple[str, ...]], ...]
    """Each keyword as written and its stemmed forms, in the profile's language first
    (:func:`keyword_forms`); those of stop words only left out."""
    exclusions: tuple[tuple[str, str], ...]
    """Each excluded term as written and folded (:func:`norm_phrase`)."""
    terms: Terms
    """The profile's texts as weighted columns of the index that built the query."""

    @classmethod
    def of(cls, profile: Profile, terms: Terms, lang: str | None = None) -> ProfileQuery:
        """The query of ``profile`` whose ``terms`` an index read in ``lang`` (None: guessed)."""
        lang = lang or profile_language(profile)
        return cls(
            profile=profile,
            lang=lang,
            texts=profile_texts(profile),
            text=profile_text(profile),
            keywords=tuple(keyword_forms(profile.keywords, lang)),
            exclusions=tuple((term, norm_phrase(term)) for term in profile.exclude),
            terms=terms,
        )


def profile_language(profile: Profile) -> str:
    """The language a profile is written in, guessed from its description (or its name)."""
    return guess_language(profile.description or profile.name)


def profile_texts(profile: Profile) -> tuple[str, str, str]:
    """A profile's name, keywords (joined by " ; ") and description."""
    return profile.name, " ; ".join(profile.keywords), profile.description


def norm_phrase(text: str) -> str:
    """Folded words separated by single spaces (hyphens and underscores are spaces)."""
    return " ".join(fold(text).replace("-", " ").replace("_", " ").split())


def stem_as_english(word: str, lang: str = "en") -> str:
    """One word's stem in ``lang``, as the English stem it stands for when the cross-language
    table knows it (:func:`fundmatch.text.pivot`, its first English stem, as the index reads
    words); ``""`` for a stop word of ``lang`` or of English."""
    found = stem(word, lang)
    return pivot([found], lang)[0] if found else ""


def stemmed(text: str, lang: str = "en") -> str:
    """Words → stems in ``lang`` (as English stems where known), so "smart-city" and "Smart
    Cities" compare equal (``smart citi``), and so do "ville intelligente" and "villes
    intelligentes" in French."""
    return " ".join(s for s in (stem_as_english(t, lang) for t in tokens(text)) if s)


def keyword_forms(keywords: Sequence[str], lang: str = "en") -> list[tuple[str, tuple[str, ...]]]:
    """Each keyword as written and its stemmed forms: in ``lang`` first, then in English when
    ``lang`` is another (profiles mix in English terms: "climate adaptation" among Greek
    keywords). Keywords of stop words only are left out."""
    out = []
    for keyword in keywords:
        forms = [stemmed(keyword, lang)]
        if lang != "en":
            forms.append(stemmed(keyword))
        kept = tuple(dict.fromkeys(f for f in forms if f))
        if kept:
            out.append((keyword, kept))
    return out
