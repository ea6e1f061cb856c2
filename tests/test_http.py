"""Fetching against real HTTP servers on 127.0.0.1: status codes, limits, retries, gzip bombs."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WsgiRequest
from werkzeug import Response as WsgiResponse

import fundmatch as fm
from fundmatch.netguard import Guard
from fundmatch.sources import http
from fundmatch.sources.http import Limits, Request, Response, multipart

FAST = Limits(connect_timeout=2, read_timeout=2, total_timeout=5, retries=2, backoff=0.01)


def fetch(request: Request, **options: Any) -> Response:
    """``http.fetch`` with the guard switched off: these servers listen on loopback."""
    return http.fetch(request, guard=Guard.off(), **options)


def test_200_returns_the_body_and_validators(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Tue, 02 Apr 2024 09:00:00 GMT"}
    )
    response = fetch(Request(httpserver.url_for("/feed")), limits=FAST)
    assert response.status == 200 and response.body == b"<rss/>"
    assert response.etag == '"v1"'
    assert response.last_modified == "Tue, 02 Apr 2024 09:00:00 GMT"


def test_conditional_get_sends_validators_and_reads_304(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Tue, 02 Apr 2024"}
    ).respond_with_data(b"", status=304, headers={"ETag": '"v1"'})
    request = Request(httpserver.url_for("/feed"), etag='"v1"', last_modified="Tue, 02 Apr 2024")
    response = fetch(request, limits=FAST)
    assert response.not_modified and response.body == b""


def test_404_fails_at_once_with_its_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data(b"no", status=404)
    waits: list[float] = []
    with pytest.raises(fm.FetchError) as caught:
        fetch(Request(httpserver.url_for("/gone")), limits=FAST, sleep=waits.append, source="s")
    assert caught.value.status == 404 and caught.value.source == "s"
    assert waits == []


def test_429_honours_retry_after_then_succeeds(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/api").respond_with_data(
        b"slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/api").respond_with_data(b"{}")
    waits: list[float] = []
    response = fetch(Request(httpserver.url_for("/api")), limits=FAST, sleep=waits.append)
    assert response.body == b"{}"
    assert waits == [7.0]


def test_retry_after_longer_than_allowed_fails_carrying_it(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api").respond_with_data(
        b"", status=503, headers={"Retry-After": "3600"}
    )
    with pytest.raises(fm.FetchError) as caught:
        fetch(Request(httpserver.url_for("/api")), limits=FAST, sleep=lambda _: None)
    assert caught.value.status == 503 and caught.value.retry_after == 3600


def test_500_is_retried_with_backoff_then_fails(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api").respond_with_data(b"oops", status=500)
    waits: list[float] = []
    with pytest.raises(fm.FetchError) as caught:
        fetch(Request(httpserver.url_for("/api")), limits=FAST, sleep=waits.append)
    assert caught.value.status == 500
    assert waits == [0.01, 0.02]  # two retries, doubling


def test_post_sends_multipart_form_parts(httpserver: HTTPServer) -> None:
    seen: dict[str, str] = {}

    def handler(request: WsgiRequest) -> WsgiResponse:
        seen.update({k: v.read().decode() for k, v in request.files.items()})
        return WsgiResponse(b'{"results": []}')

    httpserver.expect_request("/search", method="POST").respond_with_handler(handler)
    body, content_type = multipart({"query": ("application/json", '{"a": 1}')})
    request = Request(
        httpserver.url_for("/search"),
        method="POST",
        body=body,
        headers={"Content-Type": content_type},
    )
    assert fetch(request, limits=FAST).body == b'{"results": []}'
    assert seen == {"query": '{"a": 1}'}


def test_slow_trickle_hits_the_whole_request_timeout(httpserver: HTTPServer) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.02)
            yield b"x"

    httpserver.expect_request("/slow").respond_with_response(WsgiResponse(trickle()))
    limits = Limits(read_timeout=1, total_timeout=0.2, retries=0)
    with pytest.raises(fm.FetchError, match="took longer"):
        fetch(Request(httpserver.url_for("/slow")), limits=limits)


def test_body_over_the_cap_is_refused_while_streaming(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_response(
        WsgiResponse(iter([b"x" * 4096] * 64))  # chunked: no Content-Length to trust
    )
    with pytest.raises(fm.FetchError, match="cap"):
        fetch(Request(httpserver.url_for("/big")), limits=Limits(max_bytes=10_000, retries=0))


def test_gzip_bomb_is_stopped_while_decompressing(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros in ~50 KB
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(fm.FetchError, match="decompressed"):
        fetch(Request(httpserver.url_for("/bomb")), limits=Limits(max_bytes=1_000_000, retries=0))


def test_gzip_body_is_decompressed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(b"<rss/>"), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(Request(httpserver.url_for("/feed")), limits=FAST).body == b"<rss/>"


@pytest.fixture
def truncating_server() -> Iterator[str]:
    """A raw server that promises 1000 bytes, sends 10 and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
    thread.join(timeout=5)
    listener.close()


def test_truncated_body_is_an_error(truncating_server: str) -> None:
    with pytest.raises(fm.FetchError, match="truncated"):
        fetch(Request(truncating_server), limits=Limits(retries=0))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x", "nope"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(fm.FetchError, match="refused"):
        http.fetch(Request(url))


def test_redirects_are_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(
        b"", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data(b"here")
    assert fetch(Request(httpserver.url_for("/old")), limits=FAST).body == b"here"
