"""A ranking's page: the calls scored in order of relevance and gated in order of score, until
no call left could enter it, so that a page is the head of the whole list."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from fundmatch.match.score import lexical_points, total
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Check, Reason

__all__ = ["Entry", "fill"]

Entry = tuple[int, float, list[Reason], list[Check], list[Check]]
"""A call on the page: its row, its score, its reasons, its blockers and its notes."""

Checks = tuple[list[Check], list[Check]]


def fill(
    relevance: npt.NDArray[np.float32],
    stated: npt.NDArray[np.int64],
    calls: Sequence[Call],
    *,
    weights: Weights,
    limit: int | None,
    floor: float,
    most_else: float,
    most_else_of: Callable[[int, float], float],
    score: Callable[[int], list[Reason]],
    check: Callable[[int], Checks],
    include_blocked: bool,
) -> list[Entry]:
    """The first ``limit`` of ``calls`` (None: every one) that score ``floor`` or more and pass
    their gates (or all, ``include_blocked``), best first, ties by id.

    ``relevance`` orders the calls to score; a call with none is never on the page. ``stated``
    calls (their programme's priorities match) are always scored. ``most_else`` is the most
    points a call can add to its relevance's for this profile: a call whose relevance's points
    and those cannot reach the page's last score (or ``floor``) is not scored;
    ``most_else_of(row, need)`` says the same of one call, more closely (exactly enough to
    tell whether it reaches ``need``).
    """
    nonzero = np.flatnonzero(relevance > 0)
    done = np.zeros(len(relevance), dtype=bool)
    checked: dict[int, Checks] = {}
    scored: list[tuple[float, str, int, list[Reason]]] = []
    page: list[Entry] = []

    def scores(rows: list[int]) -> None:
        for i in rows:
            done[i] = True
            reasons = score(i)
            points = total(reasons)
            if points >= floor:
                scored.append((-points, calls[i].id, i, reasons))

    def gated(i: int) -> Checks | None:
        if i not in checked:  # gates run in score order, only until the page is full
            checked[i] = check(i)
        blockers, _ = checked[i]
        return None if blockers and not include_blocked else checked[i]

    # The best candidates by relevance first; when gates leave the page short, the next ones
    # (four times as many each round).
    pool = max(weights.candidates, limit + 5) if limit is not None else len(nonzero)
    while True:
        pool = min(pool, len(nonzero))
        top = nonzero
        if pool < len(nonzero):
            top = nonzero[np.argpartition(-relevance[nonzero], pool - 1)[:pool]]
        rows = np.union1d(top, stated) if len(stated) else top
        scores(rows[~done[rows]].tolist())
        scored.sort(key=lambda s: (s[0], s[1]))
        page = []
        for negative, _, i, reasons in scored:
            checks = gated(i)
            if checks is not None:
                page.append((i, -negative, reasons, *checks))
                if limit is not None and len(page) >= limit:
                    break
        if limit is None or len(page) >= limit or pool >= len(nonzero):
            break
        # The calls not scored yet are no more relevant than the last one scored.
        if lexical_points(float(relevance[top].min()), weights) + most_else < floor:
            break
        pool *= 4
    if limit is not None and len(page) >= limit:
        _complete(page, relevance, done, calls, weights, most_else, most_else_of, score, gated)
    return page


def _complete(
    page: list[Entry],
    relevance: npt.NDArray[np.float32],
    done: npt.NDArray[np.bool_],
    calls: Sequence[Call],
    weights: Weights,
    most_else: float,
    most_else_of: Callable[[int, float], float],
    score: Callable[[int], list[Reason]],
    gated: Callable[[int], Checks | None],
) -> None:
    """A full page made the head of the whole list: the calls not scored yet that could still
    beat its last call are scored in order of relevance, and those that do take their place."""
    slack = most_else + 0.05  # each reason's points are rounded
    # The relevance under which no call can reach the page's last score (the inverse of
    # lexical_points), so that the relevances need no points of their own.
    share = (page[-1][1] - slack) / weights.lexical
    if share >= 1:
        return
    least = -weights.lexical_scale * np.log1p(-share) if share > 0 else 0.0
    rest = np.flatnonzero((relevance > 0) & (relevance >= least) & ~done)
    for i in rest[np.lexsort((rest, -relevance[rest]))].tolist():
        last, points = page[-1], lexical_points(float(relevance[i]), weights)
        if points + slack < last[1]:
            break
        need = last[1] - points - 0.05
        if most_else_of(i, need) < need:
            continue
        reasons = score(i)
        points = total(reasons)
        if (-points, calls[i].id) >= (-last[1], calls[last[0]].id):
            continue
        checks = gated(i)
        if checks is not None:
            page[-1] = (i, points, reasons, *checks)
            page.sort(key=lambda entry: (-entry[1], calls[entry[0]].id))
