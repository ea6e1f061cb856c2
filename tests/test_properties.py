"""Properties that must hold for any input (hypothesis): parsers fail only with our errors, feeds
round-trip, truncation never invents a call nor moves a source's cursor, a digest e-mail never
carries active content, and ranking is deterministic and total."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from html.parser import HTMLParser
from pathlib import Path
from tempfile import TemporaryDirectory
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fundmatch as fm
from fundmatch.digest import DigestItem, render_digest
from fundmatch.sources.extract import clean_text
from fundmatch.sources.http import Request, Response

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
BRUSSELS = ZoneInfo("Europe/Brussels")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- arbitrary bytes into the parsers -----------------------------------------------------

XML_BITS = st.sampled_from(
    [
        b"<?xml version='1.0'?>",
        b"<rss version='2.0'>",
        b"<channel>",
        b"<item>",
        b"<title>",
        b"</title>",
        b"<guid>",
        b"</item>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'>",
        b"<entry>",
        b"<!DOCTYPE x>",
        b"<![CDATA[",
        b"]]>",
        b"&amp;",
        b"&#x0;",
        b"&#xD800;",
        b"\xff\xfe",
        b"\x00",
        b"Deadline: 31 February 2025",
        b"<pubDate>2024-13-45</pubDate>",
    ]
)
FEEDISH = st.lists(st.one_of(XML_BITS, st.binary(max_size=20)), max_size=30).map(b"".join)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
PORTAL_KEYS = ["results", "metadata", "identifier", "title", "deadlineDate", "TopicDetails"]


@FAST
@given(data=st.one_of(st.binary(max_size=2000), FEEDISH))
def test_any_bytes_into_parse_feed_raise_only_fundmatch_errors(data: bytes) -> None:
    try:
        calls = fm.parse_feed(data, source="fuzz")
    except fm.FundmatchError:
        return
    assert all(isinstance(call, fm.Call) for call in calls)


@FAST
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        JSONISH.map(json.dumps),  # any JSON text, scalars included
        st.lists(JSONISH, max_size=4),
        st.dictionaries(st.sampled_from(PORTAL_KEYS), JSONISH, max_size=4),
        st.builds(
            lambda meta: {"results": [{"metadata": meta}]},
            st.dictionaries(
                st.sampled_from(["identifier", "title", "deadlineDate", "status", "actions"]),
                st.lists(JSONISH, max_size=2) | JSONISH,
            ),
        ),
    )
)
def test_any_payload_into_parse_ftportal_raises_only_fundmatch_errors(data: object) -> None:
    try:
        calls = fm.parse_ftportal(data, source="fuzz")  # type: ignore[arg-type]
    except fm.FundmatchError:
        return
    assert all(isinstance(call, fm.Call) for call in calls)


# --- feeds built from random calls --------------------------------------------------------

WORDS = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="-'’,.!?€%()"),
    min_size=1,
    max_size=12,
)
TITLES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
DAYS = st.dates(min_value=datetime(2026, 1, 1).date(), max_value=datetime(2035, 12, 31).date())
MONTHS = "January February March April May June July August September October November December"


def feed_of(calls: Sequence[tuple[str, str, datetime]]) -> bytes:
    items = []
    for key, title, deadline in calls:
        when = f"{deadline.day} {MONTHS.split()[deadline.month - 1]} {deadline.year} 17:00 CET"
        items.append(
            f"<item><title>{escape(title)}</title><guid>{key}</guid><link>{key}</link>"
            f"<description>Applications are open. Deadline: {when}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>calls</title>'
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


RANDOM_CALLS = st.lists(
    st.tuples(st.integers(0, 10**6), TITLES, DAYS),
    min_size=1,
    max_size=12,
    unique_by=lambda c: c[0],
).map(
    lambda rows: [
        (
            f"https://calls.example.org/{n}",
            title,
            # "17:00 CET" means 17:00 Brussels time, summer or winter.
            datetime(day.year, day.month, day.day, 17, 0, tzinfo=BRUSSELS),
        )
        for n, title, day in rows
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=RANDOM_CALLS)
def test_a_feed_of_random_calls_parses_back_to_the_same_keys_titles_and_deadlines(
    calls: list[tuple[str, str, datetime]],
) -> None:
    parsed = fm.parse_feed(feed_of(calls), source="roundtrip")
    # Titles come back as clean_text makes them (NFC, mojibake repaired, spaces collapsed).
    expected = [(key, clean_text(title)) for key, title, _ in calls]
    assert [(c.id, c.title) for c in parsed] == expected
    for call, (_, _, deadline) in zip(parsed, calls, strict=True):
        assert [d.at for d in call.deadlines] == [deadline]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=RANDOM_CALLS, cut=st.floats(0.0, 1.0))
def test_a_truncated_feed_never_invents_a_call_nor_moves_the_cursor(
    calls: list[tuple[str, str, datetime]], cut: float
) -> None:
    whole = feed_of(calls)
    part = whole[: int(len(whole) * cut)]
    source = fm.Source(name="news", kind="feed", url="https://calls.example.org/feed")
    answers = iter(
        [
            Response(url="", status=200, body=whole, etag='"v1"', last_modified="Mon, 1 Mar 2026"),
            Response(url="", status=200, body=part, etag='"v2"', last_modified="Tue, 2 Mar 2026"),
        ]
    )
    seen: list[Request] = []

    def fetch(request: Request) -> Response:
        seen.append(request)
        return next(answers)

    with TemporaryDirectory() as folder, fm.Store(Path(folder) / "s.sqlite") as store:
        fm.update(store, [source], now=NOW, fetch=fetch)
        before = {c.id: c for c in store.calls(include_withdrawn=True)}
        (result,) = fm.update(store, [source], now=NOW + timedelta(hours=1), fetch=fetch)
        after = {c.id: c for c in store.calls(include_withdrawn=True)}
        state = store.source_state("news")
    assert seen[1].etag == '"v1"'
    assert after.keys() == before.keys()  # nothing invented
    assert all(after[key].title == before[key].title for key in after)  # nothing half-read
    assert state is not None
    if part.strip() != whole.strip():
        assert not result.complete
        assert (state.etag, state.last_modified) == ('"v1"', "Mon, 1 Mar 2026")
    if not result.complete:
        assert result.withdrawn == 0


# --- digests never carry active content ---------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "<script>alert(1)</script>",
                "<img src=https://evil.example/pixel.gif>",
                "<img src=x onerror=alert(1)>",
                '<a href="javascript:alert(1)">x</a>',
                '"><iframe src=//evil>',
                "<form action=https://evil.example><input name=p></form>",
                "' onmouseover='alert(1)",
                "data:text/html;base64,PHNjcmlwdD4=",
                "javascript:alert(1)",
                "<svg onload=alert(1)>",
                "&lt;script&gt;",
                "\u202e\u200b\x00\x1b[2J",
                "{{ 7*7 }}",
                "</style><style>",
            ]
        ),
        max_size=4,
    ).map(" ".join),
)
URLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "https://example.org/a?b=<script>alert(1)</script>",
            'https://example.org/"onmouseover="alert(1)',
            "https://example.org/'><img src=x onerror=alert(1)>",
            "http://example.org/#javascript:alert(1)",
        ]
    ),
)
UNSAFE_LINKS = [
    "javascript:alert(1)",
    "JAVASCRIPT:x",
    "data:text/html,x",
    "vbscript:x",
    "file:///x",
]


def test_a_call_refuses_links_that_are_not_http() -> None:
    for link in UNSAFE_LINKS:
        with pytest.raises(ValueError, match="http"):
            fm.Call(id="X", title="t", url=link)


class ActiveContent(HTMLParser):
    """Collects every element or attribute of an HTML part that could run or fetch something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        harmless_meta = tag == "meta" and all(k in ("charset", "name", "content") for k, _ in attrs)
        if tag in ("script", "iframe", "form", "object", "embed", "frame", "base", "meta"):
            self.found += [] if harmless_meta else [f"<{tag}>"]
        for name, value in attrs:
            link = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "background", "srcset"):
                if link.startswith(("javascript:", "data:", "vbscript:", "file:")):
                    self.found.append(f"{tag} {name}={link[:30]}")
                if tag == "img" or name in ("src", "background", "srcset"):
                    self.found.append(f"remote {tag} {name}")


