"""Ranking: the index's best candidates scored, gated and explained."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

import numpy as np

from fundmatch.match.gates import gates
from fundmatch.match.index import Index
from fundmatch.match.score import (
    _adjustments,
    _clip,
    _keyword_forms,
    _KeywordTargets,
    _match_keywords,
    _shared_terms,
)
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Match, Matches, Profile, Reason

__all__ = ["Matcher", "rank"]


class Matcher(Index):
    """Ranks calls for profiles; builds its index once.

    ``Matcher(calls).rank(profile, now=now)`` → the best calls first, each with the reasons
    that add up to its score; blocked calls only when ``include_blocked=True``.
    """

    def __init__(self, calls: Iterable[Call], *, weights: Weights | None = None) -> None:
        super().__init__(calls, weights=weights)

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
