"""The index: every call as a TF-IDF vector over stems, stem pairs and theme tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from scipy import sparse

from fundmatch.match.columns import (
    _BIGRAMS,
    _CHUNK,
    _GROUP,
    _bigram_code,
    _bigram_codes,
    _by_column,
    _merge,
)
from fundmatch.match.instruments import INSTRUMENTS, titled
from fundmatch.match.opentopic import instrument, open_topic
from fundmatch.match.score import _KeywordTargets
from fundmatch.match.themes import _Themes, without_names
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Profile
from fundmatch.text import _STEM_MASK, Lexicon, guess_language, words

__all__ = ["Index"]


_Part = tuple[sparse.csc_matrix, npt.NDArray[np.int64]]
"""One block's weights of the query's columns, and which of the query's columns they are."""


@dataclass(slots=True)
class _Terms:
    """One text (call or profile) as weighted index columns, plus the themes found in it."""

    columns: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]
    themes: dict[int, str]
    names: dict[int, str] = field(default_factory=dict)
    read: list[tuple[str, npt.NDArray[np.int64], list[int], npt.NDArray[np.int64]]] = field(
        default_factory=list
    )
    """Each part's text, its kept words' stems, their places and their pairs' columns: what
    :meth:`Index._named` reads to fill ``names`` when they are first needed."""


@dataclass(slots=True)
class _Query:
    """A profile against the index."""

    cos: npt.NDArray[np.float32]
    """Cosine of the profile with each call (title, keywords and description)."""
    title: npt.NDArray[np.float32]
    """Cosine of the profile with each call's title, keywords and tags alone."""
    parts: list[_Part]
    """Per group, its calls' weights of the query's columns (whole calls, then titles) and
    which of the query's columns they are (for the evidence)."""
    q: npt.NDArray[np.float32]
    """The query's weights, by column."""
    terms: _Terms
    """The profile's terms (their names are filled on first use, see :meth:`Index._named`)."""
    columns: npt.NDArray[np.int64]
    """The query's columns (global column numbers), in the order of ``q``."""


def _call_text(call: Call) -> tuple[str, str, str]:
    """Title; keywords, tags and the names of what the call's programme funds (its priorities,
    specific objectives and missions, labels like tags); the description, then what the
    programme's pages say those cover."""
    labels = (*call.keywords, *call.tags, *(p.name for p in call.priorities))
    described = [p.description for p in call.priorities if p.description]
    return call.title, " ; ".join(labels), "\n".join((call.description, *described))


