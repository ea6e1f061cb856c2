"""Exit statuses a scheduler can watch: every source failed → 1; some failed → 0 with one
warning line; no network → one line per failed source at most, and a hint about --offline.

The network is replaced by a fake ``fetch`` (no test touches the internet)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fundmatch.cli import main
from fundmatch.errors import FetchError
from fundmatch.sources import http
from fundmatch.sources.http import Request, Response

NOW = "2026-11-26T08:00:00+00:00"
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Call for open data micro-projects in smart cities</title><guid>m-1</guid>
<description>Deadline: 12 June 2027, 12:00 CET. Budget EUR 1 million.</description></item>
</channel></rss>"""
NAMES = ("alpha-feed", "beta-feed", "gamma-feed")
SUBSCRIPTIONS = """\
[[subscription]]
name = "open-data"
recipients = ["alice@example.org"]
min_score = 1
[subscription.profile]
name = "Open data SME"
keywords = ["open data", "smart city"]
"""


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry = "".join(
        f'[[sources]]\nname = "{name}"\nkind = "feed"\nurl = "https://{name}.example.org/rss"\n'
        for name in NAMES
    )
    (tmp_path / "sources.toml").write_text(registry, encoding="utf-8")
    (tmp_path / "digest.toml").write_text(SUBSCRIPTIONS, encoding="utf-8")
    monkeypatch.setenv("FUNDMATCH_REGISTRY", str(tmp_path / "sources.toml"))
    monkeypatch.setenv("FUNDMATCH_DB", str(tmp_path / "fundmatch.sqlite"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def network(monkeypatch: pytest.MonkeyPatch, *, up: set[str]) -> None:
    """Sources in ``up`` answer with a feed; the others cannot be resolved."""

    def fetch(request: Request, **_: object) -> Response:
        host = request.url.split("/")[2]
        if host.split(".")[0] in up:
            return Response(url=request.url, status=200, body=FEED)
        raise FetchError(f"cannot resolve host {host!r}: [Errno -2] Name or service not known")

    monkeypatch.setattr(http, "fetch", fetch)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main([*argv, "--now", NOW])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_update_every_source_failed_exits_1_with_one_line_each_and_the_offline_hint(
    world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    network(monkeypatch, up=set())
    code, out, err = run(capsys, "update")
    assert code == 1
    assert len(out) == 1 + len(NAMES)  # the table: a header, one row per source
    for name in NAMES:
        assert sum(name in line for line in out + err) == 1, name
    assert err == [
        "fundmatch: error: every source failed (3 of 3); nothing was read: no network?"
        " --offline loads the bundled snapshot of real calls instead"
    ]


def test_update_some_failed_exits_0_with_a_one_line_warning(
    world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    network(monkeypatch, up={"alpha-feed"})
    code, out, err = run(capsys, "update")
    assert code == 0
    assert [line.split()[0] for line in out] == ["source", *NAMES]
    assert err == [
        "fundmatch: warning: 2 of 3 sources failed (beta-feed, gamma-feed); the others were"
        " read (`fundmatch sources` shows each one's last error)"
    ]
    code, _, err = run(capsys, "update", "--json")
    assert code == 0 and len(err) == 1


def test_update_all_read_is_quiet(
    world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    network(monkeypatch, up=set(NAMES))
    code, _, err = run(capsys, "update")
    assert (code, err) == (0, [])


def test_digest_every_source_failed_still_makes_the_digest_but_exits_1(
    world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    network(monkeypatch, up={"alpha-feed"})
    assert run(capsys, "update")[0] == 0  # yesterday the network was there
    network(monkeypatch, up=set())
    code, out, err = run(capsys, "digest", "--config", "digest.toml")
    assert code == 1
    assert out[-1] == "1 message(s) written to digest-outbox; nothing sent"
    assert len(err) == len(NAMES) + 1  # one line per failed source, then the summary
    for name, line in zip(NAMES, err, strict=False):
        assert line.startswith(f"fundmatch: {name}: cannot resolve host")
    assert "--offline" in err[-1]


def test_digest_some_failed_exits_0_with_one_warning(
    world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    network(monkeypatch, up={"alpha-feed"})
    code, out, err = run(capsys, "digest", "--config", "digest.toml")
    assert code == 0
    assert len(err) == 1 and err[0].startswith("fundmatch: warning: 2 of 3 sources failed")
    assert out[-1] == "1 message(s) written to digest-outbox; nothing sent"
