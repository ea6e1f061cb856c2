"""Updating a real SQLite store from sources through a fake fetch (a dict of URL → answer)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import fundmatch as fm
from fundmatch.sources.http import Request, Response
from fundmatch.update import SourceResult, all_failed, failure_summary

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
PORTAL = "https://api.example.org/search?apiKey=SEDIA"

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Call for micro-projects</title><guid>m-1</guid>
<description>Deadline: 12 June 2027, 12:00 CET. Budget EUR 1 million.</description></item>
<item><title>Call for simple projects</title><guid>s-2</guid>
<description>date limite : 26 novembre 2027</description></item>
</channel></rss>"""


def _source(name: str, kind: str = "feed", **extra: object) -> fm.Source:
    if kind == "ftportal":
        extra.setdefault("query", {"bool": {"must": []}})
        extra.setdefault("details_url", None)  # search facts only (details: test_update_details)
        return fm.Source(name=name, kind="ftportal", url=PORTAL, **extra)
    return fm.Source(name=name, kind="feed", url=f"https://{name}.example.org/feed", **extra)


def _fetcher(
    answers: dict[str, Response | Exception],
) -> tuple[Callable[[Request], Response], list[Request]]:
    seen: list[Request] = []

    def fetch(request: Request) -> Response:
        seen.append(request)
        answer = answers[request.url.split("&")[0] if request.method == "POST" else request.url]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return fetch, seen


@pytest.fixture
def store(store_address: str) -> fm.Store:
    with fm.Store(store_address) as opened:
        yield opened


def test_offline_update_loads_the_bundled_snapshot(store: fm.Store) -> None:
    (first,) = fm.update(store, fm.load_sources(), now=NOW, offline=True)
    assert first.source == "snapshot" and first.ok
    assert first.calls == first.new == len(fm.load_snapshot()) > 600
    (again,) = fm.update(store, [], now=LATER, offline=True)
    assert again.new == 0 and again.unchanged == first.calls
    assert len(store.calls(include_withdrawn=True)) == first.calls


def test_each_source_fails_alone(store: fm.Store) -> None:
    good, broken, bomb = _source("good"), _source("broken"), _source("bomb")
    fetch, _ = _fetcher(
        {
            good.url or "": Response(url="", status=200, body=FEED, etag='"1"'),
            broken.url or "": fm.FetchError("HTTP 500 Internal Server Error", status=500),
            bomb.url or "": Response(
                url="", status=200, body=(DATA / "feeds/hostile/xmlbomb.xml").read_bytes()
            ),
        }
    )
    results = fm.update(store, [good, broken, bomb], now=NOW, fetch=fetch)
    assert [(r.source, r.ok) for r in results] == [
        ("good", True),
        ("broken", False),
        ("bomb", False),
    ]
    assert results[0].new == 2 and results[0].complete
    assert "refused" in (results[2].error or "")
    state = store.source_state("broken")
    assert state is not None and state.last_error == "HTTP 500 Internal Server Error"
    assert {c.id for c in store.calls()} >= {"good:m-1", "good:s-2"}


def test_not_modified_feed_is_read_with_validators_and_withdraws_nothing(store: fm.Store) -> None:
    source = _source("news")
    fetch, _ = _fetcher({source.url or "": Response(url="", status=200, body=FEED, etag='"v1"')})
    fm.update(store, [source], now=NOW, fetch=fetch)
    fetch, seen = _fetcher({source.url or "": Response(url="", status=304, etag='"v1"')})
    (result,) = fm.update(store, [source], now=LATER, fetch=fetch)
    assert seen[0].etag == '"v1"'
    assert result.not_modified and result.withdrawn == 0
    assert len(store.calls()) == 2
    state = store.source_state("news")
    assert state is not None and state.last_success == LATER


def test_a_call_gone_from_a_complete_feed_is_withdrawn(store: fm.Store) -> None:
    source = _source("news")
    fetch, _ = _fetcher({source.url or "": Response(url="", status=200, body=FEED)})
    fm.update(store, [source], now=NOW, fetch=fetch)
    shorter = FEED.replace(
        FEED[FEED.index(b"<item><title>Call for simple") : FEED.index(b"</channel>")], b""
    )
    fetch, _ = _fetcher({source.url or "": Response(url="", status=200, body=shorter)})
    (result,) = fm.update(store, [source], now=LATER, fetch=fetch)
    assert result.withdrawn == 1 and result.unchanged == 1


def test_an_ill_formed_feed_is_partial_and_withdraws_nothing(store: fm.Store) -> None:
    source = _source("news")
    fetch, _ = _fetcher({source.url or "": Response(url="", status=200, body=FEED)})
    fm.update(store, [source], now=NOW, fetch=fetch)
    broken = FEED.split(b"<item><title>Call for simple")[0] + b"<item><title>x</channel>"
    fetch, _ = _fetcher({source.url or "": Response(url="", status=200, body=broken)})
    (result,) = fm.update(store, [source], now=LATER, fetch=fetch)
    assert result.ok and not result.complete and result.withdrawn == 0


