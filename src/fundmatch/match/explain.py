"""Reasons for people: the words behind a cosine and a shared theme, each factor named in
words, the strongest reasons as text.

What a reason quotes, a reader can find: whole words or phrases as they stand in the call's text
and in the profile's own (its name, keywords and description), never a stop word, a word of
fewer than three letters, a piece of a hyphenated word or a pair read across a comma or an
"and". :func:`fundmatch.display.reason_text` shortens a reason by whole phrases, never inside a
word. Only the calls of a page are explained: no long text is read for the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from fundmatch.display import reason_text
from fundmatch.match import columns as layout
from fundmatch.match.columns import BIGRAMS
from fundmatch.match.index import Cosines, Index, Part
from fundmatch.match.query import ProfileQuery
from fundmatch.match.reading import Reading
from fundmatch.models import Reason
from fundmatch.text import fold

__all__ = [
    "FACTORS",
    "explain_page",
    "phrases",
    "reason_text",
    "reasons_text",
    "shared_columns",
    "shared_words",
    "theme_evidence",
    "word_pairs",
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


def explain_page(
    index: Index,
    query: ProfileQuery,
    cosines: Cosines,
    page: list[tuple[int, list[Reason]]],
    profile: Reading,
) -> list[list[Reason]]:
    """Each call's lexical and theme reasons with the words behind them, as they stand in the
    call's text and the profile's (see :func:`phrases` and :func:`theme_evidence`).

    ``profile`` is the profile's own texts as the ranking reads them
    (:meth:`Reading.of_profile <fundmatch.match.reading.Reading.of_profile>`, read once per
    ranking: what the priority reasons already found there is not looked for again)."""
    shared = shared_columns(cosines.parts, cosines.q, [i for i, _ in page], limit=10)
    wanted = sorted({int(cosines.columns[c]) for found in shared.values() for c in found})
    profile.find([c for c in wanted if not BIGRAMS <= c < index.stem_base], index.stem_base)
    out = []
    for row, reasons in page:
        # A call's description is read only where the languages differ: there the call's own
        # words are the only ones to quote. In one language, a word the call holds only in its
        # description is quoted as the profile writes it (the call holds the same stem), so
        # that a page costs no reading of long texts.
        same = index.langs[row] == query.lang
        call = Reading.of_call(index, row, description=not same)
        explained = list(reasons)
        for k, reason in enumerate(explained):
            if reason.factor == "lexical":
                columns = [int(cosines.columns[c]) for c in shared[row]]
                found = phrases(index, columns, call, profile, same_language=same)
                evidence = "shared words: " + (", ".join(found) if found else "none")
                explained[k] = reason.model_copy(update={"evidence": evidence})
            elif reason.factor == "theme":
                evidence = theme_evidence(index, query, row, call, profile)
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
        # By call, then strongest first (ties by column): one sort for the whole page.
        order = np.lexsort((cols, -weights, rows))
        rows, cols = rows[order], cols[order]
        for index in members:
            start, end = np.searchsorted(rows, [index % layout.GROUP, index % layout.GROUP + 1])
            out[index] = cols[start:end][:limit].tolist()
    return out


def phrases(
    index: Index,
    columns: list[int],
    call: Reading,
    profile: Reading,
    limit: int = 5,
    *,
    same_language: bool = True,
) -> list[str]:
    """The words behind some index columns, quoted: each as it stands in the call, and as it
    stands in the profile when the profile writes it otherwise ("'smart cities' (the profile:
    'ville intelligente')"); see :func:`word_pairs`."""
    quoted = []
    for theirs, mine in word_pairs(
        index, columns, call, profile, limit, same_language=same_language
    ):
        said = f"'{theirs}'"
        if mine.casefold() != theirs.casefold():
            said += f" (the profile: '{mine}')"
        quoted.append(said)
    return quoted


