"""Fetch safety end to end: ``fetch`` refuses every URL that could reach a non-public address.

A canary HTTP server listens on 127.0.0.1 and counts the requests it gets; every refused URL
points at it in some disguise, and it must see none. A second server on 127.0.0.2 plays the
"public" host (a guard that lets exactly that address through), so redirects can be checked
hop by hop against real sockets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.netguard import Guard, redact_url
from fundmatch.sources.http import Limits, Request, fetch

NO_RETRY = Limits(connect_timeout=2, read_timeout=2, total_timeout=5, retries=0)


class Server:
    """A loopback HTTP server that answers from a table and records what it was asked."""

    def __init__(self, host: str, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        self.hits: list[tuple[str, str]] = []  # (path, Host header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append((self.path, self.headers.get("Host", "")))
                status, headers, body = routes.get(self.path, (200, {}, b"canary"))
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Server]:
    server = Server("127.0.0.1", {})
    yield server
    server.close()


FAKE_DNS = {
    "canary.example": ["127.0.0.1"],
    "rebind.example": ["93.184.215.14", "127.0.0.1"],
    "private.example": ["10.0.0.7"],
    "metadata.example": ["169.254.169.254"],
    "public.example": ["127.0.0.2"],  # the "public" test server, let through by OnlyPublic
}


def fake_resolver(host: str, port: int) -> Sequence[str]:
    if host.rstrip(".").lower() in FAKE_DNS:
        return FAKE_DNS[host.rstrip(".").lower()]
    from fundmatch.netguard import _system_resolver

    return _system_resolver(host, port)


@dataclass(frozen=True)
class OnlyPublic(Guard):
    """The default policy, except that 127.0.0.2 counts as public (our stand-in for the web)."""

    def check_address(self, address: str, *, host: str = "") -> None:
        if address != "127.0.0.2":
            super().check_address(address, host=host)


# {p}: the canary's port. Each form reaches 127.0.0.1 (or another forbidden place) somehow.
URL_FORMS = [
    "http://127.0.0.1:{p}/",
    "http://127.1:{p}/",
    "http://127.0.1:{p}/",
    "http://0x7f000001:{p}/",
    "http://2130706433:{p}/",
    "http://0177.0.0.1:{p}/",
    "http://0x7f.0x0.0x0.0x1:{p}/",
    "http://017700000001:{p}/",
    "http://127.000.000.001:{p}/",
    "http://localhost:{p}/",
    "http://LocalHost.:{p}/",
    "http://[::1]:{p}/",
    "http://[0:0:0:0:0:0:0:1]:{p}/",
    "http://[::ffff:127.0.0.1]:{p}/",
    "http://[::ffff:7f00:1]:{p}/",
    "http://0.0.0.0:{p}/",
    "http://0:{p}/",
    "http://[::]:{p}/",
    "http://canary.example:{p}/",
    "http://CANARY.EXAMPLE.:{p}/",
    "http://rebind.example:{p}/",
    "http://private.example:{p}/",
    "http://metadata.example/latest/meta-data/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://169.254.0.1/",
    "http://[fe80::1]/",
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::7f00:1]/",
    "http://public.example@127.0.0.1:{p}/",
    "http://user:pass@127.1:{p}/",
    "http://public.example:80@127.0.0.1:{p}/",
    "http://127.0.0.1:{p}#@public.example/",
    "http://127.0.0.1:{p}\\@public.example/",
    "http://127.0.0.1:{p}%2f@public.example/",
    "http://public.example\t@127.0.0.1:{p}/",
    "http://127.0.0.1%00.public.example:{p}/",
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "ftp://public.example/",
    "gopher://127.0.0.1:{p}/_GET%20/",
    "dict://127.0.0.1:{p}/",
    "javascript:alert(1)",
    "data:text/plain,canary",
    "//127.0.0.1:{p}/",
    "127.0.0.1:{p}",
    "http:///127.0.0.1:{p}/",
    "",
]


def test_the_table_has_at_least_40_forms() -> None:
    assert len(set(URL_FORMS)) >= 40


@pytest.mark.parametrize("form", URL_FORMS)
def test_every_form_is_refused_and_the_canary_is_never_reached(canary: Server, form: str) -> None:
    url = form.format(p=canary.port)
    for guard in (Guard(resolver=fake_resolver), Guard(ports=None, resolver=fake_resolver)):
        with pytest.raises(fm.FetchError, match=r"refused|resolve|not allowed|empty"):
            fetch(Request(url), limits=NO_RETRY, guard=guard, sleep=lambda _: None)
    assert canary.hits == []


def test_the_default_guard_refuses_loopback(canary: Server) -> None:
    with pytest.raises(fm.FetchError, match="loopback"):
        fetch(Request(f"http://127.0.0.1:{canary.port}/"), limits=NO_RETRY, guard=Guard(ports=None))
    with pytest.raises(fm.FetchError, match="port"):
        fetch(Request(f"http://127.0.0.1:{canary.port}/"), limits=NO_RETRY)
    assert canary.hits == []


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host() -> None:
    public = Server("127.0.0.2", {"/feed": (200, {}, b"<rss/>")})
    try:
        guard = OnlyPublic(ports=None, resolver=fake_resolver)
        # public.example exists only in the guard's resolver: reaching the server at all
        # proves the socket was opened to the checked address, not to a fresh lookup.
        response = fetch(
            Request(f"http://public.example:{public.port}/feed"), limits=NO_RETRY, guard=guard
        )
        assert response.body == b"<rss/>"
        assert public.hits == [("/feed", f"public.example:{public.port}")]
    finally:
        public.close()


@pytest.fixture
def redirector(canary: Server) -> Iterator[Server]:
    def to(location: str) -> tuple[int, dict[str, str], bytes]:
        return 302, {"Location": location}, b""

    routes = {
        "/to-canary": to(f"http://127.0.0.1:{canary.port}/stolen"),
        "/to-canary-by-name": to(f"http://canary.example:{canary.port}/stolen"),
        "/to-metadata": to("http://169.254.169.254/latest/meta-data/"),
        "/to-file": to("file:///etc/passwd"),
        "/to-port": to("http://public.example:2375/containers/json"),
        "/feed": (200, {}, b"<rss/>"),
    }
    server = Server("127.0.0.2", routes)
    for hop in range(5):
        routes[f"/hop{hop}"] = to(f"/hop{hop + 1}")
    routes["/hop5"] = (200, {}, b"five hops")
    for hop in range(7):
        routes[f"/long{hop}"] = to(f"/long{hop + 1}")
    routes["/long7"] = (200, {}, b"too far")
    yield server
    server.close()


@pytest.mark.parametrize(
    "path", ["/to-canary", "/to-canary-by-name", "/to-metadata", "/to-file", "/to-port"]
)
def test_each_redirect_hop_is_checked_again(redirector: Server, canary: Server, path: str) -> None:
    guard = OnlyPublic(resolver=fake_resolver, ports=frozenset({80, 443, redirector.port}))
    with pytest.raises(fm.FetchError, match=r"refused|not allowed"):
        fetch(
            Request(f"http://public.example:{redirector.port}{path}"), limits=NO_RETRY, guard=guard
        )
    assert [hit[0] for hit in redirector.hits] == [path]
    assert canary.hits == []


def test_five_redirects_are_followed_and_the_sixth_is_not(redirector: Server) -> None:
    guard = OnlyPublic(resolver=fake_resolver, ports=None)
    base = f"http://public.example:{redirector.port}"
    assert fetch(Request(f"{base}/hop0"), limits=NO_RETRY, guard=guard).body == b"five hops"
    redirector.hits.clear()
    with pytest.raises(fm.FetchError, match="more than 5 redirects"):
        fetch(Request(f"{base}/long0"), limits=NO_RETRY, guard=guard)
    assert len(redirector.hits) == 6  # the first request and five hops; the sixth not taken


def test_update_refuses_a_registry_url_to_a_private_address(tmp_path: Path) -> None:
    source = fm.Source(name="sneaky", kind="feed", url="http://169.254.169.254/latest/")
    with fm.Store(tmp_path / "s.sqlite") as store:
        (result,) = fm.update(store, [source], now=datetime(2025, 3, 1, tzinfo=UTC))
        state = store.source_state("sneaky")
    assert result.error is not None and "metadata" in result.error
    assert state is not None and state.last_success is None


def test_logged_urls_lose_their_credentials(caplog: pytest.LogCaptureFixture) -> None:
    url = "http://alice:hunter2@public.example:9/feed?apiKey=CANARYKEY&page=2"
    assert redact_url(url) == "http://***@public.example:9/feed?apiKey=***&page=2"
    caplog.set_level(logging.DEBUG)
    guard = OnlyPublic(resolver=fake_resolver, ports=None)  # port 9 on 127.0.0.2: refused
    with pytest.raises(fm.FetchError) as caught:
        fetch(Request(url), limits=Limits(retries=1, backoff=0), guard=guard, sleep=lambda _: None)
    assert "retry 1" in caplog.text
    for text in (caplog.text, str(caught.value)):
        assert "hunter2" not in text and "CANARYKEY" not in text
