"""The index: every call as a TF-IDF vector over stems, stem pairs and theme tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from fundmatch.match.columns import _BIGRAMS, _CHUNK, _bigram_codes
from fundmatch.match.score import _KeywordTargets
from fundmatch.match.themes import _Themes
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Profile
from fundmatch.text import Lexicon, guess_language

__all__ = ["Index"]


_Part = tuple[sparse.csr_matrix, npt.NDArray[np.int64]]
"""One block's weights of the query's columns, and which of the query's columns they are."""


@dataclass(slots=True)
class _Terms:
    """One text (call or profile) as weighted index columns, plus the themes found in it."""

    columns: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]
    themes: dict[int, str]
    names: dict[int, str] = field(default_factory=dict)


def _call_text(call: Call) -> tuple[str, str, str]:
    return call.title, " ; ".join((*call.keywords, *call.tags)), call.description


class Index:
    """Ranks calls for profiles; builds its index once.

    ``Matcher(calls).rank(profile, now=now)`` → the best calls first, each with the reasons
    that add up to its score; blocked calls only when ``include_blocked=True``.
    """

    def __init__(self, calls: Iterable[Call], *, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        by_id = {call.id: call for call in calls}
        self.calls: list[Call] = [by_id[k] for k in sorted(by_id)]
        self._lexicon = Lexicon()
        self._theme_table = _Themes(self._lexicon)
        self._stem_base = _BIGRAMS + len(self._theme_table.themes)
        self._themes: list[dict[int, str]] = []
        self._keyword_targets: dict[int, _KeywordTargets] = {}
        self._seen = np.zeros(0, dtype=bool)  # scratch space of _block
        self._local = np.zeros(0, dtype=np.int32)
        # Each block keeps only its own columns (``used``: their global numbers, sorted), so
        # that a block costs memory for what it holds, not for the whole column space.
        blocks: list[tuple[sparse.csc_matrix, npt.NDArray[np.int32]]] = []
        for start in range(0, len(self.calls), _CHUNK):
            blocks.append(self._block(self.calls[start : start + _CHUNK]))
        self._columns = self._stem_base + len(self._lexicon)
        df = np.zeros(self._columns, dtype=np.int64)
        for block, used in blocks:
            df[used] += np.diff(block.indptr)
        n = len(self.calls)
        self._idf = (np.log((n + 1) / (df + 1)) + 1).astype(np.float32)
        for block, used in blocks:
            # TF-IDF with sublinear term frequency, each call's vector of unit length.
            np.log(block.data, out=block.data)
            block.data += 1.0
            block.data *= np.repeat(self._idf[used], np.diff(block.indptr))
            norms = np.sqrt(
                np.bincount(block.indices, weights=block.data**2, minlength=block.shape[0])
            )
            block.data /= np.maximum(norms, 1e-12)[block.indices].astype(np.float32)
        self._blocks = blocks
        self._seen, self._local = self._seen[:0], self._local[:0]  # free the scratch space

    def __len__(self) -> int:
        return len(self.calls)

    def _block(self, calls: list[Call]) -> tuple[sparse.csc_matrix, npt.NDArray[np.int32]]:
        """Raw weighted term counts of some calls: one Python pass over words, then numpy."""
        w = self.weights
        word_ids: list[int] = []
        lengths: list[int] = []
        langs: list[str] = []
        for call in calls:
            title, keywords, description = _call_text(call)
            lang = guess_language(title + "\n" + description[:1500])
            langs.append(lang)
            for text in (title, keywords, description):
                found = self._lexicon.word_ids(text, lang)
                word_ids.extend(found)
                lengths.append(len(found))
        n = len(calls)
        ids = np.fromiter(word_ids, dtype=np.int64, count=len(word_ids))
        segment = np.repeat(np.arange(3 * n, dtype=np.int64), lengths)  # (call, part) of a word
        keep = ids > 0
        ids, segment = ids[keep], segment[keep]
        docs = segment // 3
        part_weight = np.array([w.title, w.keywords, 1.0], dtype=np.float32)
        weights = part_weight[segment % 3]
        if w.bigrams and len(ids) > 1:
            same = segment[1:] == segment[:-1]  # pairs never cross a part or a call
            codes = _bigram_codes(ids)[same]
            code_docs, code_weights = docs[1:][same], weights[1:][same]
        else:
            codes = code_docs = ids[:0]
            code_weights = weights[:0]
        themes_found = self._theme_table.find_many(ids, docs, codes, code_docs, langs)
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
        local = self._local[columns]
        del columns
        block = sparse.coo_matrix(
            (
                np.concatenate([weights, code_weights, np.ones(len(theme_cols), np.float32)]),
                (
                    np.concatenate([docs, code_docs, theme_docs]).astype(np.int32),
                    local.astype(np.int32),
                ),
            ),
            shape=(n, len(used)),
            dtype=np.float32,
        ).tocsc()  # sums the repeated (call, column) pairs
        return block, used

    def _terms(self, parts: Iterable[tuple[str, float]], lang: str, names: bool = False) -> _Terms:
        """Weighted columns of a text given as (part, weight) pairs, all in ``lang``."""
        cols, vals, all_ids, all_codes = [], [], [], []
        labels: dict[int, str] = {}
        for text, weight in parts:
            ids = self._lexicon.ids(text, lang)
            if not len(ids):
                continue
            codes = _bigram_codes(ids) if self.weights.bigrams else ids[:0]
            all_ids.append(ids)
            all_codes.append(codes)
            cols.append(ids + self._stem_base)
            vals.append(np.full(len(ids), weight, dtype=np.float32))
            cols.append(codes)
            vals.append(np.full(len(codes), weight, dtype=np.float32))
            if names:
                stems = self._lexicon.stems
                labels.update((int(i) + self._stem_base, stems[i]) for i in ids.tolist())
                pairs = zip(ids.tolist(), ids[1:].tolist(), codes.tolist(), strict=False)
                labels.update((c, f"{stems[a]} {stems[b]}") for a, b, c in pairs)
        if not cols:
            return _Terms(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {})
        found = self._theme_table.find(np.concatenate(all_ids), np.concatenate(all_codes), lang)
        theme_ids = sorted(found)
        cols.append(np.array([_BIGRAMS + t for t in theme_ids], dtype=np.int64))
        vals.append(np.ones(len(theme_ids), dtype=np.float32))
        if names:
            labels.update(
                (_BIGRAMS + t, f"theme:{self._theme_table.themes[t].id}") for t in theme_ids
            )
        return _Terms(np.concatenate(cols), np.concatenate(vals), found, labels)

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

    def similarity(self, profile: Profile) -> npt.NDArray[np.float32]:
        """Cosine similarity of the profile to every call (in :attr:`calls` order)."""
        return self._query(self._profile_terms(profile))[0]

    def _query(
        self, terms: _Terms
    ) -> tuple[npt.NDArray[np.float32], list[_Part], npt.NDArray[np.float32], list[str]]:
        """(cosine per call, per block the calls' weights of the query columns, the query's
        weights, the columns' names); empty names when nothing of the query is indexed."""
        nothing = np.zeros(len(self.calls), dtype=np.float32)
        if not len(terms.columns) or not self.calls:
            return nothing, [], nothing[:0], []
        columns, inverse = np.unique(terms.columns, return_inverse=True)
        counts = np.bincount(inverse, weights=terms.weights).astype(np.float32)
        known = columns < self._columns
        columns, counts = columns[known], counts[known]
        q = ((1.0 + np.log(counts)) * self._idf[columns]).astype(np.float32)
        norm = float(np.linalg.norm(q))
        if not len(columns) or norm == 0:
            return nothing, [], nothing[:0], []
        q /= norm
        scores, parts = [], []
        for block, used in self._blocks:
            if not len(used):  # a block of calls without a single indexed word
                scores.append(np.zeros(block.shape[0], dtype=np.float32))
                parts.append(
                    (sparse.csr_matrix((block.shape[0], 0), dtype=np.float32), columns[:0])
                )
                continue
            at = np.minimum(np.searchsorted(used, columns), len(used) - 1)
            present = np.flatnonzero(used[at] == columns)  # query columns this block holds
            sub = block[:, at[present]]
            scores.append(np.asarray(sub @ q[present], dtype=np.float32).ravel())
            parts.append((sub.tocsr(), present))  # rows read for the evidence of the best calls
        names = [terms.names.get(int(c), "?") for c in columns.tolist()]
        return np.concatenate(scores), parts, q, names

    # --- ranking ----------------------------------------------------------------------
