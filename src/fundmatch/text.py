"""Text for matching: HTML residue removed, Unicode cleaned, accents folded, tokens stemmed per
language, a cheap language guess, and the cross-language table that maps words to English stems.

Pure functions over strings; the packaged word table (``data/crosslang.tsv``) is read once.
"""

from __future__ import annotations

import gzip
import html
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import snowballstemmer

__all__ = [
    "LANGUAGES",
    "Lexicon",
    "analyse",
    "fold",
    "guess_language",
    "pivot",
    "plain",
    "search_near",
    "stem",
    "surface",
    "tokens",
    "word_spans",
    "words",
]

LANGUAGES = ("en", "fr", "it", "es", "el", "pt", "hr", "sl", "de")
"""Languages with a stemmer and stop words. Croatian and Slovenian use Snowball's Serbian
stemmer (closest available South Slavic rules)."""

_SNOWBALL = {
    "en": "english",
    "fr": "french",
    "it": "italian",
    "es": "spanish",
    "el": "greek",
    "pt": "portuguese",
    "hr": "serbian",
    "sl": "serbian",
    "de": "german",
}

# Short function-word lists: enough to guess the language and to keep glue words out of
# the index. Content words are never listed here (IDF weighs those).
_STOP = {
    "en": """a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each few
        for from further had has have having he her here hers herself him himself his how i if in
        into is it its itself just me more most my myself no nor not now of off on once only or
        other our ours ourselves out over own same she should so some such than that the their
        theirs them themselves then there these they this those through to too under until up
        very was we were what when where which while who whom why will with would you your yours
        yourself yourselves shall may might must upon within without via per well e g eg ie etc""",
    "fr": """a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur
        leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se
        ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t est sont ete etre
        avoir ont plus comme afin entre aussi tout tous toutes ainsi dont sans chez vers
        voulons pouvons cette leurs aupres toute autre autres""",
    "it": """a ad al alla alle ai agli all allo anche che chi ci come con da dal dalla dalle dai
        degli dei del della delle dello di e ed gli ha hanno i il in la le lo ma mi nei nel nella
        nelle nello noi non o per piu quale quali questo questa questi queste se si sia sono su
        sul sulla sulle tra fra un una uno vi sua suo suoi loro cui essere stato nostra nostro
        nostri nostre vogliamo perche ogni anche molto dove quando nostra tutto tutti tutte
        tutta altro altra altri altre quello quella quelli quelle senza""",
    "es": """a al algo ante antes como con contra cual cuando de del desde donde el ella
        ellos en entre era es esa ese eso esta este esto estos estas fue ha han hasta la las le
        les lo los mas me mi muy nos o para pero por que se sea ser si sin sobre su sus tambien
        tras un una uno unos unas y ya nuestra nuestro nuestros nuestras queremos mediante
        porque cada hacia otro otra otros otras quien quienes todo todos toda todas""",
    "pt": """a ao aos as com como da das de do dos e ela ele eles em entre era essa esse esta este
        foi ha isso mais mas na nas no nos o os ou para pela pelas pelo pelos por que se sem ser
        seu seus sua suas tambem um uma umas uns nossa nosso nossos nossas queremos""",
    "el": """και το τα του της των τον την η ο οι σε στο στη στην στα στους στις με για απο από
        που ως ειναι είναι να θα δεν μη ενα ένα μια μία ενος ενός μιας αυτο αυτό αυτη αυτή
        αυτα αυτά οπως όπως κατα κατά προς ή τις τη τους στον στων ώστε αλλά πώς ότι όταν
        όπου ενώ μας σας μου όλα όλες όλοι όλη όλο""",
    "hr": """i u na je se da za od do s sa iz o a ali ili kao što sto koji koja koje su biti bio
        bila nije ne te to ovaj ova ovo taj pri po prema kroz""",
    "sl": """in v na je se da za od do s z iz o a ali kot ki so biti bil bila ni ne to ta pri po
        preko tudi""",
    "de": """der die das und in zu den von mit sich des auf für ist im dem nicht ein eine als auch
        es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen
        so zum war haben nur oder aber vor zur bis mehr durch""",
}

_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACE = re.compile(r"\s+")
_MARKS = re.compile(r"[\u0300-\u036f]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_LETTER = re.compile(r"[^\W\d_]")
# Punctuation and symbols → spaces, then str.split. ASCII punctuation goes through
# bytes.translate on the UTF-8 text (ASCII bytes never occur inside a multi-byte character),
# about a third faster than str.translate; the few non-ASCII signs go through a regex.
_PUNCTUATION = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~–—‐‑’‘‚“”„«»‹›…·•°§¶†€£$¥©®™×÷±≤≥→←↑↓"
    "\u00a0\u2009\u202f\u200b\ufeff"
)
_ASCII_PUNCTUATION = "".join(c for c in _PUNCTUATION if c.isascii()).encode()
_SPLIT_ASCII = bytes.maketrans(_ASCII_PUNCTUATION, b" " * len(_ASCII_PUNCTUATION))
_SPLIT_OTHER = re.compile(
    "[" + re.escape("".join(c for c in _PUNCTUATION if not c.isascii())) + "]"
)


