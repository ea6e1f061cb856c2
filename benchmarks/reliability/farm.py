"""Faults and load: a loopback farm of feeds that change over scheduled runs, with injected faults.

Each scheduled run updates the store from every feed (``workers`` concurrent fetches, then
the store written source by source), then runs the digests through a real loopback SMTP
server with a login. The same schedule runs twice: once fault-free (the reference) and once
with ``fault_rate`` of HTTP requests failing (timeout, 5xx, 429 + Retry-After, truncated
body, connection reset) and some mail deferred or dropped after DATA. Then the two stores are
compared and the digests counted. Canary secrets (SMTP password, URL userinfo, an API key in
the query) are planted and searched for afterwards in every output.
"""

from __future__ import annotations

import contextlib
import email.policy
import functools
import io
import logging
import random
import resource
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import fundmatch as fm
from fundmatch.digest import Subscription, Subscriptions, outbox_messages, run_digests
from fundmatch.mail import Delivery, SmtpMailer, SmtpSettings
from fundmatch.models import Match, Profile
from fundmatch.netguard import Guard
from fundmatch.sources import http

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from support.smtp_server import Behaviour, SmtpServer

T0 = datetime(2031, 1, 5, 6, 0, tzinfo=UTC)
MONTHS = "January February March April May June July August September October November December"
CANARY_PASSWORD = "CANARY-SMTP-PASSWORD-7f3a9e"
CANARY_USERINFO = "CANARY-USERINFO-91b2c4"
CANARY_APIKEY = "CANARY-APIKEY-c4d5e6"
CANARIES = (CANARY_PASSWORD, CANARY_USERINFO, CANARY_APIKEY)
FAULTS = ("timeout", "5xx", "429", "truncated", "reset")
QUIET_TAIL = 5
"""The last runs change no feed, so a feed that failed late catches up before the end."""


@dataclass(frozen=True)
class Size:
    feeds: int = 200
    items: int = 500
    runs: int = 50
    workers: int = 8
    fault_rate: float = 0.10


# --- the feeds ---------------------------------------------------------------------------


FIRST_CHANGE = 3
"""No feed changes before this run: every call stays listed for at least three runs (a call
listed only while its feed was failing could not be seen by anyone)."""


def changes(feed: int, run: int, runs: int) -> int:
    """How many times ``feed`` has changed by ``run``: every 10th run, staggered by feed."""
    last = min(run, runs - QUIET_TAIL)
    return sum(1 for r in range(FIRST_CHANGE, last + 1) if r % 10 == feed % 10)


_VOCABULARY = (
    "agri-food biodiversity circular coastal cultural digital energy forest heritage islands "
    "logistics maritime mobility mountain nature ports rail rural skills solar tourism urban "
    "water wind youth broadband clusters climate culture diaspora education health housing "
    "inclusion innovation language migration museums research sediments soils transport"
)
VOCABULARY = _VOCABULARY.split()


def _words(feed: int, k: int) -> str:
    # Distinct titles: the store merges look-alike titles from different sources.
    rng = random.Random(feed * 1_000_003 + k)
    return " ".join(rng.sample(VOCABULARY, 5)).capitalize()


