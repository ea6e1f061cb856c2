"""Which URLs fundmatch may fetch: http/https only, allowed ports, public addresses only.

A URL from the registry or a user is checked before any connection: scheme, port, no tricks
in its authority, and every address its host resolves to must be a public unicast address
(no loopback, private, link-local, CGNAT, multicast or cloud metadata address, whatever way
it is written: ``127.1``, ``0x7f000001``, ``[::ffff:127.0.0.1]`` ...). The caller then
connects to the address that was checked, so a second DNS answer cannot slip past the check.
Testing against a local feed is an explicit setting, never the default: ``Guard.local()``
(``fundmatch update --allow-local``) also fetches loopback and private addresses on any port,
and ``file://`` URLs. Tests that serve on loopback use ``Guard.off()``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urlsplit

from fundmatch.errors import FetchError

__all__ = ["Guard", "Target", "redact_url"]

Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses that is_global misses or that deserve a name in the error message.
_NAMED_BLOCKS = {
    ipaddress.ip_network("169.254.169.254/32"): "a cloud metadata address",
    ipaddress.ip_network("fd00:ec2::254/128"): "a cloud metadata address",
    ipaddress.ip_network("100.64.0.0/10"): "a carrier-grade NAT address",
    ipaddress.ip_network("64:ff9b::/96"): "a NAT64 address",
    ipaddress.ip_network("2002::/16"): "a 6to4 address",
    ipaddress.ip_network("2001::/32"): "a Teredo address",
}
_FORBIDDEN_CHARS = set("\\ \t\r\n\x00") | {chr(c) for c in range(0x20)} | {"\x7f"}


def _system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str


@dataclass(frozen=True)
class Guard:
    """The fetch policy. ``check(url)`` returns a :class:`Target` or raises FetchError."""

    allow_private: bool = False
    """Allow loopback and private addresses (tests with loopback servers, a local relay)."""
    ports: frozenset[int] | None = frozenset({80, 443})
    """Ports a URL may name (None: any); the scheme's default port is always allowed."""
    resolver: Resolver = field(default=_system_resolver, repr=False)
    """How host names become addresses (replaceable in tests)."""
    allow_files: bool = False
    """Allow ``file://`` URLs: a feed file on this machine (testing a feed before publishing)."""

    @classmethod
    def off(cls) -> Guard:
        """A guard for tests against loopback servers: any address, any port (still http/https)."""
        return cls(allow_private=True, ports=None)

    @classmethod
    def local(cls) -> Guard:
        """A guard for testing against a local feed (``fundmatch update --allow-local``): also
        loopback and private addresses on any port (``http://127.0.0.1:8099/feed.xml``) and
        ``file://`` URLs. Never the default."""
        return cls(allow_private=True, ports=None, allow_files=True)

    def check_file(self, url: str) -> str:
        """The path of a ``file://`` URL when :attr:`allow_files`; FetchError otherwise."""
        if not self.allow_files:
            raise FetchError(
                "refused: only http and https URLs are fetched, not 'file'" + _LOCAL_HINT
            )
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"refused: a file URL names a host ({parts.netloc!r})")
        return unquote(parts.path)

    def check(self, url: str) -> Target:
        """Check ``url`` and resolve its host; return where to connect."""
        parts = self._split(url)
        host = parts.hostname or ""
        default = 443 if parts.scheme == "https" else 80
        port = default if parts.port is None else parts.port
        if port != default and self.ports is not None and port not in self.ports:
            raise FetchError(f"port {port} is not allowed in {redact_url(url)}")
        addresses = self.resolver(host, port)
        if not addresses:
            raise FetchError(f"host {host!r} has no address")
        for address in addresses:
            self.check_address(address, host=host)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return Target(url, parts.scheme, host, port, addresses[0], path)

    def check_address(self, address: str, *, host: str = "") -> None:
        """Refuse an address that is not public unicast (unless ``allow_private``)."""
        if self.allow_private:
            return
        try:
            ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError as exc:
            raise FetchError(f"{address!r} is not an IP address") from exc
        why = _why_not_public(ip)
        if why:
            name = f"{host!r} resolves to " if host and host != address else ""
            hint = _LOCAL_HINT if ip.is_loopback or ip.is_private else ""
            raise FetchError(f"refused: {name}{address} is {why}{hint}")

    @staticmethod
    def _split(url: str) -> SplitResult:
        if not isinstance(url, str) or not url:
            raise FetchError("empty URL")
        if _FORBIDDEN_CHARS & set(url):
            raise FetchError("refused: the URL contains spaces, backslashes or control characters")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError as exc:
            raise FetchError(f"refused: malformed URL ({exc})") from exc
        if parts.scheme not in ("http", "https"):
            hint = _LOCAL_HINT if parts.scheme == "file" else ""
            raise FetchError(
                f"refused: only http and https URLs are fetched, not {parts.scheme!r}{hint}"
            )
        if not parts.hostname:
            raise FetchError("refused: the URL has no host")
        return parts


_LOCAL_HINT = (
    " (to test against a local feed, allow it explicitly: `fundmatch update --allow-local`,"
    " or Guard.local() in Python)"
)


def _why_not_public(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        inner = _why_not_public(ip.ipv4_mapped)
        if inner:
            return f"{inner} (written as IPv6)"
    for block, name in _NAMED_BLOCKS.items():
        if ip.version == block.version and ip in block:
            return name
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


def redact_url(url: str) -> str:
    """The URL with userinfo and secret-looking query values replaced by ``***``, for logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<malformed URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "&".join(
        f"{key}=***" if _secret_key(key) else f"{key}={value}" if sep else key
        for key, sep, value in (item.partition("=") for item in parts.query.split("&") if item)
    )
    text = parts._replace(netloc=netloc, query=query).geturl()
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def _secret_key(key: str) -> bool:
    lowered = key.lower().replace("-", "").replace("_", "")
    return any(word in lowered for word in ("key", "token", "secret", "password", "auth", "sig"))
