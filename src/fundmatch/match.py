"""Ranking calls against a profile: the index, the eligibility gates, the score and its reasons.

Pure: calls and a profile in, :class:`~fundmatch.models.Matches` out; time comes in as ``now``.
The weights live in one place, :class:`Weights`; ``docs/matching.md`` explains each factor.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from scipy import sparse

from fundmatch import geo
from fundmatch.models import Call, Check, Match, Matches, Profile, Reason
from fundmatch.text import Lexicon, fold, guess_language, stem, tokens

__all__ = ["Matcher", "Theme", "Weights", "rank", "themes"]


@dataclass(frozen=True, slots=True)
class Weights:
    """Every number that shapes a score, in one place. Points are out of 100.

    The defaults were chosen on the cordis-he dev split (see ``docs/matching.md``); change
    them with ``Matcher(calls, weights=Weights(keyword=20))``.
    """

    # lexical relevance (TF-IDF cosine over stems and stem bigrams)
    title: float = 3.0
    """How many times a word of the call's title counts against one of its description."""
    keywords: float = 3.0
    """The same for the call's keywords and tags."""
    profile_title: float = 2.0
    """How many times a word of the profile's name counts against one of its description."""
    profile_keywords: float = 1.0
    """The same for the profile's keywords."""
    bigrams: bool = True
    """Index adjacent stem pairs ("open data", "smart citi") beside single stems."""
    lexical: float = 70.0
    """Points of the lexical factor: ``lexical * (1 - exp(-cos / lexical_scale))``."""
    lexical_scale: float = 0.25
    """The cosine at which the lexical factor gives 63 % of its points."""
    # explained factors, computed for the best lexical candidates only
    keyword: float = 3.0
    """Points when every profile keyword matches the call's keywords, tags or title (pro rata)."""
    keyword_cutoff: float = 85.0
    """rapidfuzz similarity (0-100) from which a keyword counts as matched."""
    theme: float = 1.0
    """Points for shared themes of the multilingual vocabulary (``data/themes.toml``)."""
    theme_each: float = 0.5
    """Points per shared theme, up to ``theme``."""
    candidates: int = 50
    """How many lexical candidates get the keyword and theme factors (re-ranked)."""
    # adjustments
    closing_soon_days: float = 14.0
    """A deadline fewer days away than this (but after the preparation time) costs points."""
    closing_soon: float = -3.0
    """Points for a deadline closing soon."""
    budget_fit: float = 1.0
    """Points when the call's per-project range overlaps the profile's budget."""


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


# --- text → index columns -------------------------------------------------------------

# Column layout of the index: hashed stem bigrams, then one column per theme, then stems.
# Bigrams are hashed into a fixed space so that 100,000 calls need no bigram dictionary;
# a collision merges two rare pairs, which costs less than it saves (docs/matching.md).
_BIGRAM_BITS = 21
_BIGRAMS = 1 << _BIGRAM_BITS
_CHUNK = 1_024  # calls per index block: bounds the memory of one build step