def _page(results: list[dict[str, object]], total: int) -> Response:
    body = json.dumps({"totalResults": total, "pageSize": 2, "results": results}).encode()
    return Response(url="", status=200, body=body)


def _result(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA / "sedia" / name).read_bytes(), strict=False)
    return loaded


def test_portal_pages_are_followed_with_post_form_parts(store: fm.Store) -> None:
    source = _source("portal", "ftportal", page_size=2)
    pages = {
        1: _page([_result("call_dto_12_03_24_2_pppa.json"), _result("call_dto_10_06_24.json")], 3),
        2: _page([_result("call_dto_12_03_24.json")], 3),
    }
    seen: list[Request] = []

    def fetch(request: Request) -> Response:
        seen.append(request)
        return pages[int(parse_qs(urlsplit(request.url).query)["pageNumber"][0])]

    (result,) = fm.update(store, [source], now=NOW, fetch=fetch)
    assert result.calls == result.new == 3 and result.complete
    assert [r.method for r in seen] == ["POST", "POST"]
    assert b'name="query"' in (seen[0].body or b"") and b'name="sort"' in (seen[0].body or b"")


def test_portal_page_cap_makes_a_partial_listing(store: fm.Store) -> None:
    source = _source("portal", "ftportal", page_size=2, max_pages=1)
    page = _page([_result("call_dto_12_03_24_2_pppa.json"), _result("call_dto_10_06_24.json")], 3)
    (result,) = fm.update(store, [source], now=NOW, fetch=lambda _: page)
    assert result.calls == 2 and not result.complete


def test_disabled_sources_are_not_read(store: fm.Store) -> None:
    source = _source("quiet", enabled=False)
    assert fm.update(store, [source], now=NOW, fetch=lambda _: pytest.fail("fetched")) == []


def test_progress_is_reported(store: fm.Store) -> None:
    source = _source("news")
    fetch, _ = _fetcher({source.url or "": Response(url="", status=200, body=FEED)})
    calls: list[tuple[int, int, str]] = []
    fm.update(store, [source], now=NOW, fetch=fetch, progress=lambda *a: calls.append(a))
    assert calls == [(0, 1, "news"), (1, 1, "")]


def test_result_is_a_printable_model() -> None:
    result = SourceResult(source="x", error="boom", complete=False)
    assert not result.ok
    assert json.loads(result.model_dump_json())["error"] == "boom"


def test_the_same_call_from_the_portal_and_a_feed_is_one_call_with_both_provenances(
    store: fm.Store,
) -> None:
    portal = _source("portal", "ftportal", page_size=10)
    page = _page([_result("call_dto_12_03_24_2_pppa.json")], 1)
    fm.update(store, [portal], now=NOW, fetch=lambda _: page)
    (topic,) = store.calls()
    # The programme's own news repeats the call, with a deadline at noon the same day.
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><item>'
        b"<title>" + topic.title.encode() + b"</title><guid>tourism</guid>"
        b"<description>Deadline: 13 February 2025, 12:00 CET</description>"
        b"</item></channel></rss>"
    )
    news = _source("news")
    fetch, _ = _fetcher({news.url or "": Response(url="", status=200, body=feed)})
    (result,) = fm.update(store, [news], now=LATER, fetch=fetch)
    assert result.new == 0
    assert len(store.calls()) == 1
    stored = store.get(topic.id)
    assert stored is not None
    assert {p.source for p in stored.provenance} == {"portal", "news"}
    deadlines = {p.source: [d.at.hour for d in p.deadlines] for p in stored.provenance}
    assert deadlines == {"portal": [17], "news": [12]}  # the disagreement stays visible


def test_failure_summary_says_which_failed_in_one_line() -> None:
    ok = SourceResult(source="euro-med-feed", calls=3)
    down = SourceResult(source="urbact-feed", error="HTTP 503 Service Unavailable")
    assert failure_summary([ok]) is None
    assert not all_failed([ok, down])
    assert failure_summary([ok, down]) == (
        "1 of 2 sources failed (urbact-feed); the others were read"
        " (`fundmatch sources` shows each one's last error)"
    )
    assert all_failed([down])
    assert failure_summary([down]) == ("every source failed (1 of 1); nothing was read")
    assert not all_failed([])


def test_no_network_suggests_offline() -> None:
    results = [
        SourceResult(source=f"feed-{n}", error=f"cannot resolve host 'h{n}.eu': Name unknown")
        for n in range(17)
    ]
    line = failure_summary(results)
    assert line is not None and "\n" not in line
    assert line.startswith("every source failed (17 of 17)")
    assert "--offline" in line
    assert "feed-0, feed-1, feed-2, feed-3, feed-4, ..." not in line  # all failed: no list
