"""The HTML report (pure rendering) and the notebook display of matches."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.ranking import DEFAULT_MIN_SCORE, report_matches
from fundmatch.report import timeline_svg

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
BRUSSELS = "Europe/Brussels"


def calls() -> list[fm.Call]:
    return [
        fm.Call(
            id="HORIZON-CL5-2024-D4-02-01",
            title="Open data for smart cities",
            programme="Horizon Europe",
            url="https://ec.europa.eu/x?a=1&b=2",
            opening=datetime(2024, 5, 2, tzinfo=UTC),
            deadlines=[
                fm.Deadline(at=datetime(2024, 9, 17, 17), timezone=BRUSSELS),
                fm.Deadline(at=datetime(2025, 2, 18, 17), timezone=BRUSSELS),
            ],
            deadline_model="two-stage",
        ),
        fm.Call(
            id="EMED-3",
            title="Données ouvertes en Méditerranée",
            programme="Interreg Euro-MED",
            deadlines=[fm.Deadline(at=datetime(2024, 5, 15, 12), timezone="Europe/Paris")],
        ),
        fm.Call(id="LIFE-X", title="No deadline <script>alert(1)</script>", programme="LIFE"),
    ]


def matches() -> fm.Matches:
    one, two, three = calls()
    profile = fm.Profile(name="Marseille open data SME", region="FRL04", keywords=("open data",))
    return fm.Matches(
        [
            fm.Match(
                call=one,
                score=81.2,
                reasons=(
                    fm.Reason(factor="keyword", points=50, evidence="'open data' in the title"),
                    fm.Reason(factor="lexical", points=31.2, evidence="smart, cities"),
                ),
                notes=(
                    fm.Check(gate="budget", outcome="unknown", message="the call does not say"),
                ),
            ),
            fm.Match(
                call=three,
                score=30,
                blockers=(fm.Check(gate="deadline", outcome="blocked", message="no deadline"),),
            ),
            fm.Match(call=two, score=12, reasons=(fm.Reason(factor="theme", points=12),)),
        ],
        now=NOW,
        profile=profile,
    )


class Tags(HTMLParser):
    """Collects the tags and their attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def render() -> str:
    ranked = matches()
    assert ranked.profile is not None
    return fm.render_report(ranked, profile=ranked.profile, now=NOW)


def test_report_is_self_contained() -> None:
    tags = parse(render())
    names = [tag for tag, _ in tags]
    assert "script" not in names
    assert "link" not in names and "img" not in names and "iframe" not in names
    # Anchors to call pages are the only URLs; nothing is loaded from anywhere.
    loaded = [a for _, attrs in tags for k, a in attrs.items() if k in ("src", "srcset", "data")]
    assert loaded == []
    assert ("meta", {"charset": "utf-8"}) in tags


def test_report_shows_profile_ranked_calls_reasons_and_blockers() -> None:
    page = render()
    assert "Marseille open data SME" in page
    assert "FRL04" in page
    assert page.index("Open data for smart cities") < page.index("Données ouvertes")
    # Reasons in plain words: the evidence as written, no internal factor names.
    assert "+50.0</span> &#x27;open data&#x27; in the title" in page
    assert "Ruled out" in page
    assert "deadline: no deadline" in page
    assert "not stated by the call</b> budget" in page
    assert 'href="https://ec.europa.eu/x?a=1&amp;b=2"' in page
    assert "Tuesday 17 September 2024, 17:00 Brussels time (108 days left)" in page


def test_report_escapes_call_text() -> None:
    page = render()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_timeline_has_a_row_per_call_a_marker_per_stage_and_today() -> None:
    svg = timeline_svg(calls(), now=NOW)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert len(re.findall(r"<path d=", svg)) == 3  # 2 stages + 1 deadline
    assert "no known deadline" in svg
    assert "today 01 Jun 2024" in svg
    # The past deadline (15 May) is drawn grey, the coming ones blue.
    assert svg.count('fill="#8a96a3" stroke') == 1
    assert svg.count('fill="#0b5cad" stroke') == 2
    # Elements of well-formed SVG: every opened tag that needs closing is closed.
    for tag in ("svg", "text", "title", "path"):
        opened = len(re.findall(rf"<{tag}[\s>]", svg))
        assert opened == svg.count(f"</{tag}>"), tag


