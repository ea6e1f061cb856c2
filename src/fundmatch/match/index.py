"""The index: every call as a TF-IDF vector over stems, stem pairs and theme tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from fundmatch.match import columns as layout
from fundmatch.match.columns import BIGRAMS, bigram_codes, by_column, merge, pair_codes
from fundmatch.match.instruments import INSTRUMENTS, titled
from fundmatch.match.opentopic import instrument, open_topic
from fundmatch.match.query import ProfileQuery, Terms, profile_language, profile_texts
from fundmatch.match.themes import ThemeTable, without_names
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Profile
from fundmatch.text import Lexicon, guess_language

__all__ = ["AFTER_THE_NOUN", "Cosines", "Index", "Part", "call_texts"]


Part = tuple[sparse.csc_matrix, npt.NDArray[np.int64]]
"""One group's weights of the query's columns, and which of the query's columns they are."""


@dataclass(slots=True)
class Cosines:
    """A profile query against every call of an index."""

    cos: npt.NDArray[np.float32]
    """Cosine of the profile with each call (title, keywords and description)."""
    title: npt.NDArray[np.float32]
    """Cosine of the profile with each call's title, keywords and tags alone."""
    parts: list[Part]
    """Per group, its calls' weights of the query's columns (whole calls, then titles) and
    which of the query's columns they are (for the evidence)."""
    q: npt.NDArray[np.float32]
    """The query's weights, by column."""
    columns: npt.NDArray[np.int64]
    """The query's columns (global column numbers), in the order of ``q``."""


AFTER_THE_NOUN = frozenset({"fr", "it", "es", "pt"})
"""Languages that put most adjectives and complements after their noun ("mobilité urbaine",
"qualità dell'aria"): their word pairs are read in the order the calls hold them
(``Index._in_calls_order``). Greek and German put adjectives first, as English does."""


