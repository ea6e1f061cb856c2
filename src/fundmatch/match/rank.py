"""Ranking: the index's best candidates scored, gated and explained."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import numpy as np
import numpy.typing as npt

from fundmatch.errors import MatchError
from fundmatch.match.columns import BIGRAMS
from fundmatch.match.explain import explain_page
from fundmatch.match.gates import gates, partnership_gap
from fundmatch.match.index import Cosines, Index
from fundmatch.match.instruments import INSTRUMENTS, served
from fundmatch.match.instruments import named as named_instruments
from fundmatch.match.levels import Levels
from fundmatch.match.meaning import Meaning
from fundmatch.match.page import fill
from fundmatch.match.priorities import priority_reason, priority_text
from fundmatch.match.query import ProfileQuery
from fundmatch.match.reading import Reading
from fundmatch.match.score import (
    KeywordTargets,
    adjustments,
    clip,
    lexical_points,
    match_keywords,
    total,
)
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Match, Matches, Priority, Profile, Reason

__all__ = ["Matcher", "rank"]


class Matcher:
    """Ranks calls for profiles; builds its index once.

    ``Matcher(calls).rank(profile, now=now)`` → the best calls first, each with the reasons
    that add up to its score; blocked calls only when ``include_blocked=True``. Each ranking
    reads its profile once (:meth:`query`): the index, the score, the gates and the
    explanation read that :class:`~fundmatch.match.query.ProfileQuery`.
    """

    def __init__(
        self,
        calls: Iterable[Call],
        *,
        weights: Weights | None = None,
        meaning: Meaning | None = None,
    ) -> None:
        self.index = Index(calls, weights=weights)
        """The calls as TF-IDF vectors (sorted by id), built once."""
        self.meaning = meaning
        """The sentence model whose closeness of meaning counts beside the words (optional)."""
        self._vectors = meaning.calls(self.calls) if meaning is not None else None
        self._priority_terms: dict[int, list[tuple[Priority, frozenset[int]]]] = {}
        self._priority_rows = np.array(
            [i for i, call in enumerate(self.calls) if call.priorities], dtype=np.int64
        )
        """The calls that state what their programme funds (``Call.priorities``)."""
        self._keyword_targets: dict[int, KeywordTargets] = {}

    @property
    def calls(self) -> list[Call]:
        """The calls ranked, sorted by id (one per id)."""
        return self.index.calls

    @property
    def weights(self) -> Weights:
        """The numbers of the ranking (see ``docs/matching.md``)."""
        return self.index.weights

    def __len__(self) -> int:
        return len(self.index)

    def query(self, profile: Profile) -> ProfileQuery:
        """``profile`` read once, as every step of a ranking reads it."""
        return self.index.query(profile)

    def rank(
        self,
        profile: Profile,
        *,
        now: datetime | None = None,
        limit: int | None = 10,
        include_closed: bool = False,
        include_blocked: bool = False,
        min_score: float | None = None,
    ) -> Matches:
        """The calls that fit ``profile`` best, with reasons; ties broken by call id.

        ``now`` (aware) drives the deadline gate and the closing-soon adjustment; None skips
        them (every deadline is then "unknown"). Calls failing a gate are left out unless
        ``include_blocked``; closed calls pass the deadline gate when ``include_closed``.
        Calls scoring below ``min_score`` are left out: None means
        :attr:`Weights.min_score` (see ``docs/matching.md``), 0 keeps every call that scored.
        ``limit`` None returns every call that passes.
        """
        if not self.calls:
            return Matches(now=now, profile=profile)
        query = self.query(profile)
        cosines = self.index.cosines(query)
        if not len(cosines.columns):
            return Matches(now=now, profile=profile)
        w = self.weights
        floor = w.min_score if min_score is None else min_score
        levels = self._relevance(query, cosines)
        relevance = levels.ranked
        # The calls whose programme priorities match the profile are always scored: the
        # priority factor is not in the relevance the candidates are chosen by.
        stated = np.array(
            [
                i
                for i in self._priority_rows.tolist()
                if relevance[i] > 0 and self._priority_reason(i, levels) is not None
            ],
            dtype=np.int64,
        )
        page = fill(
            relevance,
            stated,
            self.calls,
            weights=w,
            limit=limit,
            floor=floor,
            most_else=self._most_else(query),
            most_else_of=lambda i, need: self._most_else(query, i, need),
            score=lambda i: self._reasons(i, levels, query, now),
            check=lambda i: gates(
                self.calls[i],
                profile,
                now=now,
                include_closed=include_closed,
                exclusions=query.exclusions,
            ),
            include_blocked=include_blocked,
        )
        explained = explain_page(
            self.index,
            query,
            cosines,
            [(i, reasons) for i, _, reasons, _, _ in page],
            levels.reading,
        )
        results = [
            Match(
                call=self.calls[i],
                score=score,
                reasons=tuple(reasons),
                blockers=tuple(blockers),
                notes=tuple(notes),
                partnership_gap=partnership_gap(self.calls[i], profile),
            )
            for (i, score, _, blockers, notes), reasons in zip(page, explained, strict=True)
        ]
        return Matches(results, now=now, profile=profile)

    def _most_else(self, query: ProfileQuery, row: int | None = None, need: float = 0.0) -> float:
        """The most points a call (``row``, or any) can add to its relevance's for ``query``:
        its keywords, the themes it shares, a budget fit (and closing soon, were it a bonus).
        For a ``row``, its keywords are looked at only when the rest falls short of ``need``."""
        w, profile, keywords = self.weights, query.profile, query.keywords
        themes = query.terms.themes.keys()
        shared = len(themes if row is None else themes & self.index.themes[row].keys())
        budget = profile.budget_min is not None or profile.budget_max is not None
        if row is not None:
            said = self.calls[row].budget
            budget &= said.per_project_min is not None or said.per_project_max is not None
        rest = min(w.theme, w.theme_each * shared) + (w.budget_fit if budget else 0.0)
        rest += max(w.closing_soon, 0.0)
        if not keywords or (row is not None and rest >= need):
            return rest
        found = len(keywords)
        if row is not None and not (self.calls[row].keywords or self.calls[row].tags):
            # A keyword meets a title only with one of its words there: the title's stems as
            # the index read them (the same stems as KeywordTargets', without reading it again).
            lexicon, named = self.index.lexicon, self.calls[row].title
            title = {lexicon.stems[i] for i in lexicon.ids(named, self.index.langs[row])}
            found = sum(
                any(title.intersection(form.split()) for form in forms) for _, forms in keywords
            )
        return rest + w.keyword * found / len(keywords)

    def _targets(self, row: int) -> KeywordTargets:
        """What call ``row``'s keywords, tags and title offer a profile's keywords (once)."""
        targets = self._keyword_targets.get(row)
        if targets is None:
            targets = KeywordTargets.of(self.calls[row], self.index.langs[row])
            self._keyword_targets[row] = targets
        return targets

    def explain(
        self,
        call: Call | str,
        profile: Profile,
        *,
        now: datetime | None = None,
        include_closed: bool = False,
    ) -> Match:
        """One call scored and gated for ``profile`` in one pass, whatever its score.

        ``call`` is a call of the index or its id. The :class:`Match` has every reason (the
        words behind each), every blocker and every note.
        """
        wanted = call if isinstance(call, str) else call.id
        index = next((i for i, c in enumerate(self.calls) if c.id == wanted), None)
        if index is None:
            raise MatchError(f"no call with id {wanted!r} among the {len(self.calls)} ranked")
        found = self.calls[index]
        query = self.query(profile)
        blockers, notes = gates(
            found,
            profile,
            now=now,
            include_closed=include_closed,
            exclusions=query.exclusions,
        )
        cosines = self.index.cosines(query)
        reasons: list[Reason] = []
        if len(cosines.columns):
            levels = self._relevance(query, cosines)
            reasons = self._reasons(index, levels, query, now)
            page = [(index, reasons)]
            (reasons,) = explain_page(self.index, query, cosines, page, levels.reading)
        return Match(
            call=found,
            score=total(reasons),
            reasons=tuple(reasons),
            blockers=tuple(blockers),
            notes=tuple(notes),
            partnership_gap=partnership_gap(found, profile),
        )

    def _relevance(self, query: ProfileQuery, cosines: Cosines) -> Levels:
        """Each call's relevance by its words alone, with closeness of meaning (when the
        matcher has a :class:`Meaning`), and as ranked: open-topic calls and the calls of
        an instrument the profile names raised.

        Meaning moves a call by ``Weights.meaning`` (``Weights.meaning_other`` for a profile
        not in English) of the profile's best relevance by words for each standard deviation
        its closeness stands above (or under) the mean closeness of the
        ``Weights.meaning_among`` calls best by words.
        Raised are the ``Weights.open_topic_calls`` open-topic calls whose own words fit the
        profile best, one per instrument (MSCA COFUND 2024 and 2025 are one), among those open
        to it: a call is open to a profile that does not say what it is, or that the call is
        known to take (an SME is not sent every fellowship programme whose applicants are
        unknown). Each is raised to ``lift`` plus a share of its own relevance, ``lift`` being
        at most a share of the profile's best match's. Then every call whose title names an
        instrument the profile names (Twinning, ERA Chairs: :mod:`~fundmatch.match.instruments`)
        gains ``Weights.instrument`` of the profile's best relevance by words, and every call
        of an instrument for a purpose the profile states ("strengthen the research capacity
        of our university": the Widening instruments) ``Weights.purpose`` of it.
        """
        w = self.weights
        lexical: npt.NDArray[np.float32] = cosines.cos + w.title_match * cosines.title
        best = float(lexical.max()) if len(lexical) else 0.0
        meant, closeness = lexical, None
        nudge = w.meaning if query.lang == "en" else w.meaning_other
        if self._vectors is not None and self.meaning is not None and nudge > 0 and best > 0:
            near = self._vectors @ self.meaning.profile(query.profile)
            among = max(1, min(w.meaning_among, len(lexical)))
            found = np.argpartition(-lexical, among - 1)[:among]
            spread = float(near[found].std())
            if spread > 0:
                deviations = (near - float(near[found].mean())) / spread
                meant = np.maximum(lexical + nudge * best * deviations, 0).astype(np.float32)
                closeness = near
        raised = self._raised(meant, best, query.profile)
        ranked, named = raised.copy(), dict[int, tuple[int, str, str]]()
        text = query.text
        said = {k: (words, "") for k, words in named_instruments(text).items()}
        wanted = {k: (words, purpose.name) for k, (purpose, words) in served(text).items()}
        for sought, weight in ((said, w.instrument), (wanted, w.purpose)):
            if weight <= 0 or best <= 0:
                continue
            for k, (words, purpose) in sought.items():
                for row in self.index.titled[k]:
                    if row not in named:  # raised once: a name counts before a purpose
                        named[row] = (k, words, purpose)
                        ranked[row] += weight * best
        weights = dict(zip(cosines.columns.tolist(), cosines.q.tolist(), strict=True))
        reading = Reading.of_profile(self.index, query)
        return Levels(lexical, meant, raised, ranked, closeness, named, query, weights, reading)

    def _raised(
        self, meant: npt.NDArray[np.float32], best: float, profile: Profile
    ) -> npt.NDArray[np.float32]:
        """``meant`` with the open-topic calls that fit the profile best raised."""
        w = self.weights
        lift = min(w.open_topic, w.open_topic_best * best)
        rows = self.index.open_rows
        kind = profile.organisation_type
        if kind is not None:
            rows = rows[[kind in self.calls[i].organisation_types for i in rows.tolist()]]
        if lift <= 0 or not len(rows) or w.open_topic_calls <= 0:
            return meant
        order = np.lexsort((rows, -meant[rows]))  # best fit first, ties by call id
        raised: dict[str, int] = {}  # one call per instrument, its best-fitting edition
        for row in rows[order].tolist():
            raised.setdefault(self.index.open_instruments[row], row)
            if len(raised) == w.open_topic_calls:
                break
        rows = np.fromiter(raised.values(), dtype=np.int64, count=len(raised))
        relevance = meant.copy()
        relevance[rows] = np.maximum(meant[rows], lift + w.open_topic_share * meant[rows])
        return relevance

    def _reasons(
        self,
        index: int,
        levels: Levels,
        query: ProfileQuery,
        now: datetime | None,
    ) -> list[Reason]:
        """The factors of call ``index``'s score for ``query``, each with its evidence."""
        w = self.weights
        call = self.calls[index]
        relevance = float(levels.lexical[index])
        meant = float(levels.meant[index])
        raised = float(levels.raised[index])
        ranked = float(levels.ranked[index])
        reasons = [
            Reason(
                factor="lexical",
                points=round(lexical_points(relevance, w), 2),
                evidence=f"relevance {relevance:.3f}",
            )
        ]
        if levels.closeness is not None and meant != relevance:
            closeness = levels.closeness
            closer = float((closeness < closeness[index]).sum()) / max(len(closeness) - 1, 1)
            if meant <= relevance:
                evidence = (
                    "further in meaning from the profile than most calls that share its words"
                )
            elif closer >= 1:
                evidence = "closer in meaning to the profile than any other call"
            else:  # rounded down: 99.6 % is not "100 %"
                evidence = (
                    f"closer in meaning to the profile than {int(closer * 100)}% of the other calls"
                )
            reasons.append(
                Reason(
                    factor="meaning",
                    points=round(lexical_points(meant, w) - lexical_points(relevance, w), 2),
                    evidence=f"{evidence} (multilingual sentence model)",
                )
            )
        if raised > meant:  # an open-topic call, raised for this profile
            reasons.append(
                Reason(
                    factor="open-topic",
                    points=round(lexical_points(raised, w) - lexical_points(meant, w), 2),
                    evidence=f"open to any field: the call says '{self.index.open_said[index]}'",
                )
            )
        if index in levels.named:  # the profile names the call's instrument, or its purpose
            k, words, purpose = levels.named[index]
            points = round(lexical_points(ranked, w) - lexical_points(raised, w), 2)
            name = INSTRUMENTS[k].name
            if purpose:
                reason = Reason(
                    factor="purpose",
                    points=points,
                    evidence=f"{name} is an instrument for {purpose}: the profile says '{words}'",
                )
            else:
                reason = Reason(
                    factor="instrument",
                    points=points,
                    evidence=f"the profile names the call's instrument, {name}: it says '{words}'",
                )
            reasons.append(reason)
        keywords = query.keywords
        if keywords:
            matched = match_keywords(keywords, self._targets(index), w.keyword_cutoff)
            if matched:
                reasons.append(
                    Reason(
                        factor="keyword",
                        points=round(w.keyword * len(matched) / len(keywords), 2),
                        evidence="; ".join(matched),
                    )
                )
        profile_themes = query.terms.themes
        shared = sorted(profile_themes.keys() & self.index.themes[index].keys())
        if shared:  # the words saying each are quoted for the page only (explain_page)
            table = self.index.theme_table.themes
            evidence = "; ".join(table[t].name for t in shared)
            reasons.append(
                Reason(
                    factor="theme",
                    points=round(min(w.theme, w.theme_each * len(shared)), 2),
                    evidence=f"both about {evidence}",
                )
            )
        if call.priorities:
            priority = self._priority_reason(index, levels)
            if priority is not None:
                reasons.append(priority)
        reasons.extend(adjustments(call, query.profile, now, w))
        return clip(reasons)

    def _priority_reason(self, index: int, levels: Levels) -> Reason | None:
        """What call ``index``'s programme funds that the profile's words match, quoted."""
        read = self._priority_terms.get(index)
        if read is None:  # each priority's columns, read once
            lang = self.index.langs[index]
            read = self._priority_terms[index] = [
                (p, frozenset(self.index.terms([(priority_text(p), 1.0)], lang).columns.tolist()))
                for p in self.calls[index].priorities
            ]
        base = self.index.stem_base
        wanted = set().union(*(columns for _, columns in read)) & levels.words.keys()
        found = levels.reading.find(sorted(c for c in wanted if c >= base or c < BIGRAMS), base)
        names = {c: phrase for c, (phrase, _) in found.items()}  # as the profile writes them
        return priority_reason(self.calls[index], read, levels.words, names, self.weights)


def rank(
    profile: Profile,
    calls: Iterable[Call],
    *,
    now: datetime | None = None,
    limit: int | None = 10,
    include_closed: bool = False,
    include_blocked: bool = False,
    min_score: float | None = None,
    meaning: Meaning | None = None,
) -> Matches:
    """Rank ``calls`` for ``profile`` once (builds a :class:`Matcher`; reuse one for many)."""
    return Matcher(calls, meaning=meaning).rank(
        profile,
        now=now,
        limit=limit,
        include_closed=include_closed,
        include_blocked=include_blocked,
        min_score=min_score,
    )