def _bigram_codes(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Hashed column of each adjacent pair of stem ids."""
    return ((ids[:-1] * 2_654_435_761 + ids[1:]) * 40_503) % _BIGRAMS


@dataclass(frozen=True, slots=True)
class _Pattern:
    theme: int
    label: str
    lang: str
    first: int
    codes: frozenset[int]


class _Themes:
    """The theme vocabulary compiled into the lexicon's id space: unigram or bigram patterns."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.themes = themes()
        by_first: dict[int, list[_Pattern]] = {}
        for t, theme in enumerate(self.themes):
            for lang, labels in theme.labels.items():
                for label in labels:
                    ids = lexicon.ids(label, lang)
                    if len(ids):
                        codes = frozenset(_bigram_codes(ids).tolist())
                        pattern = _Pattern(t, label, lang, int(ids[0]), codes)
                        by_first.setdefault(pattern.first, []).append(pattern)
        self.by_first = by_first
        self._code_mask = np.zeros(_BIGRAMS, dtype=bool)
        for patterns in by_first.values():
            for p in patterns:
                self._code_mask[list(p.codes)] = True
        self._lexicon = lexicon
        self._mask = np.zeros(0, dtype=bool)
        self._by_lang: dict[str, dict[int, list[_Pattern]]] = {}

    def _first_mask(self) -> npt.NDArray[np.bool_]:
        if len(self._mask) < len(self._lexicon):  # the lexicon grew: extend the first-id mask
            self._mask = np.zeros(len(self._lexicon) + 1024, dtype=bool)
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
        firsts = _group(docs[hit], ids[hit])
        if not firsts:
            return found
        wanted = self._code_mask[codes]
        all_codes = _group(code_docs[wanted], codes[wanted])
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


def _group(keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64]) -> dict[int, set[int]]:
    """{key: set of its values} for two parallel arrays."""
    if not len(keys):
        return {}
    pairs = np.unique((keys << 32) | values)  # values < 2**32: stem ids and bigram columns
    owners, members = pairs >> 32, pairs & 0xFFFFFFFF
    bounds = np.flatnonzero(np.diff(owners)) + 1
    starts = [0, *bounds.tolist()]
    groups = np.split(members, bounds)
    return {int(owners[i]): set(g.tolist()) for i, g in zip(starts, groups, strict=True)}


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


# --- the index ------------------------------------------------------------------------


class Matcher:
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

    def rank(
        self,
        profile: Profile,
        *,
        now: datetime | None = None,
        limit: int | None = 10,
        include_closed: bool = False,
        include_blocked: bool = False,
    ) -> Matches:
        """The calls that fit ``profile`` best, with reasons; ties broken by call id.

        ``now`` (aware) drives the deadline gate and the closing-soon adjustment; None skips
        them (every deadline is then "unknown"). Calls failing a gate are left out unless
        ``include_blocked``; closed calls pass the deadline gate when ``include_closed``.
        ``limit`` None returns every call that scored.
        """
        if not self.calls:
            return Matches(now=now, profile=profile)
        terms = self._profile_terms(profile)
        cos, blocks, q, names = self._query(terms)
        if not names:
            return Matches(now=now, profile=profile)
        profile_themes = terms.themes
        w = self.weights
        pool = max(w.candidates, 5 * (limit or 0)) if limit is not None else len(self.calls)
        pool = min(pool, len(self.calls))
        nonzero = np.flatnonzero(cos > 0)
        if len(nonzero) > pool:
            top = nonzero[np.argpartition(-cos[nonzero], pool - 1)[:pool]]
        else:
            top = nonzero
        keywords = _keyword_forms(profile.keywords)
        scored = []
        for i in top.tolist():
            reasons = self._reasons(
                i,
                float(cos[i]),
                keywords,
                profile_themes,
                profile,
                now,
            )
            score = min(max(round(sum(r.points for r in reasons), 2), 0.0), 100.0)
            scored.append((-score, self.calls[i].id, i, reasons))
        scored.sort(key=lambda s: (s[0], s[1]))
        results: list[Match] = []
        for negative, _, i, reasons in scored:
            # Gates run in score order, only until the page is full.
            call = self.calls[i]
            blockers, notes = gates(call, profile, now=now, include_closed=include_closed)
            if blockers and not include_blocked:
                continue
            # The words behind the lexical factor, read only for the calls returned.
            lexical = reasons[0]
            shared = _shared_terms(blocks, q, names, i)
            evidence = f"{lexical.evidence}; strongest shared terms: {shared}"
            reasons[0] = lexical.model_copy(update={"evidence": evidence})
            results.append(
                Match(
                    call=call,
                    score=-negative,
                    reasons=tuple(reasons),
                    blockers=tuple(blockers),
                    notes=tuple(notes),
                )
            )
            if limit is not None and len(results) >= limit:
                break
        return Matches(results, now=now, profile=profile)

    def _reasons(
        self,
        index: int,
        cos: float,
        keywords: list[tuple[str, str]],
        profile_themes: dict[int, str],
        profile: Profile,
        now: datetime | None,
    ) -> list[Reason]:
        w = self.weights
        call = self.calls[index]
        reasons = [
            Reason(
                factor="lexical",
                points=round(w.lexical * (1 - math.exp(-cos / w.lexical_scale)), 2),
                evidence=f"text similarity {cos:.3f}",
            )
        ]
        if keywords:
            targets = self._keyword_targets.get(index)
            if targets is None:
                targets = self._keyword_targets[index] = _KeywordTargets.of(call)
            matched = _match_keywords(keywords, targets, w.keyword_cutoff)
            if matched:
                reasons.append(
                    Reason(
                        factor="keyword",
                        points=round(w.keyword * len(matched) / len(keywords), 2),
                        evidence="; ".join(matched),
                    )
                )
        shared = sorted(profile_themes.keys() & self._themes[index].keys())
        if shared:
            table = self._theme_table.themes
            call_themes = self._themes[index]
            evidence = "; ".join(
                f"{table[t].name} (profile: '{profile_themes[t]}', call: '{call_themes[t]}')"
                for t in shared
            )
            reasons.append(
                Reason(
                    factor="theme",
                    points=round(min(w.theme, w.theme_each * len(shared)), 2),
                    evidence=evidence,
                )
            )
        reasons.extend(_adjustments(call, profile, now, w))
        return _clip(reasons)