def plain(text: str) -> str:
    """Text without leftover HTML tags or entities, with whitespace collapsed."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def search_near(
    pattern: re.Pattern[str],
    text: str,
    anchors: Iterable[str],
    before: int,
    after: int,
    *,
    within: str | None = None,
) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``text`` found around an anchor: tried only from
    ``before`` characters before each place of an anchor to ``after`` characters after it, so
    that a rare statement is looked for in a long text with a few substring searches.

    The anchors are looked for in ``within`` (``text`` itself by default; a text of the same
    length, such as its lower case). Anchors are tried in order, each from the start.

    >>> search_near(re.compile(r"any field"), "Open to any field.", ["any "], 10, 20)
    <re.Match object; span=(8, 17), match='any field'>
    """
    haystack = text if within is None else within
    for anchor in anchors:
        at = haystack.find(anchor)
        while at != -1:
            found = pattern.search(text, max(0, at - before), at + after)
            if found:
                return found
            at = haystack.find(anchor, at + 1)
    return None


def fold(text: str) -> str:
    """Lower case without accents: ``Données`` → ``donnees``, ``πόλη`` → ``πολη``."""
    if text.isascii():  # no accent to take off (most words)
        return text.lower()
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))
    return text.replace("ς", "σ")


def words(text: str) -> list[str]:
    """The words of ``text`` as written (case and accents kept), split like :func:`tokens`."""
    if not text.isascii():
        text = _SPLIT_OTHER.sub(" ", text)
    raw = text.encode("utf-8", "surrogatepass").translate(_SPLIT_ASCII)
    return raw.decode("utf-8", "surrogatepass").split()


