"""A call's and a profile's texts read as the index reads them, to find where a word, a pair
of words or a theme's words stand as a phrase a reader can check (for the reasons of
:mod:`~fundmatch.match.explain`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from fundmatch.match.columns import bigram_codes, pair_codes
from fundmatch.match.index import AFTER_THE_NOUN, Index
from fundmatch.match.query import ProfileQuery
from fundmatch.match.themes import without_names
from fundmatch.text import Lexicon, fold, word_spans

__all__ = ["Reading"]


# Function words that join two phrases: a pair of stems read across one is two phrases, not one
# ("inclusion and social" of "digital inclusion and social innovation").
_JOINING = frozenset(
    "and or nor but as well et ou ni mais e ed o od ma y u pero und oder aber και ή αλλά".split()  # noqa: SIM905
)

# Words that say nothing a reader can check a match by: shared, they are no reason. Folded.
_EMPTY = frozenset(
    """want wants wanted wanting need needs needed help helps helped make makes made use uses
    used using new also well able way ways like will would could should may might must based
    within across including include includes etc per via thus however therefore whose
    veut veulent voulons souhaitons souhaite aide aider faire nouveau nouvelle nouveaux
    vogliamo vuole vogliono aiutare fare nuovo nuova nuovi
    queremos quiere quieren ayudar hacer nuevo nueva nuevos
    θελουμε θελει θελουν βοηθουν νεο νεα νεος
    wollen will mochten helfen machen neue neuen neuer""".split()  # noqa: SIM905
)

# Signs that end a phrase: two words with one of these between them are not one phrase.
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»/|…·•]")


_HEAD = 1_200
"""How much of a call's description is read first for the words of a reason, where it is read
(the words of a match mostly stand early in a call; a long description costs most of a page's
reading)."""


@dataclass(slots=True)
class _Text:
    """One text read word by word as the index reads it: where each word stands, and the stem,
    surface and pair (with the next kept word) of each word the index keeps."""

    text: str
    spans: list[tuple[int, int]]
    kept: list[int]
    """The kept words' places among all words."""
    stems: list[int]
    surfaces: list[int]
    pairs: list[int]
    """The stem-pair column of each kept word and the next."""
    back: list[int]
    """In a language that puts adjectives after their noun, the column of each such pair read
    the other way round, as the index may read it (``Index._in_calls_order``); else empty."""

    @classmethod
    def read(cls, index: Index, text: str, lang: str) -> _Text:
        packed = np.array(index.lexicon.packed_ids(text, lang), dtype=np.int64)
        spans = word_spans(text)
        if len(spans) != len(packed):  # never seen; then no word is quoted from this text
            packed = packed[:0]
        kept = np.flatnonzero(packed)
        stems, surfaces = Lexicon.unpack(packed[kept])
        pairs = bigram_codes(stems) if len(stems) > 1 else stems[:0]
        back = pair_codes(stems[1:], stems[:-1]) if lang in AFTER_THE_NOUN else stems[:0]
        # Held as lists: a reason looks up a few words in a short text, where a numpy call
        # costs more than a Python loop.
        return cls(
            text,
            spans,
            kept.tolist(),
            stems.tolist(),
            surfaces.tolist(),
            pairs.tolist(),
            back.tolist(),
        )