def word_pairs(
    index: Index,
    columns: list[int],
    call: Reading,
    profile: Reading,
    limit: int = 5,
    *,
    same_language: bool = True,
) -> list[tuple[str, str]]:
    """The words behind some index columns: (as the call writes them, as the profile does).

    A column either text does not hold as a checkable phrase is left out; a word already shown
    inside a pair is not repeated; pairs first, then single words, each in the order of its
    weight. Theme columns are explained by the theme reason instead. In the
    ``same_language``, a word the texts of the call read do not hold (it stands in its
    description) is given as the profile writes it: the call holds the same stem.
    """
    base = index.stem_base
    wanted = [c for c in columns if not BIGRAMS <= c < base]
    in_call, in_profile = call.find(wanted, base), profile.find(wanted, base)
    shown: set[int] = set()
    found: list[tuple[int, tuple[str, str]]] = []
    for c in sorted(wanted, key=lambda c: (c >= base, columns.index(c))):
        if c not in in_profile or (c not in in_call and not same_language):
            continue
        (phrase, stems), (own, _) = in_call.get(c, in_profile[c]), in_profile[c]
        if set(stems) <= shown:
            continue
        shown.update(stems)
        found.append((columns.index(c), (phrase, own)))
    return [pair for _, pair in sorted(found)][:limit]


def shared_words(
    index: Index, query: ProfileQuery, cosines: Cosines, rows: Sequence[int], limit: int = 5
) -> dict[int, list[str]]:
    """For each of some rows of ``index``: the words it shares with the profile, as the call
    (or, in the same language, the profile: see :func:`word_pairs`) writes them. For another
    index over the same words than calls' (funded projects, say)."""
    shared = shared_columns(cosines.parts, cosines.q, list(rows), limit=10)
    profile = Reading.of_profile(index, query)
    wanted = sorted({int(cosines.columns[c]) for found in shared.values() for c in found})
    profile.find([c for c in wanted if not BIGRAMS <= c < index.stem_base], index.stem_base)
    out = {}
    for row in rows:
        same = index.langs[row] == query.lang
        call = Reading.of_call(index, row, description=not same)
        columns = [int(cosines.columns[c]) for c in shared.get(row, [])]
        pairs = word_pairs(index, columns, call, profile, limit, same_language=same)
        out[row] = [theirs for theirs, _ in pairs]
    return out


def theme_evidence(
    index: Index, query: ProfileQuery, row: int, call: Reading, profile: Reading
) -> str:
    """The themes the call and the profile share, each with the words that say it in each."""
    table = index.theme_table.themes
    mine, theirs = query.terms.themes, index.themes[row]
    parts = []
    for t in sorted(mine.keys() & theirs.keys()):
        said = [
            _label_words(index, label, lang, reading)
            for label, lang, reading in (
                (mine[t], query.lang, profile),
                (theirs[t], index.langs[row], call),
            )
        ]
        if said[0] and said[1]:
            parts.append(f"{table[t].name}: the profile says {said[0]}, the call {said[1]}")
        elif said[0]:  # the call's words for it stand in its description, not read
            parts.append(f"{table[t].name}: the profile says {said[0]}")
        else:
            parts.append(table[t].name)
    return "both about " + "; ".join(parts)


def _label_words(index: Index, label: str, lang: str, reading: Reading) -> str:
    """Where a text says a theme's label, quoted as written: the whole label when its words
    stand together, else each run of them that does; "" when none can be quoted."""
    known = reading.labels.get((label, lang))
    if known is None:
        known = reading.labels[label, lang] = _quoted_label(index, label, lang, reading)
    return known


def _quoted_label(index: Index, label: str, lang: str, reading: Reading) -> str:
    surfaces = [s for s in index.theme_table.surfaces(label, lang) if s]
    whole = reading.find_run(surfaces) if surfaces else None
    if whole is not None:
        return f"'{whole}'"
    pieces: list[str] = []
    for size in (2, 1):
        for i in range(len(surfaces) - size + 1):
            found = reading.find_run(surfaces[i : i + size])
            if found is not None and fold(found) not in {fold(p) for p in pieces}:
                pieces.append(found)
        if pieces:
            break
    pieces = [p for p in pieces if not any(p != q and p in q for q in pieces)]
    return ", ".join(f"'{p}'" for p in pieces)
