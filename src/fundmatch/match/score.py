"""The factors of a score: keyword pairs, adjustments, clipping."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from rapidfuzz import fuzz, process

from fundmatch.match.query import stem_as_english, stemmed
from fundmatch.match.weights import Weights
from fundmatch.models import Call, Profile, Reason
from fundmatch.text import tokens, words

__all__ = [
    "KeywordTargets",
    "adjustments",
    "amount_range",
    "clip",
    "lexical_points",
    "match_keywords",
    "total",
]


def lexical_points(relevance: float, w: Weights) -> float:
    """The lexical factor's points for a relevance: calibrated, see ``docs/matching.md``."""
    return w.lexical * (1 - math.exp(-relevance / w.lexical_scale))


def total(reasons: list[Reason]) -> float:
    """A score: its reasons' points added up, within 0-100."""
    return min(max(round(sum(r.points for r in reasons), 2), 0.0), 100.0)


def clip(reasons: list[Reason]) -> list[Reason]:
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


# --- keywords ------------------------------------------------------------------------


@dataclass(slots=True)
class KeywordTargets:
    """A call's keywords, tags and title windows stemmed in the call's language (as English
    stems where known, like a profile's keywords: :func:`~fundmatch.match.query.stemmed`),
    built on first use."""

    whole: dict[str, tuple[str, str]]
    title_words: list[str]
    title_stems: list[str]
    windows: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)
    title: str = ""
    stem_set: frozenset[str] = frozenset()

    @classmethod
    def of(cls, call: Call, lang: str = "en") -> KeywordTargets:
        whole = {
            stemmed(t, lang): (where, t)
            for where, ts in (("keywords", call.keywords), ("tags", call.tags))
            for t in ts
        }
        title = call.title
        written = words(title)
        lowered = tokens(title)
        if len(written) != len(lowered):  # a sign lower case splits otherwise: read as such
            written = lowered
        stems = [stem_as_english(t, lang) for t in lowered]
        return cls(whole, written, stems, title=title, stem_set=frozenset(stems))

    def title_windows(self, size: int) -> dict[str, tuple[int, int]]:
        """Stemmed runs of ``size`` title words → where they stand (first word, after last)."""
        cached = self.windows.get(size)
        if cached is None:
            cached = {}
            for i in range(len(self.title_stems) - size + 1):
                window = " ".join(filter(None, self.title_stems[i : i + size]))
                if window and window not in cached:
                    cached[window] = (i, i + size)
            self.windows[size] = cached
        return cached

    def written(self, low: int, high: int) -> str:
        """Title words ``low`` to ``high`` as they stand in the title, without the stop words
        at either end."""
        while low < high - 1 and not self.title_stems[low]:
            low += 1
        while high > low + 1 and not self.title_stems[high - 1]:
            high -= 1
        return _as_written(self.title_words[low:high], self.title)


def match_keywords(
    keywords: Sequence[tuple[str, tuple[str, ...]]],
    targets: KeywordTargets,
    cutoff: float,
) -> list[str]:
    """Profile keywords found (fuzzily) in the call's keywords, tags or title, with the pair.

    Each keyword is tried in each of its stemmed forms (:func:`~fundmatch.match.query.
    keyword_forms`), the profile's language first, and counts once. Keywords and tags are
    compared whole; the title by windows of about the keyword's length, so "energy" does not
    match every title that contains "energy" somewhere in a longer phrase unless it stands
    there as such.
    """
    found = []
    for original, forms in keywords:
        for norm in forms:
            said = _keyword_found(original, norm, targets, cutoff)
            if said is not None:
                found.append(said)
                break
    return found


def _keyword_found(original: str, norm: str, targets: KeywordTargets, cutoff: float) -> str | None:
    hit = None
    if targets.whole:  # a call without keywords or tags has nothing to compare whole
        hit = process.extractOne(norm, targets.whole.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
    if hit is not None:
        where, target = targets.whole[hit[0]]
        kind = "tag" if where == "tags" else "keyword"
        return f"'{original}' is the call's {kind} '{target}'"
    if not targets.stem_set.intersection(norm.split()):
        return None  # no word of the keyword in the title: no title window can match
    size = len(norm.split())
    for n in range(max(1, size - 1), size + 2):
        windows = targets.title_windows(n)
        hit = process.extractOne(norm, windows.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is not None:
            return f"'{original}' is in the call's title ('{targets.written(*windows[hit[0]])}')"
    return None


def _as_written(run: list[str], text: str) -> str:
    """Consecutive words of ``text`` as they stand there, signs between them included."""
    pattern = r"[\W_]+".join(re.escape(w) for w in run)
    found = re.search(rf"(?<!\w){pattern}(?!\w)", text)
    return found.group(0) if found else " ".join(run)


# --- adjustments -----------------------------------------------------------------------


def adjustments(call: Call, profile: Profile, now: datetime | None, w: Weights) -> list[Reason]:
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
                    evidence=f"the call grants {amount_range(low, high, call.budget.currency)} "
                    "a project; the profile seeks "
                    f"{amount_range(profile.budget_min, profile.budget_max)}",
                )
            )
    return out


def amount_range(low: Decimal | None, high: Decimal | None, currency: str = "EUR") -> str:
    """An amount range in words: "50,000 to 1,500,000 EUR", "up to 400,000 EUR"."""
    if low is not None and high is not None:
        if low == high:
            return f"{low:,.0f} {currency}"
        return f"{low:,.0f} to {high:,.0f} {currency}"
    if high is not None:
        return f"up to {high:,.0f} {currency}"
    if low is not None:
        return f"at least {low:,.0f} {currency}"
    return "an amount not given"
