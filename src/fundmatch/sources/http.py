"""Fetching bytes over HTTP: the only network code of fundmatch.

Standard library only (``http.client``): connect, read and whole-request timeouts; a size cap
enforced while streaming and while decompressing; conditional GET (ETag / Last-Modified);
retries with backoff that honour ``Retry-After`` on 429 and 503. Every URL and every redirect
hop is checked by a :class:`~fundmatch.netguard.Guard` (http/https, allowed ports, public
addresses only) and the connection is made to the address that was checked; URLs are logged
only through :func:`~fundmatch.netguard.redact_url`. Every network failure becomes a
:class:`~fundmatch.errors.FetchError` here, and nowhere else.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import socket
import ssl
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from fundmatch.errors import FetchError
from fundmatch.netguard import Guard, Target, redact_url

__all__ = [
    "Fetch",
    "Limits",
    "Request",
    "Response",
    "fetch",
    "multipart",
]

logger = logging.getLogger(__name__)

USER_AGENT = "fundmatch (+https://pypi.org/project/fundmatch/)"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Request:
    """What to fetch: a URL, optionally a POST body, and the conditional-GET validators."""

    url: str
    method: str = "GET"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    """Sent as ``If-None-Match``."""
    last_modified: str | None = None
    """Sent as ``If-Modified-Since``."""


@dataclass(frozen=True)
class Response:
    """What came back: 200 with the (decompressed) body, or 304 Not Modified with none."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        """True for 304: the source has not changed since the validators were issued."""
        return self.status == 304


Fetch = Callable[[Request], Response]
"""The seam between orchestration and the network: tests pass a dict lookup instead."""


@dataclass(frozen=True)
class Limits:
    """Timeouts (seconds), size cap (bytes) and retry policy of one fetch."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    """Longest wait for any single read."""
    total_timeout: float = 120.0
    """Longest time for the whole request, retries excluded (a slow trickle hits this)."""
    max_bytes: int = 20 * 1024 * 1024
    """Largest body accepted, before and after decompression."""
    retries: int = 3
    """Further attempts after a 429, 5xx or connection failure."""
    backoff: float = 1.0
    """First wait between attempts; doubled each time."""
    max_retry_after: float = 120.0
    """A longer ``Retry-After`` is not waited for: the fetch fails, carrying it."""
    max_redirects: int = 5
    """Redirect hops followed, each checked by the guard like the first URL."""


def multipart(parts: Mapping[str, tuple[str, str]]) -> tuple[bytes, str]:
    """Encode form parts ``{name: (content_type, text)}`` as multipart/form-data.

    Returns the body and the Content-Type header value (with its boundary).
    """
    boundary = f"fundmatch-{uuid.uuid4().hex}"
    lines: list[bytes] = []
    for name, (content_type, text) in parts.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="blob"'.encode(),
            f"Content-Type: {content_type}".encode(),
            b"",
            text.encode("utf-8"),
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"


def fetch(
    request: Request,
    *,
    limits: Limits | None = None,
    sleep: Callable[[float], None] = time.sleep,
    source: str | None = None,
    guard: Guard | None = None,
) -> Response:
    """Fetch ``request``, following redirects and retrying transient failures.

    ``guard`` checks the URL and every redirect hop before connecting; None means the safe
    default ``Guard()`` (public addresses, ports 80 and 443). Tests against loopback servers
    pass ``Guard.off()``; ``Guard.local()`` (testing a local feed) also reads ``file://`` URLs.
    Raises FetchError (with ``status`` and ``retry_after`` when known) for
    a refused URL, a timeout, an HTTP error, a truncated body or a body over the size cap.
    """
    limits = limits or Limits()
    guard = guard or Guard()
    if request.url.lower().startswith("file:"):
        return _read_file(request, guard.check_file(request.url), limits, source)
    delay = limits.backoff
    attempt = 0
    while True:
        try:
            return _follow(request, limits, source, guard)
        except _Retryable as exc:
            attempt += 1
            wait = exc.retry_after if exc.retry_after is not None else delay
            if attempt > limits.retries or wait > limits.max_retry_after:
                raise FetchError(
                    exc.message, source=source, status=exc.status, retry_after=exc.retry_after
                ) from exc.__cause__
            logger.info(
                "%s: %s; retry %d in %.1f s",
                source or redact_url(request.url),
                exc.message,
                attempt,
                wait,
            )
            sleep(wait)
            delay *= 2


def _read_file(request: Request, path: str, limits: Limits, source: str | None) -> Response:
    """A local feed file (``file://``, allowed by ``Guard.local()`` only), size-capped."""
    try:
        with Path(path).open("rb") as handle:
            body = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}", source=source) from exc
    if len(body) > limits.max_bytes:
        raise FetchError(f"{path} is larger than {limits.max_bytes} bytes", source=source)
    return Response(url=request.url, status=200, body=body)


