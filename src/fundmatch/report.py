"""The HTML report of a profile's matches: one self-contained page with a deadline timeline.

Pure: matches, profile and ``now`` in, HTML text out. The page has no scripts and makes no
network request (inline CSS, inline SVG); links to call pages are plain anchors.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from html import escape

from fundmatch.application import application
from fundmatch.display import (
    country_code,
    deadline_sentence,
    deadline_text,
    fit_label,
    reason_text,
    shorten,
)
from fundmatch.models import Call, Match, Matches, Partners, Profile

__all__ = ["render_report", "timeline_svg"]

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733;
       margin: 0 auto; max-width: 1040px; padding: 24px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.2em; margin: 28px 0 8px; }
.meta { color: #5b6775; margin: 0 0 16px; }
dl.profile { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.profile dt { font-weight: 600; color: #3b4654; } dl.profile dd { margin: 0; }
ol.calls { padding: 0; list-style: none; counter-reset: rank; }
ol.calls > li { border: 1px solid #d8dee6; border-radius: 8px; padding: 12px 16px; margin: 10px 0; }
ol.calls > li.blocked { background: #fbf6f6; border-color: #e6caca; }
.head { display: flex; gap: 12px; align-items: baseline; }
.score { font-weight: 700; font-size: 1.25em; min-width: 3.2em; color: #0b5cad; }
.blocked .score { color: #8a5a5a; }
.fit { display: block; font-size: 0.55em; font-weight: 600; text-transform: uppercase;
       letter-spacing: 0.03em; white-space: nowrap; }
.left-out { color: #3b4654; margin: 8px 0 0; }
.title { font-weight: 600; } .sub { color: #5b6775; font-size: 0.9em; }
ul.reasons, ul.checks { margin: 6px 0 0; padding-left: 20px; }
.pts { font-variant-numeric: tabular-nums; font-weight: 600; }
.check-blocked { color: #a12622; } .check-unknown, .check-flag { color: #7a5b00; }
svg { width: 100%; height: auto; }
.empty { color: #5b6775; font-style: italic; }
.partners { margin: 8px 0 0; font-size: 0.92em; }
.partners ul { margin: 2px 0; padding-left: 20px; }
"""

_COUNTRIES = 8
"""Eligible countries named on a call's line; more are counted ("and 36 more")."""

# Timeline geometry, in SVG user units (the viewBox scales it to the page width).
_WIDTH = 1000
_LABEL = 300
_ROW = 26
_TOP = 34
_RIGHT = 20


