"""Ranking results: the reasons of a score, eligibility checks, a match and the ranked list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any, Literal

from pydantic import Field

from fundmatch.display import age_text, fit_label, minute, shorten
from fundmatch.models.base import FundmatchModel
from fundmatch.models.call import Call, Deadline
from fundmatch.models.profile import Profile


class Reason(FundmatchModel):
    """One factor of a score: what counted, on what evidence, for how many points."""

    factor: str
    """The factor, e.g. ``lexical``, ``keyword``, ``theme``, ``closing-soon``."""
    points: float
    """Points this factor adds to the score (negative for a penalty)."""
    evidence: str = ""
    """What was matched and where, in words a person can check."""


class Check(FundmatchModel):
    """The outcome of one eligibility gate for one call."""

    gate: str
    """The gate: ``deadline``, ``instrument``, ``geography``, ``organisation``, ``budget``,
    ``partnership``, ``exclude``."""
    outcome: Literal["pass", "blocked", "unknown", "flag"]
    """``blocked`` rules the call out; ``unknown`` (the call does not say) never does;
    ``flag`` is worth knowing (e.g. not open yet)."""
    message: str
    """Why, in a sentence."""


class PartnershipGap(FundmatchModel):
    """What a profile's partnership still lacks to meet a call's minimum: a gap to close.

    A call whose minimum partners or countries the profile does not meet yet is not ruled
    out (the partnership gate flags it): ``PartnershipGap(partners=2, countries=2,
    min_countries=5, have_countries=3)`` reads "needs 2 more partners from 2 more
    countries". Each new country needs at least one new partner, so ``partners`` is never
    below ``countries``.
    """

    partners: int = Field(ge=0)
    """At least how many more partner organisations the call's minimum needs."""
    countries: int = Field(ge=0)
    """How many more countries the partnership must cover (0: enough countries)."""
    min_partners: int | None = None
    """The call's minimum number of partners, applicant included (None: not stated)."""
    min_countries: int | None = None
    """The call's minimum number of countries (None: not stated)."""
    have_partners: int | None = None
    """Organisations the profile has, itself included (None: it does not say)."""
    have_countries: int | None = None
    """Countries the profile's partnership covers, its own included (None: not known)."""

    def __str__(self) -> str:
        """``needs 2 more partners from 2 more countries``."""
        partners = f"{self.partners} more partner{'s' if self.partners != 1 else ''}"
        if not self.countries:
            return f"needs {partners}"
        countries = f"{self.countries} more countr{'ies' if self.countries != 1 else 'y'}"
        return f"needs {partners} from {countries}"


class Match(FundmatchModel):
    """A call ranked for a profile: its score, the reasons that add up to it, its blockers."""

    call: Call
    """The call."""
    score: float = Field(ge=0, le=100)
    """Relevance, 0 to 100: the sum of the reasons' points, clipped to that range."""
    reasons: tuple[Reason, ...] = ()
    """Every factor of the score with its points and evidence."""
    blockers: tuple[Check, ...] = ()
    """Gates the call fails for this profile; empty when the profile may apply."""
    notes: tuple[Check, ...] = ()
    """Gates that could not be decided (unknown) and flags worth reading."""
    partnership_gap: PartnershipGap | None = None
    """What the profile's partnership lacks for the call's minimum partners or countries (the
    partnership gate's flag, as a fact); None when the minimum is met, or when the call or the
    profile does not say enough to tell. Never a blocker: partners can be found."""

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """A short repr: score, the call's id and title, the count of reasons and blockers."""
        yield "score", round(self.score, 1)
        yield "call", self.call.id
        yield "title", shorten(self.call.title, 60)
        yield "reasons", len(self.reasons)
        if self.blockers:
            yield "blockers", [b.gate for b in self.blockers]

    def _repr_html_(self) -> str:
        """A small table for notebooks: score, title (linked), deadlines, reasons, blockers."""
        call = self.call
        title = escape(call.title)
        if call.url:
            title = f'<a href="{escape(call.url)}">{title}</a>'
        deadlines = "<br>".join(
            escape(
                f"{minute(d.local())} {d.timezone or ''}".strip()
                + (f" ({d.label})" if d.label else "")
            )
            for d in call.deadlines
        )
        reasons = "<br>".join(
            escape(f"{r.points:+.1f} {r.factor}" + (f": {r.evidence}" if r.evidence else ""))
            for r in sorted(self.reasons, key=lambda r: r.points, reverse=True)
        )
        rows = [
            ("score", f"{self.score:.1f}"),
            ("title", f"{title}<br><small>{escape(call.id)}</small>"),
            ("deadline", deadlines or "not stated"),
            ("reasons", reasons or "none"),
        ]
        if self.blockers:
            blocked = "<br>".join(escape(f"{b.gate}: {b.message}") for b in self.blockers)
            rows.append(("blocked", blocked))
        body = "".join(
            f'<tr><th style="text-align:left">{k}</th><td>{v}</td></tr>' for k, v in rows
        )
        return f"<table>{body}</table>"