class Index:
    """The calls as TF-IDF vectors, built once; :class:`~fundmatch.match.Matcher` ranks them."""

    def __init__(self, calls: Iterable[Call], *, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        by_id = {call.id: call for call in calls}
        self.calls: list[Call] = [by_id[k] for k in sorted(by_id)]
        self._lexicon = Lexicon()
        self._theme_table = _Themes(self._lexicon)
        self._stem_base = _BIGRAMS + len(self._theme_table.themes)
        self._themes: list[dict[int, str]] = []
        self._langs: list[str] = []
        self._open: dict[int, str] = {}  # call → the words saying it is open to any field
        self._instruments: dict[int, str] = {}  # open-topic call → its instrument
        self._titled: list[list[int]] = [[] for _ in INSTRUMENTS]  # instrument → calls naming it
        self._pairs: dict[int, tuple[int, int]] = {}  # stem-pair column → its stems (queries)
        self._keyword_targets: dict[int, _KeywordTargets] = {}
        self._seen = np.zeros(0, dtype=bool)  # scratch space of _block
        self._local = np.zeros(0, dtype=np.int32)
        # Calls are read in blocks of _CHUNK, each held by column over only its own columns
        # (``used``: their global numbers, sorted), merged into groups of _GROUP calls as soon
        # as a group is complete, so that the raw blocks never all live at once. A group holds
        # the whole calls' rows, then their titles' rows, over its own columns: a query is one
        # product per group.
        per_group = _GROUP // _CHUNK
        groups: list[tuple[sparse.csc_matrix, npt.NDArray[np.int32]]] = []
        pending: list[tuple[sparse.csr_matrix, npt.NDArray[np.int32]]] = []
        pending_titles: list[sparse.csr_matrix] = []
        df = np.zeros(0, dtype=np.int64)  # per column, how many calls hold it
        for start in range(0, len(self.calls), _CHUNK):
            block, used, title = self._block(self.calls[start : start + _CHUNK])
            if len(used) and used[-1] >= len(df):
                df = np.concatenate([df, np.zeros(int(used[-1]) + 1 - len(df), np.int64)])
            df[used] += np.diff(block.indptr)  # the calls holding each column
            pending.append((block, used))
            pending_titles.append(title)
            if len(pending) == per_group or start + _CHUNK >= len(self.calls):
                groups.append(_merge(pending, pending_titles))
                pending, pending_titles = [], []
        self._seen, self._local = self._seen[:0], self._local[:0]  # free the scratch space
        self._columns = self._stem_base + len(self._lexicon)
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
        self._open_rows = np.fromiter(sorted(self._open), dtype=np.int64, count=len(self._open))

    def __len__(self) -> int:
        return len(self.calls)

    def _block(
        self, calls: list[Call]
    ) -> tuple[sparse.csr_matrix, npt.NDArray[np.int32], sparse.csr_matrix]:
        """Raw weighted term counts of some calls: one Python pass over words, then numpy.

        Also the counts of their titles, keywords and tags alone (what the call is about). Both
        are held by column (see :func:`~fundmatch.match.columns._by_column`), over the block's
        own columns, ``used``.
        """
        w = self.weights
        word_ids: list[int] = []
        lengths: list[int] = []
        langs: list[str] = []
        for call in calls:
            title, keywords, description = _call_text(call)
            description = without_names(description)
            lang = guess_language(title + "\n" + description[:1500])
            langs.append(lang)
            self._langs.append(lang)
            row = len(self._langs) - 1
            said = open_topic(title, description)
            if said is not None:
                self._open[row] = said
                self._instruments[row] = instrument(title)
            for k in titled(title):
                self._titled[k].append(row)
            for text in (title, keywords, description):
                found = self._lexicon.packed_ids(text, lang)
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
            codes = _bigram_codes(ids)[same]
            surface_codes = _bigram_codes(surfaces)[same]
            code_docs, code_weights = docs[1:][same], weights[1:][same]
            code_heading = (segment[1:] % 3 != 2)[same]
        else:
            codes = code_docs = surface_codes = ids[:0]
            code_weights = weights[:0]
            code_heading = np.zeros(0, dtype=bool)
        heading = segment % 3 != 2
        themes_found = self._theme_table.find_many(surfaces, docs, surface_codes, code_docs, langs)
        del surfaces, surface_codes
        self._themes.extend(themes_found)
        theme_docs = np.array([d for d, f in enumerate(themes_found) for _ in f], dtype=np.int64)
        theme_cols = np.array([_BIGRAMS + t for f in themes_found for t in f], dtype=np.int64)
        columns = np.concatenate([ids + self._stem_base, codes, theme_cols])
        del ids, codes
        # The block's own columns, numbered 0..k-1 in global order: a dense lookup (linear)
        # rather than np.unique (a sort of every entry).
        size = self._stem_base + len(self._lexicon)
        if len(self._seen) < size:
            self._seen = np.zeros(size + 65_536, dtype=bool)
            self._local = np.zeros(size + 65_536, dtype=np.int32)
        self._seen[columns] = True
        used = np.flatnonzero(self._seen).astype(np.int32)  # fewer than 2**31 columns
        self._seen[used] = False
        self._local[used] = np.arange(len(used), dtype=np.int32)
        local = self._local[columns].astype(np.int32)
        del columns
        block = _by_column(
            np.concatenate([weights, code_weights, np.ones(len(theme_cols), np.float32)]),
            np.concatenate([docs, code_docs, theme_docs]).astype(np.int32),
            local,
            (n, len(used)),
        )
        n_words = len(weights)
        in_title = np.concatenate([heading, code_heading])
        title = _by_column(
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

    def _terms(self, parts: Iterable[tuple[str, float]], lang: str, names: bool = False) -> _Terms:
        """Weighted columns of a text given as (part, weight) pairs, all in ``lang``.

        A word inside a theme phrase found in the text ("îlots de chaleur") counts for
        :attr:`Weights.phrase_word` of itself alone: the phrase, its word pairs and its theme
        carry the meaning, so "chaleur" alone does not pull in every call about heat.
        """
        read = []
        for text, weight in parts:
            packed = np.array(self._lexicon.packed_ids(text, lang), dtype=np.int64)
            kept = np.flatnonzero(packed > 0)
            if len(kept):
                ids, surfaces = Lexicon.unpack(packed[kept])
                read.append((text, ids, surfaces, weight, kept))
        if not read:
            return _Terms(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {})
        found = self._theme_table.find(
            np.concatenate([r[2] for r in read]),
            np.concatenate([_bigram_codes(r[2]) for r in read]),
            lang,
        )
        in_phrase: set[int] = set()
        for label in found.values():
            label_surfaces = self._lexicon.both(label, lang)[1]
            if len(label_surfaces) > 1:
                in_phrase.update(label_surfaces.tolist())
        phrase_surfaces = np.array(sorted(in_phrase), dtype=np.int64)
        cols, vals = [], []
        labels: dict[int, str] = {}
        named: list[tuple[str, npt.NDArray[np.int64], list[int], npt.NDArray[np.int64]]] = []
        for text, ids, surfaces, weight, kept in read:
            codes = _bigram_codes(ids) if self.weights.bigrams else ids[:0]
            word_weight = np.full(len(ids), weight, dtype=np.float32)
            if len(phrase_surfaces):
                word_weight[np.isin(surfaces, phrase_surfaces)] *= self.weights.phrase_word
            cols.append(ids + self._stem_base)
            vals.append(word_weight)
            cols.append(codes)
            vals.append(np.full(len(codes), weight, dtype=np.float32))
            if names:
                named.append((text, ids, kept.tolist(), codes))
        theme_ids = sorted(found)
        cols.append(np.array([_BIGRAMS + t for t in theme_ids], dtype=np.int64))
        vals.append(np.ones(len(theme_ids), dtype=np.float32))
        if names:
            labels.update(
                (_BIGRAMS + t, f"theme:{self._theme_table.themes[t].id}") for t in theme_ids
            )
        keep = [v > 0 for v in vals]
        cols = [c[k] for c, k in zip(cols, keep, strict=True)]
        vals = [v[k] for v, k in zip(vals, keep, strict=True)]
        return _Terms(np.concatenate(cols), np.concatenate(vals), found, labels, named)

    # --- relevance --------------------------------------------------------------------

    def _profile_terms(self, profile: Profile) -> _Terms:
        lang = guess_language(profile.description or profile.name)
        w = self.weights
        parts = (
            (profile.name, w.profile_title),
            (" ; ".join(profile.keywords), w.profile_keywords),
            (profile.description, 1.0),
        )
        return self._terms(parts, lang, names=True)

    def _query(self, terms: _Terms) -> _Query:
        """The profile against every call: cosines with the whole call and with its title."""
        nothing = np.zeros(len(self.calls), dtype=np.float32)
        if not len(terms.columns) or not self.calls:
            return _Query(nothing, nothing, [], nothing[:0], terms, terms.columns[:0])
        columns, inverse = np.unique(terms.columns, return_inverse=True)
        counts = np.bincount(inverse, weights=terms.weights).astype(np.float32)
        known = columns < self._columns
        columns, counts = columns[known], counts[known]
        # Sublinear term frequency; a count under 1 (a word inside a theme phrase counts for
        # Weights.phrase_word of itself) scales the weight linearly, so it stays positive.
        tf = np.where(counts >= 1, 1.0 + np.log(np.maximum(counts, 1.0)), counts)
        q = (tf * self._idf[columns]).astype(np.float32)
        norm = float(np.linalg.norm(q))
        if not len(columns) or norm == 0:
            return _Query(nothing, nothing, [], nothing[:0], terms, terms.columns[:0])
        q /= norm
        scores, title_scores, parts = [], [], []
        for matrix, used in self._groups:
            rows = matrix.shape[0] // 2
            if not len(used):  # a group of calls without a single indexed word
                scores.append(np.zeros(rows, dtype=np.float32))
                title_scores.append(scores[-1])
                parts.append((sparse.csc_matrix((2 * rows, 0), dtype=np.float32), columns[:0]))
                continue
            at = np.minimum(np.searchsorted(used, columns), len(used) - 1)
            present = np.flatnonzero(used[at] == columns)  # query columns this group holds
            sub = matrix[:, at[present]]
            both = np.asarray(sub @ q[present], dtype=np.float32).ravel()
            scores.append(both[:rows])
            title_scores.append(both[rows:])
            parts.append((sub, present))  # rows read for the evidence of the best calls
        return _Query(
            np.concatenate(scores), np.concatenate(title_scores), parts, q, terms, columns
        )

    # --- ranking ----------------------------------------------------------------------

    def _call_words(self, column: int) -> str:
        """A stem or stem-pair column in words as the index first read them (in the calls)."""
        shown = self._lexicon.written
        if column >= self._stem_base:
            return shown[column - self._stem_base]
        pair = self._pairs.get(column)
        return "" if pair is None else f"{shown[pair[0]]} {shown[pair[1]]}"

    def _named(self, terms: _Terms) -> dict[int, str]:
        """The profile's columns → its words as they stand (read once, when first needed)."""
        if terms.read:
            for text, ids, kept, codes in terms.read:
                self._name_columns(text, ids, kept, codes, terms.names)
            terms.read = []
        return terms.names

    def _name_columns(
        self,
        text: str,
        ids: npt.NDArray[np.int64],
        kept: list[int],
        codes: npt.NDArray[np.int64],
        labels: dict[int, str],
    ) -> None:
        """Each stem and stem-pair column of ``text`` → its words as they stand there.

        ``ids`` are the stems of the words kept, ``kept`` their places among the words of
        ``text``, ``codes`` the columns of their pairs.
        """
        written = words(text)
        stems = ids.tolist()
        base = self._stem_base
        for k, i in zip(kept, stems, strict=True):
            labels.setdefault(i + base, written[k])
        for k, c in enumerate(codes.tolist()):
            if c not in labels:  # as written: see _phrases
                labels[c] = " ".join(written[kept[k] : kept[k + 1] + 1])
                self._pairs[c] = (stems[k], stems[k + 1])

    def _phrases(
        self,
        index: int,
        columns: list[int],
        names: dict[int, str],
        profile_texts: Iterable[str] = (),
        profile_lang: str | None = None,
        limit: int = 5,
    ) -> list[str]:
        """The words of call ``index`` behind some index columns, whole words.

        Looked for in the call's title, keywords and tags as they stand there ("Open data",
        "start-ups"); words found only in the description are shown as the index first read
        them (``names``), so that a page of results costs no reading of long texts. A stem
        pair becomes the words it was read from (with any short word between them: "portail
        de données"); a word already shown inside a phrase is not repeated. Theme columns are
        explained by the theme reason instead.
        """
        call = self.calls[index]
        lang = self._langs[index]
        wanted = [c for c in columns if not _BIGRAMS <= c < self._stem_base]
        found: dict[int, tuple[str, set[str]]] = {}
        base = self._stem_base
        for text in _call_text(call)[:2]:
            if not text:
                continue
            written = words(text)
            kept = [
                (k, p & _STEM_MASK)
                for k, p in enumerate(self._lexicon.packed_ids(text, lang))
                if p & _STEM_MASK
            ]
            first: dict[int, tuple[int, int]] = {}  # column → (first word, last word)
            for k, i in kept:
                first.setdefault(i + base, (k, k))
            for (k, a), (j, b) in pairwise(kept):
                first.setdefault(_bigram_code(a, b), (k, j))
            for c in wanted:
                if c not in found and c in first:
                    start, end = first[c]
                    run = written[start : end + 1]
                    phrase = run[0] if start == end else _as_written(run, text) or " ".join(run)
                    found[c] = (phrase, {w.lower() for w in run})
        if profile_lang is not None and profile_lang != lang:
            # Another language: the call's own words for what matched (as the index first
            # read them in the calls), not the profile's.
            for c in wanted:
                if c not in found:
                    theirs = self._call_words(c)
                    if theirs:
                        found[c] = (theirs, set(theirs.lower().split()))
        for c in wanted:
            if c not in found and names.get(c):
                run = names[c].split()
                seen = next(filter(None, (_as_written(run, t) for t in profile_texts)), None)
                if seen is None and len(run) > 1:
                    continue  # a pair read across a sentence's end: its words speak alone
                found[c] = (seen or names[c], {w.lower() for w in run})
        ordered: list[tuple[int, str]] = []
        shown: set[str] = set()
        for c in sorted(found, key=lambda c: (c >= self._stem_base, columns.index(c))):
            phrase, members = found[c]  # pairs before single words
            if not members <= shown:
                shown |= members
                ordered.append((columns.index(c), phrase))
        return [phrase for _, phrase in sorted(ordered)][:limit]


def _as_written(run: list[str], text: str) -> str | None:
    """Consecutive words as they stand in ``text`` ("start-ups", not "start ups"); None when
    they never stand together there (only across a sentence's end, say)."""
    at = text.find(run[0])
    while at >= 0:
        end = at + len(run[0])
        for word in run[1:]:
            gap = text.find(word, end)
            if gap < 0 or gap - end > 12 or any(c in ".;:!?()[]" for c in text[end:gap]):
                break
            end = gap + len(word)
        else:
            return text[at:end]
        at = text.find(run[0], at + 1)
    return None