def _html_of(message: EmailMessage) -> str:
    parsed = message_from_bytes(message.as_bytes(policy=SMTP), policy=SMTP)
    assert isinstance(parsed, EmailMessage)
    part = parsed.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=HOSTILE_TEXT.filter(lambda t: t.strip()),
    description=HOSTILE_TEXT,
    programme=HOSTILE_TEXT,
    evidence=HOSTILE_TEXT,
    url=URLS,
    line=HOSTILE_TEXT,
)
def test_a_rendered_digest_never_carries_active_content(
    title: str, description: str, programme: str, evidence: str, url: str | None, line: str
) -> None:
    call = fm.Call.model_validate(
        {
            "id": "X-1",
            "title": title,
            "description": description,
            "programme": programme or None,
            "url": url,
            "deadlines": [{"at": "2026-06-12T17:00:00", "timezone": "Europe/Brussels"}],
        }
    )
    reason = fm.Reason(factor="keyword", points=30, evidence=evidence or "x")
    change = fm.Change(kind="changed", call_id="X-1", at=NOW, fields=())
    digest = fm.Digest(
        subscription="s",
        recipient="alice@example.org",
        now=NOW,
        items=(
            DigestItem(
                kind="new",
                key="new:X-1",
                call=call,
                match=fm.Match(call=call, score=30, reasons=(reason,)),
            ),
            DigestItem(kind="change", key="c:X-1", call=call, change=change, lines=(line,)),
        ),
    )
    html = _html_of(render_digest(digest, sender="digest@example.org"))
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<form" not in lowered
    checker = ActiveContent()
    checker.feed(html)
    assert checker.found == []