def _clip(reasons: list[Reason]) -> list[Reason]:
    """Scale reasons so that their points add up to a score within 0-100 (honest clipping)."""
    total = sum(r.points for r in reasons)
    if 0 <= total <= 100:
        return reasons
    if total > 100:
        scaled = [
            r.model_copy(update={"points": round(r.points * 100 / total, 2)}) for r in reasons
        ]
    else:  # penalties larger than the gains: shrink the penalties to the gains
        gains = sum(r.points for r in reasons if r.points > 0)
        losses = -sum(r.points for r in reasons if r.points < 0)
        scaled = [
            r
            if r.points >= 0
            else r.model_copy(update={"points": round(r.points * gains / losses, 2)})
            for r in reasons
        ]
    target = 100.0 if total > 100 else 0.0
    drift = round(target - sum(r.points for r in scaled), 2)
    if drift and scaled:
        first = scaled[0]
        scaled[0] = first.model_copy(update={"points": round(first.points + drift, 2)})
    return scaled


def _shared_terms(
    blocks: list[_Part],
    q: npt.NDArray[np.float32],
    names: list[str],
    index: int,
    limit: int = 6,
) -> str:
    """The profile's terms that weigh most in one call's cosine, strongest first."""
    block, present = blocks[index // _CHUNK]
    local = index % _CHUNK
    start, end = block.indptr[local], block.indptr[local + 1]
    cols = present[block.indices[start:end]]
    order = sorted(
        zip(cols.tolist(), (block.data[start:end] * q[cols]).tolist(), strict=True),
        key=lambda cv: (-cv[1], names[cv[0]]),
    )
    return ", ".join(names[c] for c, _ in order[:limit]) or "none"


# --- keywords ------------------------------------------------------------------------


def _norm_phrase(text: str) -> str:
    return " ".join(fold(text).replace("-", " ").replace("_", " ").split())


def _stemmed(text: str) -> str:
    """Words → stems, so "smart-city" and "Smart Cities" compare equal (``smart citi``)."""
    return " ".join(s for s in (stem(t) for t in tokens(text)) if s)


def _keyword_forms(keywords: Sequence[str]) -> list[tuple[str, str]]:
    forms = [(k, _stemmed(k)) for k in keywords]
    return [(k, f) for k, f in forms if f]


@dataclass(slots=True)
class _KeywordTargets:
    """A call's keywords, tags and title windows in stemmed form, built on first use."""

    whole: dict[str, tuple[str, str]]
    title_words: list[str]
    title_stems: list[str]
    windows: dict[int, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, call: Call) -> _KeywordTargets:
        whole = {
            _stemmed(t): (where, t)
            for where, ts in (("keywords", call.keywords), ("tags", call.tags))
            for t in ts
        }
        words = tokens(call.title)
        return cls(whole, words, [stem(t) for t in words])

    def title_windows(self, size: int) -> dict[str, str]:
        """Stemmed runs of ``size`` title words → the words as written."""
        cached = self.windows.get(size)
        if cached is None:
            cached = {}
            for i in range(len(self.title_stems) - size + 1):
                window = " ".join(s for s in self.title_stems[i : i + size] if s)
                if window:
                    cached.setdefault(window, " ".join(self.title_words[i : i + size]))
            self.windows[size] = cached
        return cached


def _match_keywords(
    keywords: list[tuple[str, str]], targets: _KeywordTargets, cutoff: float
) -> list[str]:
    """Profile keywords found (fuzzily) in the call's keywords, tags or title, with the pair.

    Keywords and tags are compared whole; the title by windows of about the keyword's length,
    so "energy" does not match every title that contains "energy" somewhere in a longer phrase
    unless it stands there as such.
    """
    found = []
    for original, norm in keywords:
        hit = process.extractOne(norm, targets.whole.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is not None:
            where, target = targets.whole[hit[0]]
            found.append(f"'{original}' ≈ '{target}' ({where}, {hit[1]:.0f})")
            continue
        size = len(norm.split())
        for n in range(max(1, size - 1), size + 2):
            windows = targets.title_windows(n)
            hit = process.extractOne(norm, windows.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is not None:
                found.append(f"'{original}' ≈ '{windows[hit[0]]}' (title, {hit[1]:.0f})")
                break
    return found


# --- adjustments -----------------------------------------------------------------------


def _adjustments(call: Call, profile: Profile, now: datetime | None, w: Weights) -> list[Reason]:
    out = []
    if now is not None:
        days = call.days_left(now)
        if days is not None and profile.prep_days <= days < w.closing_soon_days:
            out.append(
                Reason(
                    factor="closing-soon",
                    points=w.closing_soon,
                    evidence=f"next deadline in {days:.0f} days",
                )
            )
    low, high = call.budget.per_project_min, call.budget.per_project_max
    if (low is not None or high is not None) and (
        profile.budget_min is not None or profile.budget_max is not None
    ):
        fits = (high is None or profile.budget_min is None or high >= profile.budget_min) and (
            low is None or profile.budget_max is None or low <= profile.budget_max
        )
        if fits:
            out.append(
                Reason(
                    factor="budget-fit",
                    points=w.budget_fit,
                    evidence=f"call grants {_range(low, high, call.budget.currency)}; "
                    f"profile seeks {_range(profile.budget_min, profile.budget_max, 'EUR')}",
                )
            )
    return out


def _range(low: Decimal | None, high: Decimal | None, currency: str) -> str:
    def money(x: Decimal | None) -> str:
        return "?" if x is None else f"{x:,.0f}"

    return f"{money(low)}–{money(high)} {currency}"


# --- eligibility gates ----------------------------------------------------------------


def gates(
    call: Call, profile: Profile, *, now: datetime | None = None, include_closed: bool = False
) -> tuple[list[Check], list[Check]]:
    """(blockers, notes) of ``call`` for ``profile``: every gate that fails, is unknown or flags.

    What the call does not say never blocks: it becomes a note with outcome ``unknown``.
    """
    checks = [
        _deadline_gate(call, profile, now, include_closed),
        _instrument_gate(call, profile),
        _geography_gate(call, profile),
        _organisation_gate(call, profile),
        _budget_gate(call, profile),
        _partnership_gate(call, profile),
        _exclude_gate(call, profile),
    ]
    blockers = [c for c in checks if c.outcome == "blocked"]
    notes = [c for c in checks if c.outcome in ("unknown", "flag")]
    return blockers, notes


def _deadline_gate(
    call: Call, profile: Profile, now: datetime | None, include_closed: bool
) -> Check:
    if now is None:
        return Check(
            gate="deadline", outcome="unknown", message="no date given to check deadlines against"
        )
    status = call.status(now)
    if status == "closed":
        last = call.deadlines[-1].local().strftime("%Y-%m-%d %H:%M %Z") if call.deadlines else "?"
        if include_closed:
            return Check(
                gate="deadline", outcome="flag", message=f"closed: last deadline was {last}"
            )
        return Check(
            gate="deadline", outcome="blocked", message=f"closed: last deadline was {last}"
        )
    if status == "forthcoming":
        if call.opening is None:
            message = "not open yet (forthcoming; opening date not given)"
        else:
            message = f"not open yet: opens {call.opening.strftime('%Y-%m-%d')}"
        return Check(gate="deadline", outcome="flag", message=message)
    days = call.days_left(now)
    if days is None:
        return Check(gate="deadline", outcome="unknown", message="the call gives no deadline")
    if days < profile.prep_days:
        return Check(
            gate="deadline",
            outcome="blocked",
            message=f"only {days:.0f} days left; the profile needs {profile.prep_days} to prepare",
        )
    return Check(gate="deadline", outcome="pass", message=f"{days:.0f} days left")


def _instrument_gate(call: Call, profile: Profile) -> Check:
    if call.instrument is None:
        return Check(
            gate="instrument", outcome="unknown", message="the call does not say its instrument"
        )
    if call.instrument in profile.instruments:
        return Check(gate="instrument", outcome="pass", message=f"{call.instrument} is sought")
    return Check(
        gate="instrument",
        outcome="blocked",
        message=f"a {call.instrument}; the profile seeks "
        + (", ".join(profile.instruments) or "nothing"),
    )


def _geography_gate(call: Call, profile: Profile) -> Check:
    if not call.regions and not call.countries:
        return Check(gate="geography", outcome="unknown", message="the call names no eligible area")
    if profile.region is None and profile.country is None:
        return Check(gate="geography", outcome="unknown", message="the profile gives no location")
    where = profile.region or profile.country or ""
    if call.regions and profile.region is not None:
        if geo.is_within(profile.region, call.regions):
            name = geo.region(profile.region).name
            return Check(
                gate="geography",
                outcome="pass",
                message=f"{profile.region} ({name}) is inside the call's area",
            )
        if not call.countries or profile.country not in call.countries:
            return Check(
                gate="geography",
                outcome="blocked",
                message=f"{where} is outside the eligible regions ({', '.join(call.regions[:8])}"
                + (", ...)" if len(call.regions) > 8 else ")"),
            )
    if call.countries:
        if profile.country in call.countries:
            return Check(gate="geography", outcome="pass", message=f"{profile.country} is eligible")
        return Check(
            gate="geography",
            outcome="blocked",
            message=f"{profile.country} is not among the eligible countries",
        )
    # Regions only, profile knows only its country: eligible if the country has a listed region.
    country_regions = [r for r in call.regions if geo.region_country(r) == profile.country]
    if country_regions:
        return Check(
            gate="geography",
            outcome="unknown",
            message=f"only some regions of {profile.country} are eligible; "
            "the profile gives no region",
        )
    return Check(
        gate="geography", outcome="blocked", message=f"{profile.country} has no eligible region"
    )


def _organisation_gate(call: Call, profile: Profile) -> Check:
    if not call.organisation_types:
        return Check(
            gate="organisation", outcome="unknown", message="the call names no organisation types"
        )
    if profile.organisation_type is None:
        return Check(
            gate="organisation", outcome="unknown", message="the profile gives no organisation type"
        )
    if profile.organisation_type in call.organisation_types:
        return Check(
            gate="organisation", outcome="pass", message=f"{profile.organisation_type} may apply"
        )
    return Check(
        gate="organisation",
        outcome="blocked",
        message=f"open to {', '.join(call.organisation_types)}, not {profile.organisation_type}",
    )


def _budget_gate(call: Call, profile: Profile) -> Check:
    low, high = call.budget.per_project_min, call.budget.per_project_max
    cur = call.budget.currency
    if low is None and high is None:
        return Check(
            gate="budget", outcome="unknown", message="the call gives no per-project amount"
        )
    if profile.budget_min is None and profile.budget_max is None:
        return Check(gate="budget", outcome="unknown", message="the profile gives no budget")
    if high is not None and profile.budget_min is not None and high < profile.budget_min:
        return Check(
            gate="budget",
            outcome="blocked",
            message=f"at most {high:,.0f} {cur} per project; "
            f"the profile needs at least {profile.budget_min:,.0f}",
        )
    if low is not None and profile.budget_max is not None and low > profile.budget_max:
        # A per-project amount is the whole consortium's unless the call is for one applicant:
        # too large to lead alone is not too large to join, so only a single-applicant call
        # is ruled out; otherwise it is worth knowing, not a reason to hide the call.
        message = (
            f"at least {low:,.0f} {cur} per project; "
            f"the profile can handle at most {profile.budget_max:,.0f}"
        )
        if call.min_partners == 1:
            return Check(gate="budget", outcome="blocked", message=message)
        return Check(
            gate="budget",
            outcome="flag",
            message=f"{message}: fits as a partner of a consortium, not alone",
        )
    return Check(
        gate="budget", outcome="pass", message=f"per-project range {_range(low, high, cur)} fits"
    )


def _partnership_gate(call: Call, profile: Profile) -> Check:
    if call.min_partners is None and call.min_countries is None:
        return Check(
            gate="partnership", outcome="unknown", message="the call states no partnership rule"
        )
    problems = []
    if call.min_partners is not None:
        if profile.partners is None:
            return Check(
                gate="partnership",
                outcome="unknown",
                message=f"needs {call.min_partners} partners; "
                "the profile does not say how many it has",
            )
        if profile.partners + 1 < call.min_partners:
            problems.append(
                f"needs {call.min_partners} partners, "
                f"the profile has {profile.partners + 1} with itself"
            )
    if call.min_countries is not None:
        countries = {c for c in (profile.country, *profile.partner_countries) if c}
        if not countries:
            return Check(
                gate="partnership",
                outcome="unknown",
                message=f"needs partners from {call.min_countries} countries; "
                "the profile names none",
            )
        if len(countries) < call.min_countries:
            problems.append(
                f"needs {call.min_countries} countries, the profile covers {len(countries)}"
            )
    if problems:
        return Check(gate="partnership", outcome="blocked", message="; ".join(problems))
    return Check(gate="partnership", outcome="pass", message="the partnership rules are met")


def _exclude_gate(call: Call, profile: Profile) -> Check:
    if not profile.exclude:
        return Check(gate="exclude", outcome="pass", message="no excluded terms")
    fields = {
        "title": _norm_phrase(call.title),
        "keywords": _norm_phrase(" ; ".join((*call.keywords, *call.tags))),
        "description": _norm_phrase(call.description),
    }
    for term in profile.exclude:
        norm = _norm_phrase(term)
        for where, text in fields.items():
            if norm and f" {norm} " in f" {text} ":
                return Check(
                    gate="exclude",
                    outcome="blocked",
                    message=f"mentions excluded term '{term}' in its {where}",
                )
    return Check(gate="exclude", outcome="pass", message="no excluded term found")


def rank(
    profile: Profile,
    calls: Iterable[Call],
    *,
    now: datetime | None = None,
    limit: int | None = 10,
    include_closed: bool = False,
    include_blocked: bool = False,
) -> Matches:
    """Rank ``calls`` for ``profile`` once (builds a :class:`Matcher`; reuse one for many)."""
    return Matcher(calls).rank(
        profile,
        now=now,
        limit=limit,
        include_closed=include_closed,
        include_blocked=include_blocked,
    )
