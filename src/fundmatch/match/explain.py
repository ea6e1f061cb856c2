"""Reasons for people: the words behind a cosine, each factor named in words, the strongest
reasons as text.

The evidence of a :class:`~fundmatch.models.Reason` is written in words (the phrases as they
stand in the call and the profile); :func:`fundmatch.display.reason_text` shortens one by whole
phrases, never inside a word. Only the calls of a page are explained: no long text is read
again for the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from fundmatch.display import reason_text
from fundmatch.match import columns as layout
from fundmatch.match.columns import BIGRAMS, bigram_code
from fundmatch.match.index import Cosines, Index, Part, call_texts
from fundmatch.match.query import ProfileQuery, Terms
from fundmatch.models import Reason
from fundmatch.text import Lexicon, words

__all__ = [
    "FACTORS",
    "column_names",
    "lexical_evidence",
    "phrases",
    "reason_text",
    "reasons_text",
    "shared_columns",
]

FACTORS = {
    "lexical": "words in common",
    "meaning": "close in meaning",
    "keyword": "your keywords",
    "theme": "same theme",
    "priority": "what the programme funds",
    "open-topic": "open to any topic",
    "instrument": "the instrument you named",
    "purpose": "made for what you set out to do",
    "closing-soon": "closes soon",
    "budget-fit": "budget fits",
}
"""Each factor of the score named for people."""


def reasons_text(reasons: Sequence[Reason], count: int = 3, width: int | None = None) -> list[str]:
    """The strongest reasons that add points, in words, strongest first."""
    best = sorted(reasons, key=lambda r: -r.points)
    return [reason_text(r, width) for r in best[:count] if r.points > 0]


def lexical_evidence(
    index: Index, query: ProfileQuery, cosines: Cosines, page: list[tuple[int, list[Reason]]]
) -> list[list[Reason]]:
    """Each call's lexical reason with the phrases behind it, as they stand in the texts."""
    shared = shared_columns(cosines.parts, cosines.q, [i for i, _ in page])
    out = []
    for row, reasons in page:
        explained = list(reasons)
        for k, reason in enumerate(explained):
            if reason.factor == "lexical":
                columns = [int(cosines.columns[c]) for c in shared[row]]
                named = column_names(index, query.terms)
                names = {c: named.get(c, "") for c in columns}
                found = phrases(index, row, columns, names, query)
                evidence = "shared words: " + (
                    ", ".join(f"'{p}'" for p in found) if found else "none"
                )
                explained[k] = reason.model_copy(update={"evidence": evidence})
        out.append(explained)
    return out


_EVIDENCE_COLUMNS = 64
"""How many of the query's strongest columns are read for the words behind a cosine."""


def shared_columns(
    blocks: list[Part], q: npt.NDArray[np.float32], indices: list[int], limit: int = 8
) -> dict[int, list[int]]:
    """For each call of ``indices``: the query's columns that weigh most in its cosine,
    strongest first. One pass over each group's entries for the whole page."""
    out: dict[int, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    for index in indices:
        by_group.setdefault(index // layout.GROUP, []).append(index)
    for number, members in sorted(by_group.items()):
        group, present = blocks[number]
        if len(present) > _EVIDENCE_COLUMNS:  # the strongest columns of the query only
            strongest = np.sort(np.argpartition(-q[present], _EVIDENCE_COLUMNS)[:_EVIDENCE_COLUMNS])
            group, present = group[:, strongest], present[strongest]
        wanted = np.zeros(group.shape[0], dtype=bool)
        wanted[[i % layout.GROUP for i in members]] = True
        at = np.flatnonzero(wanted[group.indices])
        rows = group.indices[at]
        cols = present[np.searchsorted(group.indptr, at, side="right") - 1]
        weights = group.data[at] * q[cols]
        for index in members:
            mine = rows == index % layout.GROUP
            order = sorted(
                zip(cols[mine].tolist(), weights[mine].tolist(), strict=True),
                key=lambda cv: (-cv[1], cv[0]),
            )
            out[index] = [c for c, _ in order[:limit]]
    return out


def column_names(index: Index, terms: Terms) -> dict[int, str]:
    """The profile's columns → its words as they stand (read once, when first needed)."""
    if terms.read:
        for text, ids, kept, codes in terms.read:
            _name_columns(index, text, ids, kept, codes, terms.names)
        terms.read = []
    return terms.names


def _name_columns(
    index: Index,
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
    base = index.stem_base
    for k, i in zip(kept, stems, strict=True):
        labels.setdefault(i + base, written[k])
    for k, c in enumerate(codes.tolist()):
        if c not in labels:  # as written: see phrases
            labels[c] = " ".join(written[kept[k] : kept[k + 1] + 1])
            index.pairs[c] = (stems[k], stems[k + 1])


def phrases(
    index: Index,
    row: int,
    columns: list[int],
    names: dict[int, str],
    query: ProfileQuery | None = None,
    limit: int = 5,
) -> list[str]:
    """The words of call ``row`` behind some index columns, whole words.

    Looked for in the call's title, keywords and tags as they stand there ("Open data",
    "start-ups"); words found only in the description are shown as the index first read
    them (``names``), so that a page of results costs no reading of long texts. A stem
    pair becomes the words it was read from (with any short word between them: "portail
    de données"); a word already shown inside a phrase is not repeated. Theme columns are
    explained by the theme reason instead.
    """
    call = index.calls[row]
    lang = index.langs[row]
    base = index.stem_base
    wanted = [c for c in columns if not BIGRAMS <= c < base]
    found: dict[int, tuple[str, set[str]]] = {}
    for text in call_texts(call)[:2]:
        if not text:
            continue
        written = words(text)
        packed = np.array(index.lexicon.packed_ids(text, lang), dtype=np.int64)
        stems = Lexicon.unpack(packed)[0].tolist()
        kept = [(k, i) for k, i in enumerate(stems) if i]
        first: dict[int, tuple[int, int]] = {}  # column → (first word, last word)
        for k, i in kept:
            first.setdefault(i + base, (k, k))
        for (k, a), (j, b) in pairwise(kept):
            first.setdefault(bigram_code(a, b), (k, j))
        for c in wanted:
            if c not in found and c in first:
                start, end = first[c]
                run = written[start : end + 1]
                phrase = run[0] if start == end else _as_written(run, text) or " ".join(run)
                found[c] = (phrase, {w.lower() for w in run})
    if query is not None and query.lang != lang:
        # Another language: the call's own words for what matched (as the index first
        # read them in the calls), not the profile's.
        for c in wanted:
            if c not in found:
                theirs = index.call_words(c)
                if theirs:
                    found[c] = (theirs, set(theirs.lower().split()))
    profile_texts: Iterable[str] = query.texts if query is not None else ()
    for c in wanted:
        if c not in found and names.get(c):
            run = names[c].split()
            seen = next(filter(None, (_as_written(run, t) for t in profile_texts)), None)
            if seen is None and len(run) > 1:
                continue  # a pair read across a sentence's end: its words speak alone
            found[c] = (seen or names[c], {w.lower() for w in run})
    ordered: list[tuple[int, str]] = []
    shown: set[str] = set()
    for c in sorted(found, key=lambda c: (c >= base, columns.index(c))):
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