_WORD = re.compile("[^\\s" + re.escape(_PUNCTUATION) + "]+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of :func:`words` stands in ``text`` (start, end), in order."""
    return [found.span() for found in _WORD.finditer(text)]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (accents kept, for the stemmers); hyphens and punctuation split."""
    text = text.lower()
    if not text.isascii():
        text = _SPLIT_OTHER.sub(" ", text)
    raw = text.encode("utf-8", "surrogatepass").translate(_SPLIT_ASCII)
    return raw.decode("utf-8", "surrogatepass").split()


@cache
def _stopwords(lang: str) -> frozenset[str]:
    """Function words of ``lang``, in folded and (for the guess) written forms."""
    words = _STOP.get(lang, "").split()
    return frozenset(words) | frozenset(fold(w) for w in words)


@cache
def _all_stopwords() -> frozenset[str]:
    words: set[str] = set()
    for lang in _STOP:
        words |= _stopwords(lang)
    return frozenset(words)


def guess_language(text: str) -> str:
    """The most likely of :data:`LANGUAGES` for ``text``, from function words; ``en`` by default.

    Greek script is decided by the script alone. Cheap: reads the first 1,500 characters and
    counts the distinct function words of each language in them.
    """
    head = text[:1500]
    if head.count(" the ") + head.count(" and ") >= 4:  # the common case, decided cheaply
        return "en"
    greek = len(_GREEK.findall(head))
    if greek and greek > 0.3 * len(_LETTER.findall(head)):
        return "el"
    words = set(tokens(head))
    best, best_hits = "en", len(words & _stopwords("en"))
    for lang in LANGUAGES:
        if lang in ("en", "el"):
            continue
        hits = len(words & _stopwords(lang))
        if hits > best_hits:
            best, best_hits = lang, hits
    return best


# Words whose Snowball stem merges them with an unrelated word: "twinning" (of cities or
# institutions) is not a "twin" (a digital twin). Folded word → stem, per language.
_KEEP_APART = {
    "en": {"twinning": "twinning", "twinnings": "twinning", "twinned": "twinning"},
}


class _Stemmer:
    """Token → folded stem for one language, cached (the vocabulary of a corpus is small)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._snowball = snowballstemmer.stemmer(_SNOWBALL.get(lang, "english"))
        self._stop = _stopwords(lang) | _stopwords("en")
        self._cache: dict[str, str] = dict(_KEEP_APART.get(lang, {}))

    def __call__(self, token: str) -> str:
        stem = self._cache.get(token)
        if stem is None:
            folded = fold(token)
            if len(folded) < 2 or folded.isdigit() or folded in self._stop:
                stem = ""
            else:
                stem = fold(self._snowball.stemWord(token))
            if len(self._cache) < 500_000:
                self._cache[token] = stem
        return stem


@cache
def _stemmer(lang: str) -> _Stemmer:
    return _Stemmer(lang if lang in _SNOWBALL else "en")


def stem(word: str, lang: str = "en") -> str:
    """The folded stem of one word in ``lang`` (``""`` for a stop word or a number)."""
    return _stemmer(lang)(word.lower())


def analyse(text: str, lang: str | None = None) -> list[str]:
    """Stems of ``text`` in reading order, stop words and numbers dropped.

    ``lang`` None: guessed with :func:`guess_language`.
    """
    stemmer = _stemmer(lang or guess_language(text))
    out = []
    for token in tokens(text):
        s = stemmer(token)
        if s:
            out.append(s)
    return out


# --- cross-language pivot -------------------------------------------------------------


@cache
def _pivot_table() -> dict[str, dict[str, tuple[str, ...]]]:
    """lang → {folded stem → English stems}, from EuroVoc labels (see ``data/README.md``)."""
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    path = resources.files("fundmatch").joinpath("data", "crosslang.tsv.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            lang, source, targets = line.rstrip("\n").split("\t")
            table.setdefault(lang, {})[source] = tuple(targets.split(" "))
    return table


def pivot(stems: Iterable[str], lang: str) -> list[str]:
    """English stems for the stems of a text in ``lang`` (English text is returned as is).

    A stem the table knows becomes its English stem(s); an unknown stem is kept, so names,
    acronyms and cognates (``mobil``, ``digital``) still match across languages.
    """
    if lang == "en":
        return list(stems)
    table = _pivot_table().get(lang, {})
    out: list[str] = []
    for s in stems:
        out.extend(table.get(s, (s,)))
    return out


def _pivot_one(stem_: str, lang: str) -> str:
    if lang == "en":
        return stem_
    targets = _pivot_table().get(lang, {}).get(stem_)
    return targets[0] if targets else stem_


_SURFACE_BITS = 32
_STEM_MASK = (1 << _SURFACE_BITS) - 1


def surface(word: str) -> str:
    """A word as written, folded, singular by a light rule: ``Cities`` → ``city``.

    What themes are looked for in: whole words, so "twinning" is not "twin", "cycles" is not
    "cycling" and "πολίτες" (citizens) is not "πολιτισμός" (culture), which stems can merge.
    """
    word = fold(word)
    if len(word) > 4 and word.isascii():
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


class Lexicon:
    """Text → arrays of stem ids in one English-pivot space, shared by an index and its queries.

    Each word is stemmed in the text's language, folded and mapped to its English stem (see
    :func:`pivot`; the best target only) once; later occurrences are one dictionary lookup.
    Id 0 is reserved for dropped words (stop words, numbers). Beside its stem, each word has a
    *surface* id (:func:`surface`, the same 0 for dropped words), for whole-word phrases.
    """

    def __init__(self) -> None:
        self.stems: list[str] = [""]
        self.written: list[str] = [""]
        """The first word read for each stem (the first English one, when there is one), as
        written in lower case: how the stem is shown."""
        self._written_en: list[bool] = [True]
        self._ids: dict[str, int] = {"": 0}
        self.surfaces: list[str] = [""]
        self._surface_ids: dict[str, int] = {"": 0}
        self._words: dict[str, dict[str, int]] = {}

    def __len__(self) -> int:
        return len(self.stems)

    def ids(self, text: str, lang: str) -> npt.NDArray[np.int64]:
        """Stem ids of ``text`` (written in ``lang``) in reading order, dropped words removed."""
        return self.both(text, lang)[0]

    def both(self, text: str, lang: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(stem ids, surface ids) of ``text``'s kept words, in reading order."""
        packed = self.packed_ids(text, lang)
        arr = np.fromiter(packed, dtype=np.int64, count=len(packed))
        arr = arr[arr > 0]
        return arr & _STEM_MASK, arr >> _SURFACE_BITS

    @staticmethod
    def unpack(
        packed: npt.NDArray[np.int64],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Packed ids (see :meth:`packed_ids`) → (stem ids, surface ids)."""
        return packed & _STEM_MASK, packed >> _SURFACE_BITS

    def packed_ids(self, text: str, lang: str) -> list[int]:
        """Every word of ``text`` as ``surface id << 32 | stem id``; 0 for a dropped word."""
        words = self._words.get(lang)
        if words is None:
            words = self._words[lang] = {}
        found = tokens(text)
        try:
            return list(map(words.__getitem__, found))  # the common case: every word known
        except KeyError:
            for word in sorted(set(found).difference(words)):  # sorted: ids never hash-dependent
                self._learn(word, lang, words)
            return list(map(words.__getitem__, found))

    def _learn(self, word: str, lang: str, words: dict[str, int]) -> None:
        s = stem(word, lang)
        if not s:
            words[word] = 0
            return
        s = _pivot_one(s, lang)
        i = self._ids.get(s)
        if i is None:
            i = self._ids[s] = len(self.stems)
            self.stems.append(s)
            self.written.append(word)
            self._written_en.append(lang == "en")
        elif lang == "en" and not self._written_en[i]:  # an English word shows a pivot stem
            self.written[i] = word
            self._written_en[i] = True
        form = surface(word)
        j = self._surface_ids.get(form)
        if j is None:
            j = self._surface_ids[form] = len(self.surfaces)
            self.surfaces.append(form)
        words[word] = j << _SURFACE_BITS | i