@dataclass(frozen=True)
class LeftOut:
    """What a ranked list leaves out and how to see it: the facts under a list of matches."""

    shown: int
    """Calls in the list."""
    min_score: float
    """The minimum score the list was made with."""
    more: int = 0
    """Calls at the minimum or more beyond the list's limit."""
    under: int = 0
    """Calls that scored, but under the minimum score."""
    closed: int = 0
    """Closed calls that would rank in the list (or above its last call) if closed calls were
    included."""
    ruled_out: int = 0
    """Calls a gate rules out that would rank in the list (or above its last call)."""

    full: bool = False
    """Whether the list reached its limit (then ``closed`` and ``ruled_out`` count only the
    calls scoring more than its last call)."""
    hints: dict[str, str] = field(default_factory=dict)
    """How to see each kind of call left out, by ``more``, ``under``, ``closed`` and
    ``ruled_out`` (default: the options of ``fundmatch match``)."""

    def sentence(self) -> str:
        """``5 calls shown; 31 more scored under 12.5 (--min-score 0); 4 closed and 2 ruled
        out also score 12.5 or more (--include-closed, --include-blocked)`` (when the list is
        full: ``... would rank higher ...``)."""
        hint = {**_HINTS, **self.hints}
        parts = [f"{self.shown} call{'s' if self.shown != 1 else ''} shown"]
        if self.more:
            parts.append(f"{self.more} more scored {self.min_score:g} or more ({hint['more']})")
        if self.under:
            parts.append(f"{self.under} more scored under {self.min_score:g} ({hint['under']})")
        hidden, flags = [], []
        if self.closed:
            hidden.append(f"{self.closed} closed")
            flags.append(hint["closed"])
        if self.ruled_out:
            hidden.append(f"{self.ruled_out} ruled out")
            flags.append(hint["ruled_out"])
        if hidden:
            where = "would rank higher" if self.full else f"also score {self.min_score:g} or more"
            parts.append(f"{' and '.join(hidden)} {where} ({', '.join(flags)})")
        return "; ".join(parts)


_HINTS = {
    "more": "--limit",
    "under": "--min-score 0",
    "closed": "--include-closed",
    "ruled_out": "--include-blocked",
}


