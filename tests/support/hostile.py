"""Hostile input: generated attack cases, a loopback canary, and a sandboxed worker that parses.

Each case is handed to a worker subprocess that runs under ``RLIMIT_AS`` (a memory cap) and a
per-case deadline enforced from outside (the worker is killed and restarted past it). Cases
are bytes for ``parse_feed`` (``feed``), for ``parse_ftportal`` (``portal``) or an HTTP answer
fetched and parsed through ``fetch`` (``http``). Outcomes: accepted, refused (with the
FundmatchError subclass), foreign (any other exception: a bug), killed (deadline or memory).
Used by ``tests/test_hostile.py`` (fast part) and ``benchmarks/reliability/run.py`` (full part),
which imports it from ``tests/support``.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import os
import random
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "feeds-corpus"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "feeds"


@dataclass(frozen=True)
class Case:
    """One hostile input: a name, how it is fed in, and its bytes (or where they are)."""

    name: str
    kind: str  # feed | portal | http
    data: bytes = b""
    path: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()
    """For ``http``: response headers sent with ``data``."""
    cut: int | None = None
    """For ``http``: send only this many bytes of ``data`` and hang up."""

    def payload(self) -> bytes:
        return self.path.read_bytes() if self.path else self.data


# --- the loopback servers ----------------------------------------------------------------


class Loopback:
    """One loopback HTTP server: ``/canary/...`` counts hits; ``/case/<n>`` serves case n."""

    def __init__(self) -> None:
        self.canary_hits: list[str] = []
        self.cases: dict[str, Case] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path.startswith("/canary"):
                    owner.canary_hits.append(self.path)
                case = owner.cases.get(self.path)
                body = case.payload() if case else b"canary"
                sent = body if case is None or case.cut is None else body[: case.cut]
                self.send_response(200)
                for name, value in case.headers if case else ():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(sent)
                self.close_connection = True

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def canary(self) -> str:
        return f"{self.base}/canary"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- generated cases ---------------------------------------------------------------------

RSS_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
RSS_TAIL = b"</channel></rss>\n"


def _item(title: str, guid: str | None = "g", link: str | None = None, extra: str = "") -> bytes:
    parts = [f"<title>{title}</title>"]
    if guid is not None:
        parts.append(f"<guid>{guid}</guid>")
    if link is not None:
        parts.append(f"<link>{link}</link>")
    return ("<item>" + "".join(parts) + extra + "</item>").encode("utf-8")


def _rss(*items: bytes, head: bytes = RSS_HEAD) -> bytes:
    return head + b"".join(items) + RSS_TAIL


def valid_feed(n: int, *, seed: int = 0) -> bytes:
    """A well-formed feed of ``n`` calls with deadlines in their text."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        day = 1 + rng.randrange(28)
        items.append(
            _item(
                f"Call {i}: innovation in regions {rng.randrange(10**6)}",
                guid=f"https://calls.example.org/{seed}/{i}",
                link=f"https://calls.example.org/{seed}/{i}",
                extra=f"<description>Deadline: {day} March 2031 17:00 CET. Budget EUR "
                f"{rng.randrange(1, 90)}0 000. Open to SMEs.</description>"
                "<pubDate>Tue, 02 Apr 2024 09:00:00 GMT</pubDate>",
            )
        )
    return _rss(*items)


def _laughs(depth: int = 10) -> str:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth)]
    return "<!DOCTYPE rss [" + "".join(lines) + "]>"


def _portal_result(**metadata: object) -> dict[str, object]:
    base: dict[str, object] = {
        "identifier": ["HORIZON-CL5-2031-D1-01"],
        "title": ["Clean energy transition"],
        "callIdentifier": ["HORIZON-CL5-2031-D1"],
        "status": ["31094502"],
        "deadlineDate": ["2031-04-15T17:00:00.000+0200"],
        "frameworkProgramme": ["43108390"],
        "type": ["1"],
    }
    base.update(metadata)
    return {"reference": "r1", "url": "https://example.org/t.json", "metadata": base}


