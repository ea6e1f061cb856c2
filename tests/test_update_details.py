"""``update`` with Portal topic details, against a loopback server serving recorded answers."""

from __future__ import annotations

import functools
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WerkzeugRequest
from werkzeug import Response as WerkzeugResponse

import fundmatch as fm
from fundmatch.detailscache import CachedDetails, DirectoryDetailsCache, MemoryDetailsCache
from fundmatch.netguard import Guard
from fundmatch.sources import http
from fundmatch.sources.http import Request, Response
from fundmatch.update import DETAILS_AT_ONCE

SEDIA = Path(__file__).parent / "data" / "sedia"
NOW = datetime(2024, 12, 1, 8, 0, tzinfo=UTC)
LATER = datetime(2024, 12, 2, 8, 0, tzinfo=UTC)
TOPICS = {
    "PPPA-2024-SKILL-FOR-TOURISM": (
        "call_dto_12_03_24_2_pppa.json",
        "call_details_dto_12_03_24_2_pppa.json",
    ),
    "ERASMUS-EDU-2025-PI-ALL-INNO-EDU-ENTERP": (
        "call_dto_12_03_24_3.json",
        "call_details_dto_12_03_24_3.json",
    ),
}


def _result(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((SEDIA / name).read_bytes(), strict=False)
    return loaded


def _page(results: list[dict[str, object]]) -> bytes:
    page = {"totalResults": len(results), "pageNumber": 1, "pageSize": 100, "results": results}
    return json.dumps(page).encode()


def _portal(server: HTTPServer, **extra: object) -> fm.Source:
    extra.setdefault("details_url", server.url_for("/topicDetails/"))
    return fm.Source(
        name="portal",
        kind="ftportal",
        url=server.url_for("/search") + "?apiKey=SEDIA",
        query={"bool": {"must": []}},
        **extra,
    )


def _serve(server: HTTPServer, *, failing: str | None = None) -> None:
    results = [_result(search) for search, _ in TOPICS.values()]
    server.expect_request("/search", method="POST").respond_with_data(
        _page(results), content_type="application/json"
    )
    for topic, (_, details) in TOPICS.items():
        path = f"/topicDetails/{topic.lower()}.json"
        if topic == failing:
            server.expect_request(path).respond_with_data(b"gone", status=404)
            continue
        body = (SEDIA / details).read_bytes()
        etag = f'"{topic}-v1"'

        def answer(
            request: WerkzeugRequest, body: bytes = body, etag: str = etag
        ) -> WerkzeugResponse:
            if request.headers.get("If-None-Match") == etag:
                return WerkzeugResponse(status=304, headers={"ETag": etag})
            return WerkzeugResponse(body, content_type="application/json", headers={"ETag": etag})

        server.expect_request(path).respond_with_handler(answer)


def _fetch() -> http.Fetch:
    return functools.partial(http.fetch, guard=Guard.off())


def _details_requests(server: HTTPServer) -> list[WerkzeugRequest]:
    return [r for r, _ in server.log if r.path.startswith("/topicDetails/")]


def test_update_stores_the_full_facts_of_each_topic(httpserver: HTTPServer, tmp_path: Path) -> None:
    _serve(httpserver)
    with fm.Store(tmp_path / "calls.sqlite") as store:
        (result,) = fm.update(store, [_portal(httpserver)], now=NOW, fetch=_fetch())
        assert result.ok and result.new == 2
        assert (result.details_fetched, result.details_cached, result.details_failed) == (2, 0, ())
        calls = {call.id: call for call in store.calls()}
    for topic, (search_name, details_name) in TOPICS.items():
        (search,) = fm.parse_ftportal((SEDIA / search_name).read_bytes())
        details, _ = fm.parse_topic_details((SEDIA / details_name).read_bytes())
        stored = calls[topic]
        assert stored.source == "portal"
        assert stored.description == max(search.description, details.description, key=len)
        assert stored.documents == details.documents and stored.documents
        assert stored.opening == details.opening
        assert stored.action_type == details.action_type
        assert stored.deadlines == details.deadlines
    assert calls["PPPA-2024-SKILL-FOR-TOURISM"].budget.total == 1_000_000
    # The ERASMUS details carry only a sibling topic's budget: the search facts' own budget stays.
    assert calls["ERASMUS-EDU-2025-PI-ALL-INNO-EDU-ENTERP"].budget.total == 62_000_000
    # The cache lives beside the store.
    assert any((tmp_path / "calls.sqlite.details").iterdir())


def test_an_unchanged_topic_is_not_fetched_again(httpserver: HTTPServer, tmp_path: Path) -> None:
    _serve(httpserver)
    cache = DirectoryDetailsCache(tmp_path / "cache")
    with fm.Store(tmp_path / "calls.sqlite") as store:
        fm.update(store, [_portal(httpserver)], now=NOW, fetch=_fetch(), details_cache=cache)
        assert len(_details_requests(httpserver)) == 2
        (again,) = fm.update(
            store, [_portal(httpserver)], now=LATER, fetch=_fetch(), details_cache=cache
        )
    assert len(_details_requests(httpserver)) == 2  # nothing more asked
    assert (again.details_fetched, again.details_cached) == (0, 2)
    assert again.updated == 0 and again.unchanged == 2


def test_a_changed_topic_is_asked_again_with_its_validators(
    httpserver: HTTPServer, store_address: str
) -> None:
    _serve(httpserver)
    cache = MemoryDetailsCache()
    with fm.Store(store_address) as store:
        fm.update(store, [_portal(httpserver)], now=NOW, fetch=_fetch(), details_cache=cache)
        # The search facts change (another title): the details are asked for conditionally.
        for topic in TOPICS:
            held = cache.get(topic)
            assert held is not None
            cache.put(topic, CachedDetails(fingerprint="older", body=held.body, etag=held.etag))
        (again,) = fm.update(
            store, [_portal(httpserver)], now=LATER, fetch=_fetch(), details_cache=cache
        )
    conditional = _details_requests(httpserver)[2:]
    assert [r.headers.get("If-None-Match") for r in conditional] != [None, None]
    assert all(r.headers.get("If-None-Match") for r in conditional)
    assert (again.details_fetched, again.details_cached) == (0, 2)  # both answered 304
    assert again.updated == 0


def test_a_topic_whose_details_fail_keeps_its_search_facts(
    httpserver: HTTPServer, store_address: str
) -> None:
    _serve(httpserver, failing="PPPA-2024-SKILL-FOR-TOURISM")
    with fm.Store(store_address) as store:
        (result,) = fm.update(
            store,
            [_portal(httpserver)],
            now=NOW,
            fetch=_fetch(),
            details_cache=MemoryDetailsCache(),
        )
        calls = {call.id: call for call in store.calls()}
    assert result.ok and result.new == 2
    assert result.details_fetched == 1
    (failure,) = result.details_failed
    assert failure.startswith("PPPA-2024-SKILL-FOR-TOURISM: HTTP 404")
    (search,) = fm.parse_ftportal((SEDIA / TOPICS["PPPA-2024-SKILL-FOR-TOURISM"][0]).read_bytes())
    assert calls["PPPA-2024-SKILL-FOR-TOURISM"] == search.model_copy(update={"source": "portal"})
    assert calls["ERASMUS-EDU-2025-PI-ALL-INNO-EDU-ENTERP"].documents


def test_details_off_reads_the_search_facts_only(
    httpserver: HTTPServer, store_address: str
) -> None:
    _serve(httpserver)
    with fm.Store(store_address) as store:
        (result,) = fm.update(
            store, [_portal(httpserver, details_url=None)], now=NOW, fetch=_fetch()
        )
    assert result.new == 2 and result.details_fetched == 0
    assert _details_requests(httpserver) == []


def test_details_are_fetched_at_most_two_at_once(store_address: str) -> None:
    results = [_result("call_dto_12_03_24_2_pppa.json")]
    many = []
    for number in range(8):
        result = json.loads(json.dumps(results[0]))
        result["metadata"]["identifier"] = [f"TOPIC-{number}"]
        many.append(result)
    active, most = 0, 0
    lock = threading.Lock()

    def fetch(request: Request) -> Response:
        nonlocal active, most
        if request.method == "POST":
            return Response(url=request.url, status=200, body=_page(many))
        with lock:
            active += 1
            most = max(most, active)
        time.sleep(0.02)
        with lock:
            active -= 1
        raise fm.FetchError("HTTP 503 Service Unavailable", status=503)

    source = fm.Source(name="portal", kind="ftportal", url="https://portal.example.org/s", query={})
    with fm.Store(store_address) as store:
        (result,) = fm.update(store, [source], now=NOW, fetch=fetch)
    assert result.new == 8 and len(result.details_failed) == 8
    assert 1 <= most <= DETAILS_AT_ONCE


@pytest.mark.parametrize(
    "body", [b"<html>", b'{"TopicDetails": {"identifier": "OTHER-1", "title": "x"}}']
)
def test_a_wrong_details_document_is_a_failure_of_that_topic(
    body: bytes, store_address: str
) -> None:
    page = _page([_result("call_dto_12_03_24_2_pppa.json")])

    def fetch(request: Request) -> Response:
        return Response(
            url=request.url, status=200, body=page if request.method == "POST" else body
        )

    source = fm.Source(name="portal", kind="ftportal", url="https://portal.example.org/s", query={})
    with fm.Store(store_address) as store:
        (result,) = fm.update(store, [source], now=NOW, fetch=fetch)
    assert result.new == 1 and len(result.details_failed) == 1


def test_the_update_table_says_what_the_details_did() -> None:
    from fundmatch.cli.ingest import _status

    result = fm.SourceResult(
        source="portal", details_fetched=3, details_cached=5, details_failed=("X: HTTP 404",)
    )
    assert _status(result) == "ok; topic details: 3 fetched, 5 kept, 1 failed"
    assert _status(fm.SourceResult(source="feed")) == "ok"


def test_a_busy_portal_is_asked_again_after_the_wait_it_names(
    httpserver: HTTPServer, store_address: str
) -> None:
    topic = "PPPA-2024-SKILL-FOR-TOURISM"
    search, details = TOPICS[topic]
    httpserver.expect_request("/search", method="POST").respond_with_data(
        _page([_result(search)]), content_type="application/json"
    )
    path = f"/topicDetails/{topic.lower()}.json"
    httpserver.expect_oneshot_request(path).respond_with_data(
        b"busy", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_request(path).respond_with_data(
        (SEDIA / details).read_bytes(), content_type="application/json"
    )
    waits: list[float] = []
    fetch = functools.partial(http.fetch, guard=Guard.off(), sleep=waits.append)
    with fm.Store(store_address) as store:
        (result,) = fm.update(
            store, [_portal(httpserver)], now=NOW, fetch=fetch, details_cache=MemoryDetailsCache()
        )
        (call,) = store.calls()
    assert waits == [7.0]
    assert result.details_fetched == 1 and call.documents