class _Retryable(Exception):
    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


def _follow(request: Request, limits: Limits, source: str | None, guard: Guard) -> Response:
    url = request.url
    for _ in range(limits.max_redirects + 1):
        status, location, response = _once(request, url, limits, source, guard)
        if location is None:
            assert response is not None
            return response
        url = urljoin(url, location)
        if request.method != "GET" and status in (301, 302, 303):
            request = Request(url=url, headers=request.headers)
    raise FetchError(f"more than {limits.max_redirects} redirects", source=source)


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to the address the guard checked; the Host header keeps the URL's name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        # Never resolve the name again: a second DNS answer could point somewhere private.
        self.sock = socket.create_connection((self.target.address, self.target.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedTLSConnection(_PinnedConnection):
    """HTTPS to the checked address; SNI and certificate checks use the URL's name."""

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.target.host)


def _check(guard: Guard, url: str, source: str | None) -> Target:
    try:
        return guard.check(url)
    except FetchError as exc:
        if exc.source is None and source is not None:
            raise FetchError(exc.message, source=source) from exc
        raise


def _once(
    request: Request, url: str, limits: Limits, source: str | None, guard: Guard
) -> tuple[int, str | None, Response | None]:
    target = _check(guard, url, source)
    path = target.path
    started = time.monotonic()
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedTLSConnection(target, limits.connect_timeout)
    else:
        connection = _PinnedConnection(target, limits.connect_timeout)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip",
        "Accept": "*/*",
        **request.headers,
    }
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    opened: http.client.HTTPResponse | None = None
    try:
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(limits.read_timeout)
        connection.request(request.method, path, body=request.body, headers=headers)
        response = opened = connection.getresponse()
        status = response.status
        if status in (301, 302, 303, 307, 308) and response.getheader("Location"):
            return status, response.getheader("Location"), None
        if status == 304:
            return status, None, _response(url, response, b"")
        if status in (429, 503) or 500 <= status < 600:
            raise _Retryable(
                f"HTTP {status} {response.reason}",
                status=status,
                retry_after=_retry_after(
                    response.getheader("Retry-After"), response.getheader("Date")
                ),
            )
        if status >= 400:
            raise FetchError(f"HTTP {status} {response.reason}", source=source, status=status)
        body = _read(response, limits, started, source)
        return status, None, _response(url, response, body)
    except TimeoutError as exc:
        raise _Retryable(f"timed out ({exc or 'no answer'})") from exc
    except (ConnectionError, http.client.RemoteDisconnected) as exc:
        raise _Retryable(f"connection failed: {exc}") from exc
    except http.client.IncompleteRead as exc:
        raise FetchError(
            f"truncated body: {len(exc.partial)} bytes received, more expected", source=source
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}", source=source) from exc
    finally:
        if opened is not None:
            opened.close()
        connection.close()


def _response(url: str, response: http.client.HTTPResponse, body: bytes) -> Response:
    return Response(
        url=url,
        status=response.status,
        body=body,
        etag=response.getheader("ETag"),
        last_modified=response.getheader("Last-Modified"),
        content_type=response.getheader("Content-Type"),
    )


def _read(
    response: http.client.HTTPResponse, limits: Limits, started: float, source: str | None
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(
            f"body of {declared} bytes is over the {limits.max_bytes}-byte cap", source=source
        )
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip") else None
    received = 0
    out: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() - started > limits.total_timeout:
            raise FetchError(f"took longer than {limits.total_timeout:g} s", source=source)
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > limits.max_bytes:
            raise FetchError(f"body is over the {limits.max_bytes}-byte cap", source=source)
        if inflater is None:
            out.append(chunk)
            size += len(chunk)
            continue
        data = chunk
        while data:
            try:
                piece = inflater.decompress(data, limits.max_bytes - size + 1)
            except zlib.error as exc:
                raise FetchError(f"corrupt gzip body: {exc}", source=source) from exc
            size += len(piece)
            if size > limits.max_bytes:
                raise FetchError(
                    f"body is over the {limits.max_bytes}-byte cap once decompressed", source=source
                )
            out.append(piece)
            data = inflater.unconsumed_tail
    if declared and declared.isdigit() and received < int(declared):
        raise FetchError(f"truncated body: {received} of {declared} bytes received", source=source)
    if inflater is not None and not inflater.eof:
        raise FetchError("truncated gzip body", source=source)
    return b"".join(out)


def _retry_after(value: str | None, date: str | None) -> float | None:
    """``Retry-After``: seconds, or an HTTP date taken relative to the response's ``Date``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        sent = email.utils.parsedate_to_datetime(date or "")
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - sent).total_seconds())
