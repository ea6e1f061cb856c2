"""The RSS/Atom adapter: hostile XML refused early, a sample of real corpora, entries to Calls."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import fundmatch as fm
from fundmatch.sources.feeds import parse_feed_result

DATA = Path(__file__).parent / "data" / "feeds"
HOSTILE = DATA / "hostile"
SAMPLE = sorted(p for p in (DATA / "sample").rglob("*") if p.is_file())
BOMBS = ["xmlbomb.xml", "xmlbomb2.xml", "quadratic.xml", "cyclic.xml", "external.xml"]

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example programme news</title>
<link>https://programme.example.org/</link><description>calls</description>
<item>
  <title>Third call for thematic projects</title>
  <link>https://programme.example.org/calls/3</link>
  <guid isPermaLink="false">call-3</guid>
  <pubDate>Tue, 02 Apr 2024 09:00:00 GMT</pubDate>
  <category>Smart cities</category>
  <description><![CDATA[<p>The call has a total budget of EUR 2.5 million.
  Projects receive up to EUR 500,000 with 80 % co-financing.</p>
  <p>Deadline: 12 June 2024, 13:00 CET</p>]]></description>
</item>
<item><title></title><description>an entry without a title</description></item>
</channel></rss>
"""


@pytest.mark.parametrize("name", BOMBS)
def test_entity_bombs_are_refused_before_feedparser(name: str) -> None:
    data = (HOSTILE / name).read_bytes()
    start = time.perf_counter()
    with pytest.raises(fm.ParseError, match="refused"):
        fm.parse_feed(data, source="hostile")
    assert time.perf_counter() - start < 0.05


def test_quadratic_blowup_in_utf16_is_refused_too() -> None:
    data = (HOSTILE / "quadratic.xml").read_text(encoding="utf-8").encode("utf-16")
    with pytest.raises(fm.ParseError, match="refused"):
        fm.parse_feed(data)


def test_an_external_dtd_without_entities_is_not_fetched() -> None:
    # dtd.xml names an external XHTML DTD: feedparser must not fetch it; it is not a feed.
    with pytest.raises(fm.ParseError):
        fm.parse_feed((HOSTILE / "dtd.xml").read_bytes())


def test_only_bytes_are_accepted() -> None:
    with pytest.raises(TypeError):
        fm.parse_feed("https://programme.example.org/feed")  # type: ignore[arg-type]


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: str(p.relative_to(DATA)))
def test_corpus_sample_raises_only_our_errors(path: Path) -> None:
    try:
        calls = fm.parse_feed(path.read_bytes(), source="corpus")
    except fm.FundmatchError:
        return
    assert all(isinstance(call, fm.Call) for call in calls)


def test_bozo_feed_with_entries_is_accepted_and_reported() -> None:
    broken = FEED.replace("</channel></rss>", "<item><title>unclosed</channel>").encode()
    result = parse_feed_result(broken, source="news")
    assert result.bozo is not None
    assert any(call.title == "Third call for thematic projects" for call in result.calls)


def test_document_with_no_entries_and_no_feed_fails() -> None:
    with pytest.raises(fm.ParseError):
        fm.parse_feed(b"<html><body>Service unavailable</body></html>", source="news")
    with pytest.raises(fm.ParseError):
        fm.parse_feed(b"<rss><channel><item>", source="news")


def test_entry_becomes_a_call_with_extracted_facts() -> None:
    source = fm.Source(
        name="example-news",
        kind="feed",
        url="https://programme.example.org/feed",
        language="en",
        defaults={"programme": "Example programme", "instrument": "grant"},
    )
    result = parse_feed_result(FEED.encode(), source=source)
    (call,) = result.calls
    assert result.skipped == ["entry 1: an entry without a title"]
    assert call.id == "example-news:call-3"
    assert call.source == "example-news"
    assert call.programme == "Example programme"
    assert call.instrument == "grant"
    assert call.url == "https://programme.example.org/calls/3"
    assert call.tags == ("Smart cities",)
    assert call.languages == ("en",)
    assert call.deadlines[0].at == datetime(2024, 6, 12, 13, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert call.budget.total == Decimal("2500000")
    assert call.budget.per_project_max == Decimal("500000")
    assert call.co_financing_rate == Decimal("0.8")
    assert call.published == datetime.fromisoformat("2024-04-02T09:00:00+00:00")
    assert "<p>" not in call.description


def test_feed_calls_inherit_their_programme_facts() -> None:
    source = fm.Source(
        name="alcotra-news",
        kind="feed",
        url="https://alcotra.example.org/feed",
        programme="alcotra",
    )
    plain = FEED.replace("with 80 % co-financing", "").encode()
    (call,) = fm.parse_feed(plain, source=source)
    assert call.programme == "Interreg France-Italy ALCOTRA"
    assert "FRL03" in call.regions  # Alpes-Maritimes
    assert call.co_financing_rate == Decimal("0.8")
    assert call.min_countries == 2


def test_an_incomplete_programme_area_is_not_lent() -> None:
    source = fm.Source(
        name="next-med-news",
        kind="feed",
        url="https://nextmed.example.org/feed",
        programme="next-med",
    )
    (call,) = fm.parse_feed(FEED.encode(), source=source)
    assert call.countries == () and call.regions == ()
    assert call.co_financing_rate == Decimal("0.8")  # the entry's own rate wins