def _x(moment: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds() or 1.0
    return _LABEL + (_WIDTH - _LABEL - _RIGHT) * (moment - start).total_seconds() / span


def _months(start: datetime, end: datetime) -> list[datetime]:
    first = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ticks: list[datetime] = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        tick = first.replace(year=year, month=month)
        if tick > end:
            return ticks
        ticks.append(tick)


def timeline_svg(calls: Iterable[Call], *, now: datetime, ruled_out: Collection[str] = ()) -> str:
    """An inline SVG: one row per call, a bar from opening to each stage deadline, today marked.

    Calls without a known opening start their bar at the left edge (drawn faded); calls
    without a deadline say so on their row; calls whose id is in ``ruled_out`` are drawn in red.
    """
    calls = list(calls)
    moments = [now]
    for call in calls:
        moments += [d.at for d in call.deadlines]
        if call.opening is not None:
            moments.append(call.opening)
    start = min(moments) - timedelta(days=7)
    end = max(moments) + timedelta(days=14)
    if end - start < timedelta(days=60):
        end = start + timedelta(days=60)
    height = _TOP + _ROW * max(len(calls), 1) + 12
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'role="img" aria-labelledby="timeline-title">',
        '<title id="timeline-title">Deadlines of the ranked calls</title>',
        f'<rect x="0" y="0" width="{_WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    # Month ticks: a light line per month, a label when the months are not too crowded.
    ticks = _months(start, end)
    step = max(1, len(ticks) // 12)
    for i, tick in enumerate(ticks):
        x = _x(tick, start, end)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP - 6}" x2="{x:.1f}" y2="{height - 8}" '
            'stroke="#e3e8ee" stroke-width="1"/>'
        )
        if i % step == 0:
            # The year on January, and on the first tick unless a January follows closely.
            with_year = tick.month == 1 or (i == 0 and tick.month < 11)
            label = f"{tick:%b %Y}" if with_year else f"{tick:%b}"
            parts.append(
                f'<text x="{x + 3:.1f}" y="{_TOP - 12}" font-size="11" fill="#5b6775">'
                f"{label}</text>"
            )
    for row, call in enumerate(calls):
        y = _TOP + row * _ROW + _ROW / 2
        label = escape(shorten(f"{row + 1}. {call.title}", 44))
        parts.append(
            f'<text x="4" y="{y + 4:.1f}" font-size="12" fill="#1d2733">'
            f"<title>{escape(call.title)}</title>{label}</text>"
        )
        if not call.deadlines:
            parts.append(
                f'<text x="{_LABEL + 4}" y="{y + 4:.1f}" font-size="12" fill="#8a96a3" '
                'font-style="italic">no known deadline</text>'
            )
            continue
        known_opening = call.opening is not None
        bar_start = _x(call.opening or start, start, end)
        bar_end = _x(call.deadlines[-1].at, start, end)
        parts.append(
            f'<rect x="{bar_start:.1f}" y="{y - 5:.1f}" width="{max(bar_end - bar_start, 1):.1f}" '
            f'height="10" rx="3" fill="{"#e7b3b0" if call.id in ruled_out else "#9cc3ea"}" '
            f'fill-opacity="{1 if known_opening else 0.45}"/>'
        )
        for stage, deadline in enumerate(call.deadlines, 1):
            x = _x(deadline.at, start, end)
            past = deadline.at <= now
            colour = "#8a96a3" if past else "#0b5cad"
            parts.append(
                f'<path d="M{x:.1f} {y - 8:.1f} L{x + 7:.1f} {y:.1f} L{x:.1f} {y + 8:.1f} '
                f'L{x - 7:.1f} {y:.1f} Z" fill="{colour}" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(call.title)}: {escape(deadline_text(deadline))}</title></path>"
            )
            if len(call.deadlines) > 1:
                parts.append(
                    f'<text x="{x + 9:.1f}" y="{y - 4:.1f}" font-size="9" fill="#5b6775">'
                    f"{stage}</text>"
                )
    today = _x(now, start, end)
    parts.append(
        f'<line x1="{today:.1f}" y1="{_TOP - 8}" x2="{today:.1f}" y2="{height - 6}" '
        'stroke="#d0312d" stroke-width="2"/>'
    )
    # Label on the right of the line, or on its left near the right edge.
    anchor, dx = ("end", -4) if today > _WIDTH - 140 else ("start", 4)
    parts.append(
        f'<text x="{today + dx:.1f}" y="{height - 2}" font-size="11" fill="#d0312d" '
        f'font-weight="600" text-anchor="{anchor}">today {now:%d %b %Y}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _profile_html(profile: Profile) -> str:
    rows: list[tuple[str, str]] = [("Name", profile.name)]
    if profile.description:
        rows.append(("Description", profile.description))
    if profile.keywords:
        rows.append(("Keywords", ", ".join(profile.keywords)))
    where = ", ".join(country_code(v) for v in (profile.region, profile.country) if v)
    if where:
        rows.append(("Established in", where))
    if profile.organisation_type:
        rows.append(("Organisation", profile.organisation_type))
    rows.append(("Instruments", ", ".join(profile.instruments)))
    if profile.budget_min is not None or profile.budget_max is not None:
        low = "" if profile.budget_min is None else f"{profile.budget_min:,.0f}"
        high = "" if profile.budget_max is None else f"{profile.budget_max:,.0f}"
        rows.append(("Budget (EUR)", f"{low} – {high}".strip(" –")))
    if profile.prep_days:
        rows.append(("Preparation", f"{profile.prep_days} days"))
    if profile.languages:
        rows.append(("Languages", ", ".join(profile.languages)))
    if profile.partner_countries:
        rows.append(
            ("Partner countries", ", ".join(country_code(c) for c in profile.partner_countries))
        )
    if profile.exclude:
        rows.append(("Excluded terms", ", ".join(profile.exclude)))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f'<dl class="profile">{items}</dl>'


def _partners_html(needs: Mapping[str, Partners]) -> str:
    """The best candidate partners per missing country, with the projects that make the case."""
    if not needs:
        return ""
    first = next(iter(needs.values()))
    items = []
    for country, found in needs.items():
        people = "".join(
            f"<li>{escape(p.name)} ({escape(p.type)}{', ' + escape(p.region) if p.region else ''})"
            f" — {escape(', '.join(e.acronym for e in p.evidence))}</li>"
            for p in found
        )
        items.append(f"<li><b>{escape(country or '?')}</b><ul>{people}</ul></li>")
    return (
        f'<div class="partners">Partnership: {escape(first.needs or "")}. '
        "Organisations that ran funded projects like this one (CORDIS):"
        f"<ul>{''.join(items)}</ul></div>"
    )


def _match_html(
    rank: int,
    match: Match,
    now: datetime,
    profile: Profile,
    needs: Mapping[str, Partners] | None = None,
) -> str:
    call = match.call
    title = escape(call.title)
    if call.url:
        title = f'<a href="{escape(call.url)}">{title}</a>'
    nxt = call.next_deadline(now)
    when = "no deadline left" if call.deadlines else "no known deadline"
    if nxt is not None:
        when = f"next deadline {deadline_sentence(nxt, now=now)}"
    sub = " · ".join(
        escape(part) for part in (call.id, call.programme or "", call.status(now), when) if part
    )
    countries = ""
    if call.countries:
        codes = [country_code(c) for c in call.countries]
        listed = ", ".join(codes[:_COUNTRIES])
        if len(codes) > _COUNTRIES:
            listed += f" and {len(codes) - _COUNTRIES} more"
        countries = " · countries " + escape(listed)
    how = f'<div class="sub">application: {escape(application(call, profile))}{countries}</div>'
    reasons = "".join(
        f'<li><span class="pts">{r.points:+.1f}</span> {escape(reason_text(r))}</li>'
        for r in sorted(match.reasons, key=lambda r: r.points, reverse=True)
    )
    shown = [c for c in (*match.blockers, *match.notes) if c.outcome != "unknown"]
    checks = "".join(
        f'<li class="check-{c.outcome}"><b>{escape(c.outcome)}</b> '
        f"{escape(c.gate)}: {escape(c.message)}</li>"
        for c in shown
    )
    # Gates the call does not speak to never block; one line says which they are.
    unknown = [c.gate for c in match.notes if c.outcome == "unknown"]
    if unknown:
        checks += (
            '<li class="check-unknown"><b>not stated by the call</b> '
            f"{escape(', '.join(unknown))}</li>"
        )
    css = "blocked" if match.blockers else "eligible"
    return (
        f'<li class="{css}" id="call-{rank}"><div class="head">'
        f'<span class="score">{match.score:.0f}<span class="fit">{fit_label(match.score)}</span>'
        "</span>"
        f'<div><div class="title">{rank}. {title}</div><div class="sub">{sub}</div>{how}</div>'
        "</div>"
        + (f'<ul class="reasons">{reasons}</ul>' if reasons else "")
        + (f'<ul class="checks">{checks}</ul>' if checks else "")
        + _partners_html(needs or {})
        + "</li>"
    )


def render_report(
    matches: Iterable[Match],
    *,
    profile: Profile,
    now: datetime,
    title: str | None = None,
    partners: Mapping[str, Mapping[str, Partners]] | None = None,
) -> str:
    """The HTML report: the profile, a timeline of deadlines and the ranked calls.

    Matches without blockers come first in their order, then those ruled out (with their
    blockers), each with every reason of its score, its plain label and how the profile would
    apply. When ``matches`` is a :class:`Matches` with ``data_date`` and ``left_out``, the page
    says the data's date and age and, under the list, what it leaves out. ``now`` marks today
    on the timeline and decides each call's status and next deadline. ``partners`` (call id →
    country → candidates, see :func:`fundmatch.partners.missing_partners`) shows, under a call
    whose partnership the profile does not meet yet, the best candidates per missing country.
    """
    needs = partners or {}
    ranked = list(matches)
    eligible = [m for m in ranked if not m.blockers]
    blocked = [m for m in ranked if m.blockers]
    ordered = eligible + blocked
    heading = title or f"Funding calls for {profile.name}"
    data_age = matches.data_age() if isinstance(matches, Matches) else None
    left_out = matches.left_out if isinstance(matches, Matches) else None
    meta = f"{len(eligible)} call(s) fit, {len(blocked)} ruled out · made {now:%d %b %Y %H:%M %Z}"
    if data_age:
        meta += f" · {data_age}"
    sections = [
        f"<h1>{escape(heading)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        "<h2>Profile</h2>",
        _profile_html(profile),
        "<h2>Deadlines</h2>",
        timeline_svg([m.call for m in ordered], now=now, ruled_out={m.call.id for m in blocked})
        if ordered
        else '<p class="empty">No calls to show.</p>',
        "<h2>Ranked calls</h2>",
    ]
    if eligible:
        items = "".join(
            _match_html(i, m, now, profile, needs.get(m.call.id)) for i, m in enumerate(eligible, 1)
        )
        sections.append(f'<ol class="calls">{items}</ol>')
    else:
        sections.append('<p class="empty">No call fits this profile at the moment.</p>')
    if left_out is not None:
        sections.append(f'<p class="left-out">{escape(left_out.sentence())}</p>')
    if blocked:
        sections.append("<h2>Ruled out</h2>")
        start = len(eligible) + 1
        items = "".join(
            _match_html(i, m, now, profile, needs.get(m.call.id))
            for i, m in enumerate(blocked, start)
        )
        sections.append(f'<ol class="calls">{items}</ol>')
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Belt and braces: even a browser that would fetch something may not.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{escape(heading)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