# --- ranking ------------------------------------------------------------------------------

PROFILE_WORDS = ["open data", "smart city", "energy", "SME", "mobility", "health", "water"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(
        st.lists(st.sampled_from([*PROFILE_WORDS, "call", "pilot", "platform"]), max_size=5).map(
            " ".join
        ),
        min_size=1,
        max_size=25,
    ),
    keywords=st.lists(st.sampled_from(PROFILE_WORDS), max_size=3, unique=True),
    seed=st.integers(0, 1000),
)
def test_ranking_is_deterministic_and_total(
    titles: list[str], keywords: list[str], seed: int
) -> None:
    calls = [
        fm.Call.model_validate(
            {
                "id": f"C-{number:03d}",
                "title": title or "call",
                "deadlines": [{"at": f"2026-0{1 + number % 9}-15T17:00:00", "timezone": "UTC"}],
            }
        )
        for number, title in enumerate(titles)
    ]
    profile = fm.Profile(name="p", keywords=tuple(keywords))
    options = {
        "now": NOW,
        "limit": None,
        "include_closed": True,
        "include_blocked": True,
        "min_score": 0,  # every call that scored, not only those above the default minimum
    }
    first = fm.rank(profile, calls, **options)  # type: ignore[arg-type]
    shuffled = calls[:]
    random.Random(seed).shuffle(shuffled)
    again = fm.rank(profile, shuffled, **options)  # type: ignore[arg-type]
    ids = [m.call.id for m in first]
    assert ids == [m.call.id for m in again]
    assert [m.score for m in first] == [m.score for m in again]
    assert len(ids) == len(set(ids)) and set(ids) <= {c.id for c in calls}
    # A total order: best score first, ties broken by call id.
    assert ids == [m.call.id for m in sorted(first, key=lambda m: (-m.score, m.call.id))]
    if keywords and any(k in t for k in keywords for t in titles):
        assert ids  # a call that names a keyword scores