def _sublinear(counts: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """1 + log of each count of at least 1; a count under 1 as it is (it stays positive)."""
    return np.where(counts >= 1, 1.0 + np.log(np.maximum(counts, 1.0)), counts)


def _new_pairs(ids: npt.NDArray[np.int64], known: int) -> npt.NDArray[np.bool_]:
    """Which pairs of ``ids`` (each word and the next) hold an id from ``known`` on: a word read
    after the calls, whose id depends on the order texts were read in."""
    return (ids[:-1] >= known) | (ids[1:] >= known)


def call_texts(call: Call) -> tuple[str, str, str]:
    """Title; keywords, tags and the names of what the call's programme funds (its priorities,
    specific objectives and missions, labels like tags); the description, then what the
    programme's pages say those cover."""
    labels = (*call.keywords, *call.tags, *(p.name for p in call.priorities))
    described = [p.description for p in call.priorities if p.description]
    return call.title, " ; ".join(labels), "\n".join((call.description, *described))


class Index:
    """The calls as TF-IDF vectors, built once; :class:`~fundmatch.match.Matcher` ranks them.

    What it learned of each call while reading it is public and read-only for the ranking and
    the explanation: ``langs``, ``themes``, ``open_said``, ``open_instruments``, ``titled``.
    """

    def __init__(self, calls: Iterable[Call], *, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        by_id = {call.id: call for call in calls}
        self.calls: list[Call] = [by_id[k] for k in sorted(by_id)]
        self.lexicon = Lexicon()
        """The words of the calls (and of the profiles queried) as stem and surface ids."""
        self.theme_table = ThemeTable(self.lexicon)
        self.stem_base = BIGRAMS + len(self.theme_table.themes)
        """The first stem column: stem pairs (hashed) and themes come before."""
        self.themes: list[dict[int, str]] = []
        """Per call, its themes → the words that say each."""
        self.langs: list[str] = []
        """Per call, the language it is written in."""
        self.open_said: dict[int, str] = {}
        """Open-topic call → the words saying it is open to any field."""
        self.open_instruments: dict[int, str] = {}
        """Open-topic call → its instrument (one edition of it is raised per profile)."""
        self.titled: list[list[int]] = [[] for _ in INSTRUMENTS]
        """Per instrument of :data:`~fundmatch.match.instruments.INSTRUMENTS`, the calls whose
        title names it."""
        self._seen = np.zeros(0, dtype=bool)  # scratch space of _block
        self._local = np.zeros(0, dtype=np.int32)
        # Calls are read in blocks of CHUNK, each held by column over only its own columns
        # (``used``: their global numbers, sorted), merged into groups of GROUP calls as soon
        # as a group is complete, so that the raw blocks never all live at once. A group holds
        # the whole calls' rows, then their titles' rows, over its own columns: a query is one
        # product per group.
        per_group = layout.GROUP // layout.CHUNK
        groups: list[tuple[sparse.csc_matrix, npt.NDArray[np.int32]]] = []
        pending: list[tuple[sparse.csr_matrix, npt.NDArray[np.int32]]] = []
        pending_titles: list[sparse.csr_matrix] = []
        df = np.zeros(0, dtype=np.int64)  # per column, how many calls hold it
        for start in range(0, len(self.calls), layout.CHUNK):
            block, used, title = self._block(self.calls[start : start + layout.CHUNK])
            if len(used) and used[-1] >= len(df):
                df = np.concatenate([df, np.zeros(int(used[-1]) + 1 - len(df), np.int64)])
            df[used] += np.diff(block.indptr)  # the calls holding each column
            pending.append((block, used))
            pending_titles.append(title)
            if len(pending) == per_group or start + layout.CHUNK >= len(self.calls):
                groups.append(merge(pending, pending_titles))
                pending, pending_titles = [], []
        self._seen, self._local = self._seen[:0], self._local[:0]  # free the scratch space
        self._columns = self.stem_base + len(self.lexicon)
        self.known = len(self.lexicon)
        """The stems the calls and the theme labels hold are the ids below this: a profile's
        other words get ids as they are read, in the order profiles come, so nothing may depend
        on those ids (no pair with one has a column)."""
        self._surfaces = len(self.lexicon.surfaces)
        df = np.concatenate([df, np.zeros(self._columns - len(df), np.int64)])
        n = len(self.calls)
        self._idf = (np.log((n + 1) / (df + 1)) + 1).astype(np.float32)
        for matrix, used in groups:
            # TF-IDF with sublinear term frequency, each row (a call, a title) of unit length.
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1.0
            matrix.data *= np.repeat(self._idf[used], np.diff(matrix.indptr))
            norms = np.sqrt(
                np.bincount(matrix.indices, weights=matrix.data**2, minlength=matrix.shape[0])
            )
            matrix.data /= np.maximum(norms, 1e-12)[matrix.indices].astype(np.float32)
        self._groups = groups
        self.open_rows = np.fromiter(
            sorted(self.open_said), dtype=np.int64, count=len(self.open_said)
        )

    def __len__(self) -> int:
        return len(self.calls)

    def _block(
        self, calls: list[Call]
    ) -> tuple[sparse.csr_matrix, npt.NDArray[np.int32], sparse.csr_matrix]:
        """Raw weighted term counts of some calls: one Python pass over words, then numpy.

        Also the counts of their titles, keywords and tags alone (what the call is about). Both
        are held by column (see :func:`~fundmatch.match.columns.by_column`), over the block's
        own columns, ``used``.
        """
        w = self.weights
        word_ids: list[int] = []
        lengths: list[int] = []
        langs: list[str] = []
        for call in calls:
            title, keywords, description = call_texts(call)
            description = without_names(description)
            lang = guess_language(title + "\n" + description[:1500])
            langs.append(lang)
            self.langs.append(lang)
            row = len(self.langs) - 1
            said = open_topic(title, description)
            if said is not None:
                self.open_said[row] = said
                self.open_instruments[row] = instrument(title)
            for k in titled(title):
                self.titled[k].append(row)
            for text in (title, keywords, description):
                found = self.lexicon.packed_ids(text, lang)
                word_ids.extend(found)
                lengths.append(len(found))
        n = len(calls)
        packed = np.fromiter(word_ids, dtype=np.int64, count=len(word_ids))
        segment = np.repeat(np.arange(3 * n, dtype=np.int64), lengths)  # (call, part) of a word
        keep = packed > 0
        packed, segment = packed[keep], segment[keep]
        ids, surfaces = Lexicon.unpack(packed)
        del packed
        docs = segment // 3
        part_weight = np.array([w.title, w.keywords, 1.0], dtype=np.float32)
        weights = part_weight[segment % 3]
        if w.bigrams and len(ids) > 1:
            same = segment[1:] == segment[:-1]  # pairs never cross a part or a call
            codes = bigram_codes(ids)[same]
            surface_codes = bigram_codes(surfaces)[same]
            code_docs, code_weights = docs[1:][same], weights[1:][same]
            code_heading = (segment[1:] % 3 != 2)[same]
        else:
            codes = code_docs = surface_codes = ids[:0]
            code_weights = weights[:0]
            code_heading = np.zeros(0, dtype=bool)
        heading = segment % 3 != 2
        themes_found = self.theme_table.find_many(surfaces, docs, surface_codes, code_docs, langs)
        del surfaces, surface_codes
        self.themes.extend(themes_found)
        theme_docs = np.array([d for d, f in enumerate(themes_found) for _ in f], dtype=np.int64)
        theme_cols = np.array([BIGRAMS + t for f in themes_found for t in f], dtype=np.int64)
        columns = np.concatenate([ids + self.stem_base, codes, theme_cols])
        del ids, codes
        # The block's own columns, numbered 0..k-1 in global order: a dense lookup (linear)
        # rather than np.unique (a sort of every entry).
        size = self.stem_base + len(self.lexicon)
        if len(self._seen) < size:
            self._seen = np.zeros(size + 65_536, dtype=bool)
            self._local = np.zeros(size + 65_536, dtype=np.int32)
        self._seen[columns] = True
        used = np.flatnonzero(self._seen).astype(np.int32)  # fewer than 2**31 columns
        self._seen[used] = False
        self._local[used] = np.arange(len(used), dtype=np.int32)
        local = self._local[columns].astype(np.int32)
        del columns
        block = by_column(
            np.concatenate([weights, code_weights, np.ones(len(theme_cols), np.float32)]),
            np.concatenate([docs, code_docs, theme_docs]).astype(np.int32),
            local,
            (n, len(used)),
        )
        n_words = len(weights)
        in_title = np.concatenate([heading, code_heading])
        title = by_column(
            np.ones(int(in_title.sum()), np.float32),
            np.concatenate([docs[heading], code_docs[code_heading]]).astype(np.int32),
            np.concatenate(
                [
                    local[:n_words][heading],
                    local[n_words : n_words + len(code_heading)][code_heading],
                ]
            ),
            (n, len(used)),
        )
        return block, used, title

    def terms(self, parts: Iterable[tuple[str, float]], lang: str) -> Terms:
        """Weighted columns of a text given as (part, weight) pairs, all in ``lang``.

        A word inside a theme phrase found in the text ("îlots de chaleur") counts for
        :attr:`Weights.phrase_word` of itself alone: the phrase, its word pairs and its theme
        carry the meaning, so "chaleur" alone does not pull in every call about heat.

        A pair with a word no call holds is in no column (its hashed column would depend on
        the texts read before and could meet a call's pair): it is in ``Terms.unheld``.
        """
        read = []
        for text, weight in parts:
            packed = np.array(self.lexicon.packed_ids(text, lang), dtype=np.int64)
            kept = np.flatnonzero(packed > 0)
            if len(kept):
                ids, surfaces = Lexicon.unpack(packed[kept])
                read.append((text, ids, surfaces, weight, kept))
        if not read:
            return Terms(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {})
        found = self.theme_table.find(
            np.concatenate([r[2] for r in read]),
            np.concatenate([self._known_codes(r[2], self._surfaces) for r in read]),
            lang,
        )
        in_phrase: set[int] = set()
        for label in found.values():
            label_surfaces = self.theme_table.surfaces(label, lang)
            if len(label_surfaces) > 1:
                in_phrase.update(label_surfaces)
        phrase_surfaces = np.array(sorted(in_phrase), dtype=np.int64)
        cols, vals = [], []
        unheld: dict[tuple[int, int], float] = {}  # pairs with a word no call holds, by ids
        for _, ids, surfaces, weight, _ in read:
            firsts, seconds = (ids[:-1], ids[1:]) if self.weights.bigrams else (ids[:0], ids[:0])
            if len(firsts) and ids.max() >= self.known:
                new = _new_pairs(ids, self.known)
                for pair in zip(firsts[new].tolist(), seconds[new].tolist(), strict=True):
                    unheld[pair] = unheld.get(pair, 0.0) + weight
                firsts, seconds = firsts[~new], seconds[~new]
            codes = pair_codes(firsts, seconds)
            if lang in AFTER_THE_NOUN and len(codes):
                codes = self._in_calls_order(codes, pair_codes(seconds, firsts))
            word_weight = np.full(len(ids), weight, dtype=np.float32)
            if len(phrase_surfaces):  # a few surfaces: compared at once (np.isin sorts)
                in_a_phrase = (surfaces[:, None] == phrase_surfaces[None, :]).any(axis=1)
                word_weight[in_a_phrase] *= self.weights.phrase_word
            cols.append(ids + self.stem_base)
            vals.append(word_weight)
            cols.append(codes)
            vals.append(np.full(len(codes), weight, dtype=np.float32))
        theme_ids = sorted(found)
        cols.append(np.array([BIGRAMS + t for t in theme_ids], dtype=np.int64))
        vals.append(np.ones(len(theme_ids), dtype=np.float32))
        keep = [v > 0 for v in vals]
        cols = [c[k] for c, k in zip(cols, keep, strict=True)]
        vals = [v[k] for v, k in zip(vals, keep, strict=True)]
        alone = np.fromiter(unheld.values(), dtype=np.float32, count=len(unheld))
        return Terms(np.concatenate(cols), np.concatenate(vals), found, alone[alone > 0])

    def _in_calls_order(
        self, codes: npt.NDArray[np.int64], reversed_: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Each pair of a text in a language of :data:`AFTER_THE_NOUN` in the order more
        calls hold it: "mobilité urbaine" as "urban mobility", "qualità dell'aria" as "air
        quality"; the order it is written in when no call holds the other."""
        return np.where(self._idf[reversed_] < self._idf[codes], reversed_, codes)

    @staticmethod
    def _known_codes(ids: npt.NDArray[np.int64], known: int) -> npt.NDArray[np.int64]:
        """:func:`~fundmatch.match.columns.bigram_codes` of ``ids``, but of the pairs with an id
        from ``known`` on (a word read after the calls: its id depends on the reading order)."""
        codes = bigram_codes(ids)
        return codes if ids.max() < known else codes[~_new_pairs(ids, known)]

    def query(self, profile: Profile) -> ProfileQuery:
        """``profile`` read once for a ranking against this index (see :class:`ProfileQuery`)."""
        lang = profile_language(profile)
        w = self.weights
        weights = (w.profile_title, w.profile_keywords, 1.0)
        terms = self.terms(zip(profile_texts(profile), weights, strict=True), lang)
        return ProfileQuery.of(profile, terms, lang)

    def cosines(self, query: ProfileQuery) -> Cosines:
        """The profile against every call: cosines with the whole call and with its title."""
        terms = query.terms
        nothing = np.zeros(len(self.calls), dtype=np.float32)
        if not len(terms.columns) or not self.calls:
            return Cosines(nothing, nothing, [], nothing[:0], terms.columns[:0])
        columns, inverse = np.unique(terms.columns, return_inverse=True)
        counts = np.bincount(inverse, weights=terms.weights).astype(np.float32)
        known = columns < self._columns
        columns, counts = columns[known], counts[known]
        # Sublinear term frequency; a count under 1 (a word inside a theme phrase counts for
        # Weights.phrase_word of itself) scales the weight linearly, so it stays positive.
        q = (_sublinear(counts) * self._idf[columns]).astype(np.float32)
        norm = float(np.linalg.norm(q))
        if len(terms.unheld):  # pairs no call holds, at the idf of a column no call holds
            alone = _sublinear(terms.unheld) * (np.log(len(self) + 1) + 1)
            norm = float(np.hypot(norm, np.linalg.norm(alone.astype(np.float32))))
        if not len(columns) or norm == 0:
            return Cosines(nothing, nothing, [], nothing[:0], terms.columns[:0])
        q /= norm
        scores, title_scores, parts = [], [], []
        for matrix, used in self._groups:
            rows = matrix.shape[0] // 2
            if not len(used):  # a group of calls without a single indexed word
                scores.append(np.zeros(rows, dtype=np.float32))
                title_scores.append(scores[-1])
                parts.append((sparse.csc_matrix((2 * rows, 0), dtype=np.float32), columns[:0]))
                continue
            # Columns are fewer than 2**31 (``used`` is int32): searched in its type, so that
            # ``used`` is not converted to int64 on every query.
            at = np.minimum(np.searchsorted(used, columns.astype(used.dtype)), len(used) - 1)
            present = np.flatnonzero(used[at] == columns)  # query columns this group holds
            sub = matrix[:, at[present]]
            both = np.asarray(sub @ q[present], dtype=np.float32).ravel()
            scores.append(both[:rows])
            title_scores.append(both[rows:])
            parts.append((sub, present))  # rows read for the evidence of the best calls
        return Cosines(np.concatenate(scores), np.concatenate(title_scores), parts, q, columns)