class Reading:
    """Some texts (a call's, a profile's) read as the index reads them, each when first
    needed, in order: where a stem, a stem pair or a theme's words stand as a phrase a reader
    can check."""

    def __init__(self, index: Index, texts: Sequence[str], lang: str) -> None:
        self._index = index
        self._texts = [t for t in texts if t]
        self._lang = lang
        self._read: list[_Text] = []
        self._found: dict[int, tuple[str, tuple[int, ...]] | None] = {}
        self.labels: dict[tuple[str, str], str] = {}
        """A theme's label in a language → how these texts say it, quoted (once read)."""

    @classmethod
    def of_profile(cls, index: Index, query: ProfileQuery) -> Reading:
        """The profile's own texts: its description, then its keywords and its name (the
        fullest first: a name may be a description cut short), these read as one
        (:func:`_apart`)."""
        profile = query.profile
        texts = (profile.description, _apart((*profile.keywords, profile.name)))
        return cls(index, texts, query.lang)

    @classmethod
    def of_call(cls, index: Index, row: int, description: bool = True) -> Reading:
        """The call's title, keywords and tags, read as one (:func:`_apart`), then
        (``description``) its description, its proper names blanked as the index reads it: its
        first :data:`_HEAD` characters, then the rest."""
        call = index.calls[row]
        texts = [_apart((call.title, *call.keywords, *call.tags))]
        if description:
            text = without_names(call.description)
            cut = text.rfind(" ", 0, _HEAD) if len(text) > _HEAD else -1
            texts += [text[:cut], text[cut:]] if cut > 0 else [text]
        return cls(index, texts, index.langs[row])

    def _each(self) -> Iterator[_Text]:
        for n, text in enumerate(self._texts):
            if n == len(self._read):
                self._read.append(_Text.read(self._index, text, self._lang))
            yield self._read[n]

    def find(self, columns: Sequence[int], base: int) -> dict[int, tuple[str, tuple[int, ...]]]:
        """Where each stem column (≥ ``base``) or stem-pair column first stands as a phrase a
        reader can check: the words as written, and the stems they stand for. A word standing
        alone is preferred to the same word inside a hyphenated one ("open", not "open-data").
        The texts are read in order, only until every column is found."""
        found = {c: self._found[c] for c in columns if c in self._found}
        missing = [c for c in columns if c not in self._found]
        compounds: dict[int, tuple[str, tuple[int, ...]]] = {}
        stems = frozenset(c - base for c in missing if c >= base)
        pairs = frozenset(c for c in missing if c < base)
        for read in self._each() if missing else ():
            for n in _places(read.stems, stems):
                stem = read.stems[n]
                if stem + base not in found:
                    k = read.kept[n]
                    phrase = _word(read, k)
                    if phrase is None:
                        continue
                    if _compound(read, k) == read.spans[k]:
                        found[stem + base] = (phrase, (stem,))
                    else:
                        compounds.setdefault(stem + base, (phrase, (stem,)))
            for codes in (read.pairs, read.back):
                for n in _places(codes, pairs):
                    column = codes[n]
                    # A pair with a word no call holds is in no column, whatever its code.
                    if column not in found and max(read.stems[n : n + 2]) < self._index.known:
                        phrase = _run(read, [read.kept[n], read.kept[n + 1]])
                        if phrase is not None:
                            found[column] = (phrase, (read.stems[n], read.stems[n + 1]))
            if all(c in found for c in missing):
                break
        for column, said in compounds.items():
            found.setdefault(column, said)
        for column in missing:
            self._found[column] = found.get(column)
        return {c: said for c, said in found.items() if said is not None}

    def find_run(self, surfaces: Sequence[int]) -> str | None:
        """Where consecutive kept words of these surface ids stand, as written."""
        size, wanted = len(surfaces), list(surfaces)
        for read in self._each():
            forms = read.surfaces
            for i in _places(forms, {wanted[0]}):
                if forms[i : i + size] == wanted:
                    places = read.kept[i : i + size]
                    phrase = _word(read, places[0]) if size == 1 else _run(read, places)
                    if phrase is not None:
                        return phrase
        return None


def _apart(texts: Sequence[str]) -> str:
    """Short texts (a title, keywords, tags) as one text to read, each apart from the next by a
    sign that ends a phrase (:data:`_BREAK`): no phrase is quoted across two of them, as when
    each is read alone, and a few words cost one reading instead of one each."""
    return " | ".join(t for t in texts if t)


def _places(values: list[int], wanted: Set[int]) -> list[int]:
    """Where any of the ``wanted`` values stands in ``values``, in order."""
    return [n for n, value in enumerate(values) if value in wanted] if wanted else []


def _word(read: _Text, k: int) -> str | None:
    """Word ``k`` with the rest of its hyphenated compound, if any ("e-government"); None when
    it says nothing by itself."""
    start, end = _compound(read, k)
    phrase = read.text[start:end]
    if phrase.count("-") > 2 or len(phrase) > 30:
        return None  # a name or an address written with hyphens, not a word
    return phrase if _speaks(phrase) else None


def _compound(read: _Text, k: int) -> tuple[int, int]:
    """Where word ``k`` stands, with the rest of its hyphenated compound."""
    text = read.text
    start, end = read.spans[k]
    while start > 1 and text[start - 1] == "-" and text[start - 2].isalnum():
        start -= 2
        while start > 0 and text[start - 1].isalnum():
            start -= 1
    while end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum():
        end += 2
        while end < len(text) and text[end].isalnum():
            end += 1
    return start, end


def _run(read: _Text, places: list[int]) -> str | None:
    """Kept words ``places`` as one phrase, when they stand as one: nothing but short function
    words between them (at most two, none joining two phrases), no sign that ends a phrase, and
    each word saying something by itself."""
    text, spans = read.text, read.spans
    for k, j in pairwise(places):
        between = [text[a:b] for a, b in spans[k + 1 : j]]
        if len(between) > 2 or _BREAK.search(text[spans[k][1] : spans[j][0]]):
            return None
        if any(fold(w) in _JOINING for w in between):
            return None
    if any(_word(read, k) is None for k in places):
        return None
    start, end = _compound(read, places[0])[0], _compound(read, places[-1])[1]
    phrase = text[start:end]
    return None if "'" in phrase or "’" in phrase else phrase


def _speaks(phrase: str) -> bool:
    """A word a reader can check a match by: three letters or more (or an acronym: "AI"), not a
    word that says nothing by itself."""
    if len(phrase) < 2:
        return False
    letters = 0
    for c in phrase:
        letters += c.isalpha()
        if letters == 3:
            break
    if letters < 3 and not (letters == 2 and phrase.isupper()):
        return False
    return fold(phrase) not in _EMPTY
