"""The fetch guard refuses every URL that could reach a non-public address, however written."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fundmatch.errors import FetchError
from fundmatch.netguard import Guard, redact_url

# Host names that need DNS resolve through this table, so the tests never use the network.
FAKE_DNS = {
    "public.example": ["93.184.215.14"],
    "rebind.example": ["93.184.215.14", "127.0.0.1"],  # one bad answer is enough to refuse
    "internal.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "v6only.example": ["2606:4700::6810:84e5"],
    "mapped.example": ["::ffff:192.168.0.1"],
}


def fake_resolver(host: str, port: int) -> Sequence[str]:
    if host in FAKE_DNS:
        return FAKE_DNS[host]
    # Numeric forms and localhost resolve offline through the system resolver.
    from fundmatch.netguard import _system_resolver

    return _system_resolver(host, port)


guard = Guard(resolver=fake_resolver)

REFUSED = [
    # loopback, however it is written
    "http://127.0.0.1/",
    "http://127.1/",
    "http://127.0.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://127.255.255.254/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    # unspecified
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    # private ranges
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://[fd00::1]/",
    "http://[fc00::1]/",
    "http://[::ffff:10.0.0.1]/",
    # link-local and cloud metadata
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.0.1/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",
    # carrier-grade NAT, multicast, reserved, broadcast, NAT64
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[64:ff9b::7f00:1]/",
    "http://198.18.0.1/",
    # userinfo tricks: the host is what follows the last @
    "http://public.example@127.0.0.1/",
    "http://user:pass@localhost/",
    "http://public.example:80@169.254.169.254/",
    # names that resolve to forbidden addresses
    "http://internal.example/",
    "http://metadata.example/",
    "http://rebind.example/",
    "http://mapped.example/",
    # other schemes and malformed URLs
    "file:///etc/passwd",
    "ftp://public.example/file",
    "gopher://public.example:70/",
    "javascript:alert(1)",
    "data:text/plain,hello",
    "dict://public.example:11211/",
    "//public.example/no-scheme",
    "http:///no-host",
    "http://public.example\\@127.0.0.1/",
    "http://public.example /",
    "http://public.example/\r\nHost: evil",
    # ports not allowed
    "http://public.example:8080/",
    "https://public.example:22/",
    "http://public.example:0/",
    "http://public.example:99999/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused(url: str) -> None:
    with pytest.raises(FetchError, match=r"refused|not allowed|malformed|no host|resolve"):
        guard.check(url)


def test_the_table_is_large() -> None:
    assert len(REFUSED) >= 40


@pytest.mark.parametrize(
    ("url", "address", "port"),
    [
        ("https://public.example/feed.xml?x=1", "93.184.215.14", 443),
        ("http://public.example/", "93.184.215.14", 80),
        ("https://public.example:443/", "93.184.215.14", 443),
        ("https://v6only.example/", "2606:4700::6810:84e5", 443),
        ("http://93.184.215.14/", "93.184.215.14", 80),
    ],
)
def test_public_urls_pass_and_name_the_checked_address(url: str, address: str, port: int) -> None:
    target = guard.check(url)
    assert target.address == address
    assert target.port == port


def test_path_and_query_are_kept() -> None:
    assert guard.check("https://public.example/a/b?c=d").path == "/a/b?c=d"


def test_extra_ports_can_be_configured() -> None:
    assert Guard(resolver=fake_resolver, ports=frozenset({8080})).check(
        "http://public.example:8080/"
    )


def test_loopback_allowed_only_when_switched_off() -> None:
    target = Guard.off().check("http://127.0.0.1:8080/feed")
    assert target.address == "127.0.0.1"
    with pytest.raises(FetchError, match="refused"):
        Guard.off().check("file:///etc/passwd")


def test_error_names_the_address() -> None:
    with pytest.raises(FetchError, match=r"'metadata.example' resolves to 169.254.169.254"):
        guard.check("http://metadata.example/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:s3cret@host.example/feed", "https://***@host.example/feed"),
        (
            "https://api.example/search?apiKey=SEDIA&text=open",
            "https://api.example/search?apiKey=***&text=open",
        ),
        (
            "https://api.example/x?access_token=abc&page=2",
            "https://api.example/x?access_token=***&page=2",
        ),
        ("https://host.example/a\x1b[31mred", "https://host.example/a\\x1b[31mred"),
        ("https://host.example/plain", "https://host.example/plain"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
