"""The multilingual theme vocabulary (``data/themes.toml``) and how it is found in a text."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from fundmatch.match.columns import BIGRAMS, bigram_codes, group_by
from fundmatch.text import Lexicon

__all__ = ["Theme", "ThemeTable", "themes", "without_names"]

_NAMES = (
    (
        ("mart Cit", "mart cit"),
        re.compile(
            r"\b(?:EU )?(?:Mission (?:on )?)?climate[- ]neutral,? (?:and )?smart cities"
            r"(?: Mission)?\b",
            re.IGNORECASE,
        ),
    ),
)
"""Proper names of EU initiatives whose words say nothing of a call's topic: every call of the
Cities Mission names the "EU Mission on Climate-Neutral and Smart Cities", hydrogen and
logistics calls alike. Each with the words (as they may be written) that a text must hold to
be searched at all."""


def without_names(text: str) -> str:
    """``text`` with the proper names of :data:`_NAMES` blanked out (not read as topic words).

    >>> without_names("Synergies with the Climate-Neutral and Smart Cities Mission on hydrogen.")
    'Synergies with the   on hydrogen.'
    """
    for literals, pattern in _NAMES:
        if any(literal in text for literal in literals):
            text = pattern.sub(" ", text)
    return text


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme of the vocabulary: its id and its labels per language."""

    id: str
    labels: dict[str, tuple[str, ...]] = field(hash=False)

    @property
    def name(self) -> str:
        """Display name: the first English label, capitalised."""
        first = self.labels["en"][0]
        return first[:1].upper() + first[1:]


@cache
def themes() -> tuple[Theme, ...]:
    """The packaged theme vocabulary (``fundmatch/data/themes.toml``)."""
    text = resources.files("fundmatch").joinpath("data", "themes.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return tuple(
        Theme(t["id"], {lang: tuple(labels) for lang, labels in t["labels"].items()})
        for t in data["theme"]
    )


@dataclass(frozen=True, slots=True)
class _Pattern:
    theme: int
    label: str
    lang: str
    first: int
    codes: frozenset[int]


class ThemeTable:
    """The theme vocabulary compiled into the lexicon's id space: unigram or bigram patterns."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.themes = themes()
        by_first: dict[int, list[_Pattern]] = {}
        for t, theme in enumerate(self.themes):
            for lang, labels in theme.labels.items():
                for label in labels:
                    ids = lexicon.both(label, lang)[1]
                    if len(ids):
                        codes = frozenset(bigram_codes(ids).tolist())
                        pattern = _Pattern(t, label, lang, int(ids[0]), codes)
                        by_first.setdefault(pattern.first, []).append(pattern)
        self.by_first = by_first
        self._code_mask = np.zeros(BIGRAMS, dtype=bool)
        for patterns in by_first.values():
            for p in patterns:
                self._code_mask[list(p.codes)] = True
        self._lexicon = lexicon
        self._mask = np.zeros(0, dtype=bool)
        self._by_lang: dict[str, dict[int, list[_Pattern]]] = {}
        self._surfaces: dict[tuple[str, str], tuple[int, ...]] = {}

    def surfaces(self, label: str, lang: str) -> tuple[int, ...]:
        """The surface ids of a label's kept words read in ``lang``
        (:meth:`Lexicon.both <fundmatch.text.Lexicon.both>`), read once per label and language:
        a query and the reasons look for the words of the themes they found."""
        found = self._surfaces.get((label, lang))
        if found is None:
            found = self._surfaces[label, lang] = tuple(self._lexicon.both(label, lang)[1].tolist())
        return found

    def _first_mask(self) -> npt.NDArray[np.bool_]:
        if len(self._mask) < len(
            self._lexicon.surfaces
        ):  # the lexicon grew: extend the first-id mask
            self._mask = np.zeros(len(self._lexicon.surfaces) + 1024, dtype=bool)
            self._mask[list(self.by_first)] = True
        return self._mask

    def find(
        self, ids: npt.NDArray[np.int64], codes: npt.NDArray[np.int64], lang: str
    ) -> dict[int, str]:
        """Theme index → the label that matched, for a text's stem ids and bigram codes.

        Labels of the text's language and English labels count (English terms are used in
        every language); another language's label is not looked for.
        """
        hits = ids[self._first_mask()[ids]]
        if not len(hits):
            return {}
        return self._match(set(hits.tolist()), set(codes.tolist()), lang)

    def find_many(
        self,
        ids: npt.NDArray[np.int64],
        docs: npt.NDArray[np.int64],
        codes: npt.NDArray[np.int64],
        code_docs: npt.NDArray[np.int64],
        langs: list[str],
    ) -> list[dict[int, str]]:
        """:meth:`find` for ``n`` texts at once: ``docs`` / ``code_docs`` say whose each id is."""
        found: list[dict[int, str]] = [{} for _ in langs]
        hit = self._first_mask()[ids]
        firsts = group_by(docs[hit], ids[hit])
        if not firsts:
            return found
        wanted = self._code_mask[codes]
        all_codes = group_by(code_docs[wanted], codes[wanted])
        for doc, present in firsts.items():
            found[doc] = self._match(present, all_codes.get(doc, set()), langs[doc])
        return found

    def _for(self, lang: str) -> dict[int, list[_Pattern]]:
        """Patterns by first id, of ``lang`` and English only (built once per language)."""
        table = self._by_lang.get(lang)
        if table is None:
            table = {}
            for first, patterns in self.by_first.items():
                mine = [p for p in patterns if p.lang in (lang, "en")]
                if mine:
                    table[first] = mine
            self._by_lang[lang] = table
        return table

    def _match(self, present: set[int], code_set: set[int], lang: str) -> dict[int, str]:
        found: dict[int, str] = {}
        table = self._for(lang)
        for first in sorted(present.intersection(table)):
            for p in table[first]:
                if p.theme not in found and p.codes <= code_set:
                    found[p.theme] = p.label
        return found