@functools.lru_cache(maxsize=512)
def feed_bytes(feed: int, items: int, changed: int) -> bytes:
    """Feed ``feed`` after ``changed`` changes: two new items per change, the two oldest gone,
    and a moved deadline for one item in seven."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Programme {feed}</title>"
    ]
    for k in range(2 * changed, items + 2 * changed):
        day = 1 + (feed * 7 + k) % 28 + (1 if k % 7 == changed % 7 and changed else 0)
        month = MONTHS.split()[(feed + k) % 12]
        topic = "hydrogen valleys" if k >= items and k % 2 == 0 else "regions"
        out.append(
            f"<item><title>{_words(feed, k)} {topic} ({feed}-{k})</title>"
            f"<guid>https://farm.example/{feed}/{k}</guid>"
            f"<link>https://farm.example/{feed}/{k}</link>"
            f"<description>Support for projects in {topic}. Deadline: {day} {month} 2032 "
            f"17:00 CET. Budget EUR {(k % 90 + 1) * 10} 000.</description></item>"
        )
    out.append("</channel></rss>\n")
    return "".join(out).encode()


class Farm:
    """The loopback HTTP server of ``size.feeds`` feeds; ``run`` and ``faulty`` are set per run."""

    def __init__(self, size: Size, *, read_timeout: float) -> None:
        self.size = size
        self.run = 0
        self.faulty = False
        self.read_timeout = read_timeout
        self.requests = 0
        self.injected: Counter[str] = Counter()
        self.bad_keys = 0
        self._attempts: Counter[tuple[int, int]] = Counter()
        self._lock = threading.Lock()
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                farm.serve(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        ThreadingHTTPServer.request_queue_size = 64
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, feed: int) -> str:
        return (
            f"http://fm-user:{CANARY_USERINFO}@127.0.0.1:{self.port}/feed/{feed}"
            f"?apiKey={CANARY_APIKEY}&lang=en"
        )

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _fault(self, feed: int) -> str | None:
        with self._lock:
            self.requests += 1
            attempt = self._attempts[(feed, self.run)]
            self._attempts[(feed, self.run)] += 1
        if not self.faulty:
            return None
        rng = random.Random(f"{feed}/{self.run}/{attempt}")
        if rng.random() >= self.size.fault_rate:
            return None
        return rng.choice(FAULTS)

    def _count(self, fault: str) -> None:
        with self._lock:
            self.injected[fault] += 1

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        if parse_qs(parts.query).get("apiKey") != [CANARY_APIKEY]:
            self.bad_keys += 1
        feed = int(parts.path.rsplit("/", 1)[1])
        changed = changes(feed, self.run, self.size.runs)
        etag = f'"{feed}-{changed}"'
        fault = self._fault(feed)
        if fault == "truncated" and handler.headers.get("If-None-Match") == etag:
            fault = None  # nothing to truncate in a 304: counted as a clean answer
        if fault:
            self._count(fault)
        if fault == "timeout":
            time.sleep(self.read_timeout + 0.3)
            handler.close_connection = True
            return
        if fault == "reset":
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.close_connection = True
            return
        if fault in ("5xx", "429"):
            handler.send_response(503 if fault == "5xx" else 429)
            handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        body = feed_bytes(feed, self.size.items, changed)
        handler.send_response(200)
        handler.send_header("ETag", etag)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if fault == "truncated":
            handler.wfile.write(body[: len(body) // 2])
            handler.close_connection = True
            return
        handler.wfile.write(body)


# --- mail --------------------------------------------------------------------------------


class FlakyMailer:
    """The SMTP mailer, with some sends deferred (as a 4xx would) when ``faulty``."""

    def __init__(self, inner: SmtpMailer, rate: float) -> None:
        self.inner = inner
        self.rate = rate
        self.faulty = False
        self.deferred = 0
        self.rng = random.Random(7)

    def send(self, message: EmailMessage) -> Delivery:
        if self.faulty and self.rng.random() < self.rate:
            self.deferred += 1
            return Delivery(status="deferred", code=451, reply="451 4.3.0 try again later")
        return self.inner.send(message)


def keyword_ranker(store: fm.Store) -> object:
    """A cheap ranker for the campaign: fresh calls naming a keyword, score 50 (the campaign
    tests delivery, not ranking; ``fm.rank`` is exercised by the property tests)."""
    seen: dict[str, object] = {}

    def ranker(profile: Profile, now: datetime) -> Sequence[Match]:
        if "calls" not in seen:
            fresh = store.first_seen_since(now - timedelta(days=3))
            seen["calls"] = [s.call for s in fresh]
        words = [k.lower() for k in profile.keywords]
        calls: list[fm.Call] = seen["calls"]  # type: ignore[assignment]
        hits = [c for c in calls if any(w in c.title.lower() for w in words)]
        reason = fm.Reason(factor="keyword", points=50, evidence="keyword in the title")
        return [Match(call=c, score=50, reasons=(reason,)) for c in hits]

    return ranker


SUBSCRIPTIONS = Subscriptions(
    subscription=(
        Subscription(
            name="hydrogen",
            profile=Profile(name="Hydrogen valleys", keywords=("hydrogen",)),
            recipients=("alice@example.org", "bob@example.org"),
            frequency="daily",
            max_items=100,
            min_score=0,
            include_changes=False,  # every farm URL in a message is then a new call
            reminders=(),
        ),
    )
)


# --- one campaign ------------------------------------------------------------------------


@dataclass
class Outcome:
    store: dict[str, object]
    open_ids: set[str]
    announced: Counter[tuple[str, str]]
    messages: int
    resent_same_id: int
    wall: float
    failed_fetches: int
    results: Counter[str] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)
    mail_deferred: int = 0
    dropped_after_data: int = 0
    requests: int = 0
    bad_keys: int = 0
    secrets_found: dict[str, int] = field(default_factory=dict)


def _update(
    store: fm.Store, sources: list[fm.Source], now: datetime, fetch: http.Fetch, workers: int
) -> list[fm.SourceResult]:
    """``fm.update`` with the fetches made ``workers`` at a time beforehand (same validators).

    SQLite has one writer: eight updates writing at once queue behind each other's
    transactions (with 500-call upserts they ran past the store's 30 s busy timeout), so the
    network part is concurrent and the writes are not.
    """
    states = {state.name: state for state in store.source_states()}

    def get(source: fm.Source) -> http.Response | fm.FetchError:
        state = states.get(source.name)
        request = http.Request(
            url=source.url or "",
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
        try:
            return fetch(request)
        except fm.FetchError as exc:
            return exc

    with ThreadPoolExecutor(workers) as pool:
        answers = dict(zip([s.url for s in sources], pool.map(get, sources), strict=True))

    def prefetched(request: http.Request) -> http.Response:
        answer = answers[request.url]
        if isinstance(answer, fm.FetchError):
            raise answer
        return answer

    return fm.update(store, sources, now=now, fetch=prefetched)


def campaign(size: Size, folder: Path, *, faulty: bool, log: io.StringIO) -> Outcome:
    """Run ``size.runs`` scheduled runs into a fresh store in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "fundmatch.sqlite"
    read_timeout = 1.0
    farm = Farm(size, read_timeout=read_timeout)
    smtp = SmtpServer(Behaviour(password=CANARY_PASSWORD))
    smtp.__enter__()
    env = {
        "FUNDMATCH_SMTP_HOST": "127.0.0.1",
        "FUNDMATCH_SMTP_PORT": str(smtp.port),
        "FUNDMATCH_SMTP_USER": "digest",
        "FUNDMATCH_SMTP_PASSWORD": CANARY_PASSWORD,
        "FUNDMATCH_SMTP_SECURITY": "none",
    }
    settings = SmtpSettings.from_env(env)
    logging.getLogger("fundmatch").info("mail settings: %r", settings)
    mailer = FlakyMailer(SmtpMailer(settings), rate=size.fault_rate)
    limits = http.Limits(
        connect_timeout=2, read_timeout=read_timeout, total_timeout=10, retries=3, backoff=0.01
    )
    fetch = functools.partial(
        http.fetch, limits=limits, guard=Guard.off(), sleep=lambda s: time.sleep(min(s, 0.01))
    )
    sources = [
        fm.Source(name=f"farm-{i:03d}", kind="feed", url=farm.url(i)) for i in range(size.feeds)
    ]
    results: Counter[str] = Counter()
    dropped = 0
    started = time.perf_counter()
    try:
        with fm.Store(db):
            pass  # create the schema once, before the workers open it
        for run in range(size.runs):
            farm.run, farm.faulty, mailer.faulty = run, faulty, faulty
            now = T0 + timedelta(days=run)
            with fm.Store(db) as store:
                for r in _update(store, sources, now, fetch, size.workers):
                    results["failed" if r.error else "304" if r.not_modified else "read"] += 1
            if faulty and run % 10 == 3:
                smtp.behaviour.drop_after_data = 1  # the ambiguous window: dropped after DATA
                dropped += 1
            with fm.Store(db) as store:
                run_digests(
                    store,
                    SUBSCRIPTIONS,
                    mailer,
                    sender="digest@example.org",
                    now=now,
                    ranker=keyword_ranker(store),  # type: ignore[arg-type]
                )
        wall = time.perf_counter() - started
        with fm.Store(db) as store:
            calls = store.calls(include_withdrawn=True)
            snapshot = {c.id: c.model_dump(mode="json") for c in calls}
            open_ids = {c.id for c in store.calls()}
            unsent = [m for m in outbox_messages(store) if m.state != "sent"]
            export = folder / "export.json"
            export.write_text(fm.export_json(calls))
        announced: Counter[tuple[str, str]] = Counter()
        ids: Counter[str] = Counter()
        for message in smtp.received:
            ids[str(message["Message-ID"])] += 1
        distinct: dict[str, EmailMessage] = {}
        for message in smtp.received:
            distinct.setdefault(str(message["Message-ID"]), message)
        for message in distinct.values():
            text = message.get_body(preferencelist=("plain",))
            assert text is not None
            urls = {
                line[line.index("https://farm.example/") :].split()[0].rstrip(">)")
                for line in str(text.get_content()).splitlines()
                if "https://farm.example/" in line
            }
            for url in urls:
                announced[(str(message["To"]), url)] += 1
        emails = folder / "received.eml"
        emails.write_bytes(b"\n".join(m.as_bytes(policy=email.policy.SMTP) for m in smtp.received))
        outputs = {
            "log": log.getvalue().encode(),
            "database": b"".join(p.read_bytes() for p in folder.glob("fundmatch.sqlite*")),
            "export": export.read_bytes(),
            "emails": emails.read_bytes(),
        }
        found = {
            where: sum(blob.count(secret.encode()) for secret in CANARIES)
            for where, blob in outputs.items()
        }
        return Outcome(
            store=snapshot,
            open_ids=open_ids,
            announced=announced,
            messages=len(distinct),
            resent_same_id=sum(n - 1 for n in ids.values() if n > 1),
            wall=wall,
            failed_fetches=results["failed"],
            results=results,
            injected=farm.injected,
            mail_deferred=mailer.deferred + len(unsent),
            dropped_after_data=dropped,
            requests=farm.requests,
            bad_keys=farm.bad_keys,
            secrets_found=found,
        )
    finally:
        farm.close()
        with contextlib.suppress(Exception):
            smtp.__exit__(None, None, None)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