def generated_cases(canary: str, *, big: bool = False) -> list[Case]:
    """The attack cases; ``canary`` is the loopback URL that must never be fetched."""
    cases: list[Case] = []

    def feed(name: str, data: bytes) -> None:
        cases.append(Case(name, "feed", data))

    bomb = (
        _laughs() + '<rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
    ).encode()
    feed("bomb/billion-laughs", bomb)
    feed("bomb/billion-laughs-utf16le-bom", codecs.BOM_UTF16_LE + bomb.decode().encode("utf-16-le"))
    feed("bomb/billion-laughs-utf16be", bomb.decode().encode("utf-16-be"))
    feed("bomb/billion-laughs-utf32", bomb.decode().encode("utf-32"))
    big_entity = "x" * 50_000
    feed(
        "bomb/quadratic",
        (
            f'<!DOCTYPE rss [<!ENTITY a "{big_entity}">]><rss version="2.0"><channel><item>'
            f"<title>{'&a;' * 2000}</title></item></channel></rss>"
        ).encode(),
    )
    many = b"".join(b' a%d="x"' % i for i in range(40_000))
    feed(
        "bomb/attributes-40000",
        b'<rss version="2.0"><channel><item' + many + b"><title>t</title></item></channel></rss>",
    )
    feed(
        "bomb/attributes-40000-utf16",
        (
            '<rss version="2.0"><channel><item'
            + many.decode()
            + "><title>t</title></item></channel></rss>"
        ).encode("utf-16"),
    )
    feed(
        "bomb/entity-in-lowercase-doctype",
        b'<!doctype rss [<!entity a "aaaa">]><rss version="2.0"><channel><title>&a;</title>'
        b"</channel></rss>",
    )
    ext = [
        f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{canary}/entity">]>',
        f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{canary}/parameter"> %p;]>',
        f'<!DOCTYPE rss SYSTEM "{canary}/dtd">',
        f'<!DOCTYPE rss PUBLIC "-//X//Y" "{canary}/public-dtd">',
        f'<?xml-stylesheet type="text/xsl" href="{canary}/xsl"?>',
    ]
    for number, head in enumerate(ext):
        feed(
            f"external/{number}",
            (
                '<?xml version="1.0"?>' + head + '<rss version="2.0"><channel><title>t</title>'
                "<item><title>&x; a call</title><guid>e1</guid></item></channel></rss>"
            ).encode(),
        )
    feed(
        "external/xinclude",
        _rss(
            _item(
                "xinclude",
                extra=f'<description xmlns:xi="http://www.w3.org/2001/XInclude">'
                f'<xi:include href="{canary}/xinclude" parse="text"/></description>',
            )
        ),
    )
    feed(
        "external/atom-src-and-base",
        (
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{canary}/base/">'
            f'<title>t</title><entry><title>x</title><id>a</id><content src="{canary}/src"/>'
            f'<link rel="enclosure" href="{canary}/enclosure"/></entry></feed>'
        ).encode(),
    )
    valid = valid_feed(20)
    feed("truncated/half", valid[: len(valid) // 2])
    feed("truncated/one-byte-short", valid[:-1])
    feed("truncated/inside-a-tag", valid[: valid.index(b"<guid>", 500) + 3])
    feed(
        "not-a-feed/html",
        b"<!DOCTYPE html><html><head><title>Funding</title><script>alert(1)</script></head>"
        b"<body><h1>Calls</h1><a href='javascript:alert(1)'>x</a></body></html>",
    )
    feed("not-a-feed/json", b'{"version": "https://jsonfeed.org/version/1", "items": []}')
    feed("not-a-feed/empty", b"")
    feed("not-a-feed/binary", bytes(random.Random(1).randrange(256) for _ in range(4096)))
    feed("not-a-feed/gzip-bytes", gzip.compress(valid))
    feed("not-a-feed/deep-nesting", b"<rss>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</rss>")
    absurd = [
        "<pubDate>2024-13-45</pubDate><description>Deadline: 2024-13-45</description>",
        "<pubDate>1700000000</pubDate><description>Deadline 1700000000</description>",
        "<pubDate>Tue, 31 Feb 2025 25:61:99 GMT</pubDate>"
        "<description>Deadline: 31/02/2025</description>",
        "<pubDate>99999-01-01</pubDate><description>Deadline: 1 January 99999</description>",
        "<pubDate>-0001-01-01T00:00:00Z</pubDate><description>Deadline: 0000-00-00</description>",
        "<pubDate>Mon, 01 Jan 0001 00:00:00 +2400</pubDate>",
        "<description>Deadline: 29 February 2023, 24:00 CET</description>",
    ]
    feed(
        "dates/absurd",
        _rss(*(_item(f"absurd {i}", guid=f"d{i}", extra=x) for i, x in enumerate(absurd))),
    )
    feed(
        "guids/duplicate",
        _rss(_item("first", guid="same"), _item("second", guid="same"), _item("third", "same")),
    )
    feed("guids/missing", _rss(_item("no guid", guid=None), _item("no guid 2", guid=None)))
    feed("guids/empty-title", _rss(_item("", guid="e"), _item("   ", guid="f")))
    nasty = "\u202eevil\u202c \u200b\u200d\ufeff \u2066x\u2069 &#x1b;[31m &#x7; &#x85; title"
    feed("chars/control-bidi-zero-width", _rss(_item(nasty, guid="c1\u202e\u200b")))
    feed(
        "chars/raw-control-bytes",
        _rss(_item("raw\x1b[2J\x07bell", guid="raw\x00nul")),
    )
    feed("chars/lone-surrogate-ref", _rss(_item("&#xD800; &#xFFFF; &#x110000;", guid="s")))
    links = [
        "javascript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html,<b>x",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "vbscript:x",
        f"{canary}/link",
    ]
    feed(
        "links/schemes",
        _rss(*(_item(f"link {i}", guid=link, link=link) for i, link in enumerate(links))),
    )
    for label, text in {
        "letters": "a" * 65_536,
        "dots": "a." * 32_768,
        "ats": "@" * 65_536,
        "email-like": "a@" + "a." * 32_767,
        "parens": "(" * 65_536,
        "spaces": "a " * 32_768,
    }.items():
        feed(
            f"author-64k/{label}",
            _rss(_item("author", extra=f"<author>{text}</author>")),
        )
        feed(
            f"author-64k/atom-{label}",
            (
                '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>x</title>'
                f"<id>a</id><author><name>{text}</name><email>{text}</email></author></entry></feed>"
            ).encode(),
        )
    long_author = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><item>'
        f"<title>x</title><author>{'a' * 65_536}</author></item></channel></rss>"
    )
    feed("author-64k/utf-16", long_author.encode("utf-16"))
    feed("author-64k/utf-16be-no-bom", long_author.encode("utf-16-be"))
    feed("size/one-megabyte-title", _rss(_item("t" * 1_000_000)))
    feed("size/20k-items", valid_feed(20_000 if big else 2_000, seed=2))
    if big:
        items = valid_feed(1, seed=3)
        one = items[len(RSS_HEAD) : -len(RSS_TAIL)]
        count = 50 * 1024 * 1024 // len(one) + 1
        feed("size/50-megabytes", RSS_HEAD + one * count + RSS_TAIL)

    def portal(name: str, payload: object) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        cases.append(Case(name, "portal", data))

    portal("portal/ok", {"results": [_portal_result()], "totalResults": 1})
    portal("portal/scalars-not-lists", {"results": [_portal_result(identifier="X-1", title="T")]})
    portal("portal/missing-identifier", {"results": [_portal_result(identifier=[])]})
    portal("portal/null-metadata", {"results": [{"metadata": None}]})
    portal("portal/metadata-list", {"results": [{"metadata": [1, 2]}]})
    portal("portal/deadline-garbage", {"results": [_portal_result(deadlineDate=["2024-13-45"])]})
    portal("portal/deadline-epoch", {"results": [_portal_result(deadlineDate=[1700000000000])]})
    portal("portal/deadline-huge", {"results": [_portal_result(deadlineDate=["9" * 40])]})
    portal("portal/status-unknown", {"results": [_portal_result(status=["999"])]})
    portal("portal/budget-json-broken", {"results": [_portal_result(budgetOverview=["{not"])]})
    portal(
        "portal/budget-json-drift",
        {"results": [_portal_result(budgetOverview=['{"budgetTopicActionMap": [1, "x"]}'])]},
    )
    portal(
        "portal/actions-drift", {"results": [_portal_result(actions=['[{"deadlineDates": 5}]'])]}
    )
    portal("portal/results-not-list", {"results": {"a": 1}, "totalResults": "many"})
    portal("portal/total-negative", {"results": [], "totalResults": -5, "pageNumber": "x"})
    portal("portal/topic-details-empty", {"TopicDetails": {}})
    portal("portal/topic-details-wrong", {"TopicDetails": {"actions": "x", "identifier": 5}})
    portal("portal/not-json", b"<html>maintenance</html>")
    portal("portal/json-scalar", b"42")
    portal("portal/deeply-nested", b"[" * 100_000 + b"]" * 100_000)
    portal("portal/huge-number", b'{"totalResults": 1' + b"0" * 5000 + b', "results": []}')
    portal("portal/nan", b'{"totalResults": NaN, "results": []}')
    portal("portal/invalid-utf8", b'{"results": [{"metadata": {"title": ["\xff\xfe"]}}]}')
    portal(
        "portal/html-in-title",
        {"results": [_portal_result(title=["<script>alert(1)</script>\u202eevil"])]},
    )

    def http(name: str, data: bytes, *headers: tuple[str, str], cut: int | None = None) -> None:
        cases.append(Case(name, "http", data, headers=headers, cut=cut))

    http("http/ok", valid)
    http("http/gzip-bomb", gzip.compress(b"\0" * 200_000_000), ("Content-Encoding", "gzip"))
    http("http/gzip-truncated", gzip.compress(valid)[:-40], ("Content-Encoding", "gzip"))
    http("http/gzip-corrupt", b"\x1f\x8b\x08\x00" + b"garbage" * 100, ("Content-Encoding", "gzip"))
    http("http/truncated-body", valid, cut=len(valid) // 3)
    http(
        "http/html-page", b"<html><body>Please log in</body></html>", ("Content-Type", "text/html")
    )
    if big:
        http(
            "http/50-megabytes", RSS_HEAD + b"<item><title>x</title></item>" * 1_800_000 + RSS_TAIL
        )
    return cases


def corpus_cases(folder: Path, *, every: int = 1) -> list[Case]:
    """Every file of a feeds corpus folder (or every n-th) as a ``feed`` case."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".md")
    return [Case(str(p.relative_to(folder)), "feed", path=p) for p in files[::every]]


# --- the sandboxed worker ----------------------------------------------------------------

WORKER = r"""
import json, os, resource, sys, time, logging, tempfile, warnings
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
import fundmatch as fm
from fundmatch.netguard import Guard
from fundmatch.sources.http import Limits, Request, fetch
from fundmatch.sources.feeds import parse_feed_result
LIMITS = Limits(connect_timeout=2, read_timeout=2, total_timeout=10, retries=0,
                max_bytes=20 * 1024 * 1024)
BAD = {chr(c) for c in range(32) if chr(c) != "\n"} | {chr(c) for c in range(0x7f, 0xa0)} | set(
    "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
def check(calls):
    problems = []
    for call in calls:
        if call.url and not call.url.lower().startswith(("http://", "https://")):
            problems.append(f"unsafe url {call.url[:40]!r}")
        if BAD & set(call.title):
            problems.append(f"control character in title {call.title[:40]!r}")
    return problems
for line in sys.stdin:
    job = json.loads(line)
    started = time.perf_counter()
    out = {"calls": 0, "problems": []}
    try:
        data = open(job["path"], "rb").read() if job.get("path") else None
        if job["kind"] == "feed":
            calls = parse_feed_result(data, source="hostile").calls
        elif job["kind"] == "portal":
            calls = fm.parse_ftportal(data, source="hostile")
        else:
            request = Request(job["url"])
            body = fetch(request, limits=LIMITS, guard=Guard.off(), source="hostile").body
            calls = parse_feed_result(body, source="hostile").calls
        out.update(outcome="accepted", calls=len(calls), problems=check(calls))
    except fm.FundmatchError as exc:
        out.update(outcome="refused", error=type(exc).__name__, message=str(exc)[:120])
    except BaseException as exc:
        out.update(outcome="foreign", error=type(exc).__name__, message=str(exc)[:200])
    out["seconds"] = time.perf_counter() - started
    out["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""


@dataclass
class Outcome:
    case: str
    outcome: str  # accepted | refused | foreign | killed
    error: str = ""
    message: str = ""
    calls: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    outcomes: list[Outcome]
    canary_hits: int
    peak_kb: int
    wall: float

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome in ("foreign", "killed") or o.problems]

    def figures(self) -> list[str]:
        refused = Counter(o.error for o in self.outcomes if o.outcome == "refused")
        killed = Counter(o.error for o in self.outcomes if o.outcome == "killed")
        slowest = max(self.outcomes, key=lambda o: o.seconds)
        by = lambda kind: sum(1 for o in self.outcomes if o.outcome == kind)  # noqa: E731
        lines = [
            f"files tried          {len(self.outcomes)}",
            f"accepted             {by('accepted')} ({sum(o.calls for o in self.outcomes)} calls)",
            f"refused              {by('refused')}  "
            + ", ".join(f"{k}: {v}" for k, v in sorted(refused.items())),
            f"foreign exceptions   {by('foreign')}",
            f"killed (limit)       {by('killed')}  "
            + ", ".join(f"{k}: {v}" for k, v in sorted(killed.items())),
            f"invariant violations {sum(len(o.problems) for o in self.outcomes)}",
            f"canary hits          {self.canary_hits}",
            f"slowest file         {slowest.case} ({slowest.seconds:.2f} s, {slowest.outcome})",
            f"peak worker memory   {self.peak_kb / 1024:.0f} MB (RSS)",
            f"wall time            {self.wall:.1f} s",
        ]
        for failure in self.failures[:20]:
            lines.append(
                f"  FAIL {failure.case}: {failure.outcome} {failure.error} {failure.message} "
                + "; ".join(failure.problems[:3])
            )
        return lines


class _Worker:
    def __init__(self, memory: int) -> None:
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(memory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)

    def ask(self, job: dict[str, str], deadline: float) -> dict[str, object] | None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            return None
        if not self.selector.select(timeout=deadline):
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def kill(self) -> int:
        self.proc.kill()
        return self.close()

    def close(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.selector.close()
        return _child_peak_kb()


def _child_peak_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def run_cases(
    cases: list[Case],
    *,
    memory: int = 1536 * 1024 * 1024,
    deadline: float = 20.0,
    loopback: Loopback | None = None,
) -> Report:
    """Run every case in a sandboxed worker; a worker past ``deadline`` or out of memory is
    killed, the case counted as killed, and a fresh worker takes the next case."""
    own = loopback is None
    server = loopback or Loopback()
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    peak = 0
    with tempfile.TemporaryDirectory() as scratch:
        worker = _Worker(memory)
        try:
            for number, case in enumerate(cases):
                job: dict[str, str] = {"kind": case.kind}
                if case.kind == "http":
                    server.cases[f"/case/{number}"] = case
                    job["url"] = f"{server.base}/case/{number}"
                elif case.path is not None:
                    job["path"] = str(case.path)
                else:
                    path = Path(scratch) / f"case-{number}"
                    path.write_bytes(case.data)
                    job["path"] = str(path)
                begin = time.perf_counter()
                answer = worker.ask(job, deadline)
                if answer is None:
                    alive = worker.proc.poll() is None
                    peak = max(peak, worker.kill())
                    why = "deadline" if alive else f"worker died ({worker.proc.returncode})"
                    outcomes.append(
                        Outcome(case.name, "killed", why, seconds=time.perf_counter() - begin)
                    )
                    worker = _Worker(memory)
                    continue
                peak = max(peak, int(answer.get("peak_kb", 0)))  # type: ignore[call-overload]
                outcomes.append(
                    Outcome(
                        case.name,
                        str(answer["outcome"]),
                        str(answer.get("error", "")),
                        str(answer.get("message", "")),
                        int(answer.get("calls", 0)),  # type: ignore[call-overload]
                        float(answer.get("seconds", 0.0)),  # type: ignore[arg-type]
                        list(answer.get("problems", [])),  # type: ignore[call-overload]
                    )
                )
                if case.kind != "http" and case.path is None:
                    Path(job["path"]).unlink()
        finally:
            peak = max(peak, worker.close())
            if own:
                server.close()
    return Report(outcomes, len(server.canary_hits), peak, time.perf_counter() - started)


def iter_lines(report: Report) -> Iterator[str]:
    yield from report.figures()