class Matches(list[Match]):
    """The ranked matches of one profile, best first: a plain list with a readable display.

    ``now`` (the moment of the ranking) and ``profile`` are optional context: with ``now``
    the displays show each call's next deadline. ``data_date`` is the day the calls were read
    (:meth:`data_age` says it with its age at ``now``); ``left_out`` says what the list leaves
    out and how to see it (:func:`fundmatch.shortlist` fills both). In a notebook it shows as a
    table (``_repr_html_``); :meth:`to_dataframe` gives a pandas DataFrame when pandas is
    installed.
    """

    def __init__(
        self,
        matches: Iterable[Match] = (),
        *,
        now: datetime | None = None,
        profile: Profile | None = None,
        data_date: date | None = None,
        left_out: LeftOut | None = None,
    ) -> None:
        super().__init__(matches)
        self.now = now
        self.profile = profile
        self.data_date = data_date
        self.left_out = left_out

    def data_age(self) -> str | None:
        """``data of 17 Aug 2026, 112 days old`` (the age at ``now``), or None when the data's
        date is unknown."""
        if self.data_date is None:
            return None
        if self.now is None:
            return f"data of {self.data_date.day} {self.data_date:%b %Y}"
        return f"data of {age_text(self.data_date, self.now)}"

    def __repr__(self) -> str:
        ids = max((len(m.call.id) for m in self), default=0)
        rows = [
            f"{m.score:5.1f}  {fit_label(m.score):10s}  {m.call.id:{ids}s}  "
            + shorten(m.call.title, 60)
            for m in self
        ]
        said = (self.data_age(), None if self.left_out is None else self.left_out.sentence())
        tail = [line for line in said if line]
        return f"Matches({len(self)})" + "".join(f"\n  {row}" for row in [*rows, *tail])

    def _deadline_of(self, call: Call) -> Deadline | None:
        if self.now is not None:
            return call.next_deadline(self.now)
        return call.deadlines[-1] if call.deadlines else None

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for rank, m in enumerate(self, 1):
            deadline = self._deadline_of(m.call)
            best = sorted(m.reasons, key=lambda r: r.points, reverse=True)[:3]
            rows.append(
                {
                    "rank": rank,
                    "score": round(m.score, 1),
                    "fit": fit_label(m.score),
                    "id": m.call.id,
                    "title": m.call.title,
                    "programme": m.call.programme,
                    "next_deadline": None if deadline is None else deadline.local(),
                    "timezone": None if deadline is None else deadline.timezone,
                    "status": None if self.now is None else m.call.status(self.now),
                    "reasons": "; ".join(f"{r.factor} {r.points:+.1f}" for r in best),
                    "blockers": "; ".join(f"{b.gate}: {b.message}" for b in m.blockers),
                    "url": m.call.url,
                }
            )
        return rows

    def _repr_html_(self) -> str:
        """An HTML table for notebooks: score, title, programme, next deadline, top reasons."""
        head = "".join(
            f"<th>{h}</th>" for h in ("#", "score", "title", "programme", "deadline", "reasons")
        )
        body = []
        for row in self._rows():
            title = escape(row["title"])
            if row["url"]:
                title = f'<a href="{escape(row["url"])}">{title}</a>'
            deadline = row["next_deadline"]
            when = "" if deadline is None else f"{minute(deadline)} {row['timezone'] or ''}"
            reasons = escape(row["reasons"])
            if row["blockers"]:
                reasons += f"<br><b>blocked</b>: {escape(row['blockers'])}"
            cells = (
                str(row["rank"]),
                f"{row['score']:.1f}<br><small>{row['fit']}</small>",
                f"{title}<br><small>{escape(row['id'])}</small>",
                escape(row["programme"] or ""),
                escape(when.strip()),
                reasons,
            )
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        caption = f"{len(self)} match{'es' if len(self) != 1 else ''}"
        if self.profile is not None:
            caption += f" for {escape(self.profile.name)}"
        age = self.data_age()
        if age:
            caption += f" ({escape(age)})"
        foot = ""
        if self.left_out is not None:
            foot = (
                f'<tfoot><tr><td colspan="6">{escape(self.left_out.sentence())}</td></tr></tfoot>'
            )
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody>{foot}</table>"
        )

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per match (pandas is optional: install it to use this).

        Columns: rank, score, id, title, programme, next_deadline (aware, in the call's
        zone), timezone, status, reasons, blockers, url, fit (the score's plain label).
        """
        import importlib

        try:
            pandas = importlib.import_module("pandas")
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                "Matches.to_dataframe() needs pandas: pip install pandas"
            ) from exc
        columns = ["rank", "score", "id", "title", "programme", "next_deadline"]
        columns += ["timezone", "status", "reasons", "blockers", "url", "fit"]
        return pandas.DataFrame(self._rows(), columns=columns)