def test_timeline_of_today_marks_it_left_to_right() -> None:
    svg = timeline_svg(calls()[:1], now=NOW)
    today = float(re.search(r'<line x1="([\d.]+)"[^>]*stroke="#d0312d"', svg).group(1))  # type: ignore[union-attr]
    stage = float(re.search(r'<path d="M([\d.]+)', svg).group(1))  # type: ignore[union-attr]
    assert today < stage


def test_report_with_no_matches() -> None:
    page = fm.render_report([], profile=fm.Profile(name="p"), now=NOW)
    assert "No call fits this profile" in page


# --- notebook display -----------------------------------------------------------------


def test_matches_repr_is_readable() -> None:
    text = repr(matches())
    lines = text.splitlines()
    assert lines[0] == "Matches(3)"
    assert lines[1] == "   81.2  strong fit  HORIZON-CL5-2024-D4-02-01  Open data for smart cities"
    assert lines[3].startswith("   12.0  weak fit    EMED-3    ")
    assert lines[3].endswith("  Données ouvertes en Méditerranée")


def test_matches_repr_columns_are_aligned() -> None:
    rows = repr(matches()).splitlines()[1:]
    starts = zip(rows, ("Open", "No deadline", "Données"), strict=True)
    titles = {row.index(title) for row, title in starts}
    assert len(titles) == 1  # every title starts in the same column, whatever the id's length


def test_matches_html_table() -> None:
    html = matches()._repr_html_()
    tags = [tag for tag, _ in parse(html)]
    assert tags.count("tr") == 4  # header + 3 matches
    assert "<th>score</th>" in html
    assert "81.2" in html and "Horizon Europe" in html
    assert "2024-09-17 17:00 Europe/Brussels" in html  # next deadline at the ranking's now
    assert "keyword +50.0; lexical +31.2" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "for Marseille open data SME" in html


def test_matches_without_now_show_the_last_deadline() -> None:
    plain = fm.Matches(list(matches()))
    assert "2025-02-18 17:00 Europe/Brussels" in plain._repr_html_()


def test_matches_to_dataframe() -> None:
    pytest.importorskip("pandas")
    frame = matches().to_dataframe()
    assert list(frame["id"]) == ["HORIZON-CL5-2024-D4-02-01", "LIFE-X", "EMED-3"]
    assert list(frame.columns[:3]) == ["rank", "score", "id"]
    assert frame["next_deadline"][0] == datetime(2024, 9, 17, 15, tzinfo=UTC)
    assert frame["status"][0] == "open"
    assert list(frame["fit"]) == ["strong fit", "strong fit", "weak fit"]


def test_timeline_draws_ruled_out_calls_in_red() -> None:
    svg = timeline_svg(calls(), now=NOW, ruled_out={"EMED-3"})
    assert svg.count('fill="#e7b3b0"') == 1
    assert svg.count('fill="#9cc3ea"') == 1  # the other call with deadlines


def test_the_report_keeps_calls_at_or_above_the_minimum_score() -> None:
    profile = fm.load_profile(
        Path(__file__).resolve().parents[1] / "calls/profiles/marseille-open-data-sme.toml"
    )
    now = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    matcher = fm.Matcher(fm.load_snapshot())
    every = report_matches(matcher, profile, now=now, limit=15, ruled_out=5, min_score=0)
    shown = report_matches(matcher, profile, now=now, limit=15, ruled_out=5)
    strict = report_matches(matcher, profile, now=now, limit=15, ruled_out=5, min_score=18)
    assert min(m.score for m in every) < DEFAULT_MIN_SCORE
    assert shown and all(m.score >= DEFAULT_MIN_SCORE for m in shown)
    assert strict and all(m.score >= 18 for m in strict) and len(strict) < len(shown)
