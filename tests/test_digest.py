"""Digests, pure: subscriptions files, what goes into a digest, and the rendered message."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

import fundmatch as fm
from fundmatch.digest import (
    describe_change,
    header_text,
    message_id,
    outbox_messages,
    plan_digests,
    render_digest,
    render_ics,
    safe_text,
    select_digest,
    subject,
)
from fundmatch.export import ics_uid

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
BRUSSELS = "Europe/Brussels"


def a_call(id: str = "HORIZON-CL5-2026-D4-01", **fields: object) -> fm.Call:
    values: dict[str, object] = {
        "title": "Open data platforms for smart cities",
        "programme": "Horizon Europe",
        "url": "https://ec.europa.eu/info/funding-tenders/opportunities/portal/topic/x",
        "deadlines": [{"at": "2026-06-12T17:00:00", "timezone": BRUSSELS}],
        "budget": {"total": "3000000", "per_project_max": "1500000"},
        "co_financing_rate": "0.7",
    }
    values.update(fields)
    return fm.Call.model_validate({"id": id, **values})


def a_match(call: fm.Call, score: float = 60) -> fm.Match:
    reasons = [
        fm.Reason(factor="keyword", points=score / 2, evidence="'open data' in the title"),
        fm.Reason(factor="lexical", points=score / 2, evidence="smart city, platform"),
    ]
    return fm.Match(call=call, score=score, reasons=tuple(reasons))


def a_subscription(**fields: object) -> fm.Subscription:
    values: dict[str, object] = {
        "name": "marseille",
        "profile": fm.Profile(name="Marseille open data SME"),
        "recipients": ["alice@example.org"],
    }
    values.update(fields)
    return fm.Subscription.model_validate(values)


def rendered(digest: fm.Digest, **kwargs: object) -> EmailMessage:
    message = render_digest(digest, sender="digest@example.org", **kwargs)  # type: ignore[arg-type]
    # What a receiving server sees: the bytes on the wire, parsed back.
    parsed = message_from_bytes(message.as_bytes(policy=SMTP), policy=SMTP)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


# --- subscriptions file ---------------------------------------------------------------


def test_a_subscriptions_file_loads_with_profile_paths_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.toml").write_text('name = "P"\nregion = "FRL04"\n')
    (tmp_path / "digest.toml").write_text(
        """
[digest]
list_unsubscribe = "mailto:unsubscribe@example.org"

[[subscription]]
name = "by-path"
profile = "profiles/p.toml"
recipients = ["a@example.org", "b@example.org"]
unsubscribed = ["b@example.org"]
frequency = "weekly"
reminders = [3, 14]

[[subscription]]
name = "inline"
recipients = ["c@example.org"]
paused = true
[subscription.profile]
name = "Inline"
keywords = ["open data"]
"""
    )
    subs = fm.load_subscriptions(tmp_path / "digest.toml")
    first, second = subs.subscription
    assert first.profile.country == "FR"
    assert first.active_recipients() == ("a@example.org",)
    assert first.reminders == (14, 3)
    assert second.profile.keywords == ("open data",)
    assert second.active_recipients() == ()
    assert subs.digest.list_unsubscribe == "mailto:unsubscribe@example.org"


@pytest.mark.parametrize(
    ("entry", "field", "line"),
    [
        ('recipients = ["not an address"]', "subscription.0.recipients.0", 4),
        ('recipients = ["a@example.org"]\nmin_score = 120', "subscription.0.min_score", 5),
        ('recipients = ["a@example.org"]\nfrequency = "hourly"', "subscription.0.frequency", 5),
        ('recipients = ["a@example.org"]\npassword = "x"', "subscription.0.password", 5),
        ('recipients = ["a@example.org"]\ntimezone = "Mars/Base"', "subscription.0.timezone", 5),
    ],
)
def test_a_bad_subscription_names_the_file_field_and_line(
    tmp_path: Path, entry: str, field: str, line: int
) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(f'[[subscription]]\nname = "s"\nprofile = {{ name = "P" }}\n{entry}\n')
    with pytest.raises(fm.ConfigError) as caught:
        fm.load_subscriptions(path)
    assert caught.value.field == field
    assert caught.value.line == line
    assert str(path) in str(caught.value)


def test_a_missing_profile_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('[[subscription]]\nname = "s"\nprofile = "nowhere.toml"\nrecipients = []\n')
    with pytest.raises(fm.ConfigError, match=r"profile file not found: nowhere\.toml") as caught:
        fm.load_subscriptions(path)
    assert caught.value.line == 3


def test_two_subscriptions_with_one_name_are_refused(tmp_path: Path) -> None:
    entry = '[[subscription]]\nname = "s"\nprofile = { name = "P" }\nrecipients = ["a@b.org"]\n'
    path = tmp_path / "digest.toml"
    path.write_text(entry + entry)
    with pytest.raises(fm.ConfigError, match="unique"):
        fm.load_subscriptions(path)


def test_due_follows_the_frequency() -> None:
    daily, weekly = a_subscription(), a_subscription(frequency="weekly")
    assert daily.due(None, NOW)
    assert daily.due(NOW - timedelta(hours=23, minutes=50), NOW)  # cron started a bit early
    assert not daily.due(NOW - timedelta(hours=2), NOW)
    assert not weekly.due(NOW - timedelta(days=3), NOW)
    assert weekly.due(NOW - timedelta(days=7), NOW)


# --- selection ------------------------------------------------------------------------


def test_selection_keeps_good_unsent_open_calls_best_first() -> None:
    good, better = a_call("A"), a_call("B")
    weak = a_call("C")
    closed = a_call("D", deadlines=[{"at": "2026-01-10T17:00:00", "timezone": BRUSSELS}])
    blocked = fm.Match(
        call=a_call("E"),
        score=90,
        blockers=(fm.Check(gate="geography", outcome="blocked", message="not eligible"),),
    )
    matches = [a_match(good, 50), a_match(better, 80), a_match(weak, 5), a_match(closed), blocked]
    digest = select_digest(
        a_subscription(min_score=20), "alice@example.org", matches=matches, now=NOW
    )
    assert [i.call.id for i in digest.items] == ["B", "A"]
    again = select_digest(
        a_subscription(), "alice@example.org", matches=matches, claimed={"new:B"}, now=NOW
    )
    assert [i.call.id for i in again.items] == ["A"]


def test_max_items_keeps_the_best_and_counts_the_rest() -> None:
    matches = [a_match(a_call(f"C{n}"), 30 + n) for n in range(5)]
    digest = select_digest(a_subscription(max_items=2), "a@example.org", matches=matches, now=NOW)
    assert [i.call.id for i in digest.items] == ["C4", "C3"]
    assert digest.more == 3


def test_calls_beyond_max_items_are_listed_in_brief_with_their_links() -> None:
    matches = [
        a_match(a_call(f"C{n}", title=f"Call number {n}", url=f"https://example.org/c{n}"), 30 + n)
        for n in range(5)
    ]
    digest = select_digest(a_subscription(max_items=2), "a@example.org", matches=matches, now=NOW)
    assert [i.call.id for i in digest.listed] == ["C2", "C1", "C0"]
    # They count as announced: claimed with the digest, never announced again.
    assert {"new:C2", "new:C1", "new:C0"} <= set(digest.keys)
    message = rendered(digest)
    assert message["Subject"].startswith("5 new calls")
    for text in (body(message, "plain"), body(message, "html")):
        assert "fundmatch match" not in text and "not shown" not in text
        for n in range(5):
            assert f"Call number {n}" in text
            assert f"https://example.org/c{n}" in text
    plain = body(message, "plain")
    brief = plain[plain.index("ALSO NEW AND MATCHING (3, in brief)") :].replace("\r\n", "\n")
    assert (
        "- Call number 2\n   C2 | score 32/100, strong fit | partnership not stated\n"
        "   Deadline: Friday 12 June 2026, 17:00 Brussels time" in brief
    )
    again = select_digest(
        a_subscription(max_items=2),
        "a@example.org",
        matches=matches,
        claimed=set(digest.keys),
        now=NOW,
    )
    assert again.items == () and again.listed == ()


def test_a_deadline_move_of_a_sent_call_is_one_change_line() -> None:
    before, after = (
        a_call("A"),
        a_call("A", deadlines=[{"at": "2026-06-19T17:00:00", "timezone": BRUSSELS}]),
    )
    change = fm.Change(
        kind="changed",
        call_id="A",
        at=NOW - timedelta(hours=5),
        fields=(
            fm.FieldChange(
                field="deadlines",
                old=[d.model_dump(mode="json") for d in before.deadlines],
                new=[d.model_dump(mode="json") for d in after.deadlines],
            ),
            fm.FieldChange(field="description", old="x", new="y"),
        ),
    )
    digest = select_digest(
        a_subscription(reminders=[1]),
        "a@example.org",
        matches=[],
        changes=[change],
        sent={"A": after},
        claimed={"new:A"},
        now=NOW,
    )
    (item,) = digest.items
    assert item.kind == "change"
    assert item.lines == ("deadline moved from 12 June 17:00 to 19 June 2026 17:00 Brussels time",)
    assert subject(digest) == "1 deadline moved: Horizon Europe"
    # Told once: the next digest does not repeat it.
    later = select_digest(
        a_subscription(reminders=[1]),
        "a@example.org",
        matches=[],
        changes=[change],
        sent={"A": after},
        claimed={"new:A", item.key},
        now=NOW,
    )
    assert later.items == ()


def test_changes_are_left_out_when_not_wanted_or_for_calls_never_sent() -> None:
    change = fm.Change(kind="withdrawn", call_id="A", at=NOW)
    kwargs: dict[str, object] = {"matches": [], "changes": [change], "now": NOW}
    sent = {"A": a_call("A")}
    assert select_digest(a_subscription(reminders=[1]), "a@x.org", sent={}, **kwargs).items == ()  # type: ignore[arg-type]
    assert (
        select_digest(
            a_subscription(include_changes=False, reminders=[1]),
            "a@x.org",
            sent=sent,
            **kwargs,  # type: ignore[arg-type]
        ).items
        == ()
    )
    told = select_digest(a_subscription(reminders=[1]), "a@x.org", sent=sent, **kwargs)  # type: ignore[arg-type]
    assert told.items[0].lines == ("the call was withdrawn: its source no longer lists it",)


def test_reminders_come_once_per_window_before_the_next_deadline() -> None:
    call = a_call("A", deadlines=[{"at": "2026-03-10T17:00:00", "timezone": BRUSSELS}])
    sub = a_subscription(reminders=[14, 3])
    first = select_digest(sub, "a@x.org", matches=[], sent={"A": call}, claimed={"new:A"}, now=NOW)
    (item,) = first.items
    assert item.kind == "reminder"
    assert item.lines[0].startswith("8 days left: 10 March 2026 17:00 Brussels time")
    claimed = {"new:A", item.key}
    assert (
        select_digest(
            sub,
            "a@x.org",
            matches=[],
            sent={"A": call},
            claimed=claimed,
            now=NOW + timedelta(days=1),
        ).items
        == ()
    )
    close = select_digest(
        sub, "a@x.org", matches=[], sent={"A": call}, claimed=claimed, now=NOW + timedelta(days=6)
    )
    assert close.items[0].lines[0].startswith("2 days left")


# --- rendering ------------------------------------------------------------------------


HOSTILE = "Open data\r\nBcc: victim@example.com\x00 \u202egnp.exe\u202c <script>alert(1)</script>"


def test_headers_stay_valid_whatever_a_title_holds() -> None:
    call = a_call("A\r\nX-Evil: 1", title=HOSTILE, programme="Interreg\nEuro-MED\u200f")
    digest = select_digest(a_subscription(), "a@example.org", matches=[a_match(call)], now=NOW)
    message = rendered(digest)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"] == "1 new call: Interreg Euro-MED"
    for name, value in message.items():
        assert "\r" not in value and "\n" not in value and "\x00" not in value, name
        assert "\u202e" not in value
    html = body(message, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\u202e" not in html and "\x00" not in html
    text = body(message, "plain")
    assert "Open data Bcc: victim@example.com gnp.exe <script>" in text


def test_only_http_links_and_no_active_content_in_html() -> None:
    call = a_call("A").model_copy(update={"url": "javascript:alert(1)"})
    digest = select_digest(a_subscription(), "a@example.org", matches=[a_match(call)], now=NOW)
    html = body(rendered(digest), "html").lower()
    assert "javascript:" not in html
    for forbidden in ("<script", "<form", "<img", "<iframe", "<link", "@import"):
        assert forbidden not in html


def test_each_item_shows_score_reasons_deadlines_in_both_zones_budget_and_link() -> None:
    digest = select_digest(
        a_subscription(timezone="Europe/Lisbon"),
        "a@example.org",
        matches=[a_match(a_call("A"), 64)],
        now=NOW,
    )
    text = body(rendered(digest), "plain")
    assert "score 64/100" in text
    # Reasons in plain words: the evidence as written, no internal factor names.
    assert "'open data' in the title" in text and "keyword:" not in text
    assert "Friday 12 June 2026, 17:00 Brussels time (16:00 Lisbon time)" in text
    assert "total EUR 3,000,000, EUR 1,500,000 per project, co-financing 70 %" in text
    assert "https://ec.europa.eu/info/funding-tenders/opportunities/portal/topic/x" in text


def test_message_id_is_deterministic_and_unsubscribe_header_optional() -> None:
    digest = select_digest(a_subscription(), "a@example.org", matches=[a_match(a_call())], now=NOW)
    one, two = rendered(digest), rendered(digest)
    assert one["Message-ID"] == two["Message-ID"] == message_id(digest, "example.org")
    assert one["List-Unsubscribe"] is None
    with_list = rendered(digest, list_unsubscribe="mailto:unsubscribe@example.org")
    assert with_list["List-Unsubscribe"] == "<mailto:unsubscribe@example.org>"


def test_the_ics_attachment_holds_the_coming_deadlines() -> None:
    call = a_call(
        "A",
        title="Stage, test; with\\ specials",
        deadlines=[
            {"at": "2026-01-10T17:00:00", "timezone": BRUSSELS, "label": "stage 1"},
            {"at": "2026-09-10T17:00:00", "timezone": BRUSSELS, "label": "stage 2"},
        ],
    )
    digest = select_digest(a_subscription(), "a@x.org", matches=[a_match(call)], now=NOW)
    ics = render_ics(digest)
    (event,) = icalendar.Calendar.from_ical(ics).events
    assert event["dtstart"].dt == datetime(2026, 9, 10, 17, 0, tzinfo=ZoneInfo(BRUSSELS))
    assert event["dtstart"].params["TZID"] == BRUSSELS
    assert str(event["summary"]) == "Deadline: Stage, test; with\\ specials (stage 2)"
    assert str(event["uid"]) == ics_uid(call, 2)  # the UID of the calendar export
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    attachments = list(rendered(digest).iter_attachments())
    assert [a.get_filename() for a in attachments] == ["deadlines.ics"]
    assert attachments[0].get_content_type() == "text/calendar"


def test_subject_counts_and_names_programmes() -> None:
    calls = [
        a_call("A", programme="Interreg Euro-MED"),
        a_call("B", programme="Horizon Europe"),
        a_call("C", programme="LIFE"),
        a_call("D", programme="Digital Europe"),
    ]
    digest = select_digest(
        a_subscription(),
        "a@x.org",
        matches=[a_match(c, 50 - i) for i, c in enumerate(calls)],
        now=NOW,
    )
    assert subject(digest) == "4 new calls: Interreg Euro-MED, Horizon Europe, LIFE ..."


def test_safe_text_and_header_text() -> None:
    assert safe_text("a\x00b\u202ec\r\nd\x1b[31m") == "abc\nd[31m"
    assert header_text("a\r\n\tb   c") == "a b c"
    assert len(header_text("x" * 500, limit=50)) == 50


def test_budget_and_rate_changes_are_described() -> None:
    change = fm.Change(
        kind="changed",
        call_id="A",
        at=NOW,
        fields=(
            fm.FieldChange(field="budget", old={"total": "1000000"}, new={"total": "2000000"}),
            fm.FieldChange(field="reported_status", old="open", new="closed"),
            fm.FieldChange(field="co_financing_rate", old="0.6", new=str(Decimal("0.8"))),
        ),
    )
    assert describe_change(change, a_call("A")) == (
        "budget changed from EUR 1,000,000 to EUR 2,000,000",
        "status changed from open to closed",
        "co-financing rate changed from 60 % to 80 %",
    )


# --- the outbox over many runs (in process, real SQLite) -----------------------------------


class FlakyServer:
    """A mailer that defers some attempts and drops the connection after DATA on others (the
    message arrived, the reply was lost), like a real server on a bad day; seeded."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.received: list[EmailMessage] = []
        self.dropped: set[str] = set()
        self.flaky = True

    def send(self, message: EmailMessage) -> fm.Delivery:
        roll = self.random.random() if self.flaky else 1.0
        if roll < 0.2:
            return fm.Delivery(status="deferred", code=451, reply="451 try later")
        self.received.append(message)
        if roll < 0.35 and message["Message-ID"] not in self.dropped:
            self.dropped.add(str(message["Message-ID"]))
            return fm.Delivery(status="unknown", reply="connection dropped after DATA")
        return fm.Delivery(status="accepted", code=250, reply="250 queued")


def test_over_a_month_of_flaky_runs_each_call_reaches_each_recipient_once(
    store_address: str,
) -> None:
    subscriptions = fm.Subscriptions(
        subscription=(
            a_subscription(name="a", recipients=["alice@x.org", "bob@x.org"], max_items=100),
            a_subscription(name="b", recipients=["bob@x.org"], max_items=100, frequency="weekly"),
        )
    )
    server = FlakyServer(seed=6)
    start = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    with fm.Store(store_address) as store:

        def everything(profile: fm.Profile, now: datetime) -> list[fm.Match]:
            return [a_match(c, 50) for c in store.calls()]

        for day in range(40):
            now = start + timedelta(days=day)
            if day < 30:
                # Distinct titles and deadline days: the store would merge look-alikes.
                calls = [
                    a_call(
                        f"D{day}-{n}",
                        title=f"Call {n} of day {day}",
                        deadlines=[
                            {"at": f"2026-0{5 + n}-{day % 28 + 1:02d}T17:00", "timezone": BRUSSELS}
                        ],
                    )
                    for n in range(day % 3)
                ]
                store.upsert(calls, source=f"feed-{day}", now=now - timedelta(hours=1))
            if day == 32:
                server.flaky = False  # the server recovers; retries drain the outbox
            for hour in (0, 3):
                fm.run_digests(
                    store,
                    subscriptions,
                    server,
                    sender="d@x.org",
                    now=now + timedelta(hours=hour),
                    ranker=everything,
                )
        states = Counter(m.state for m in outbox_messages(store))
        total_calls = len(store.calls())
    assert set(states) == {"sent"}, states
    # Each distinct message counted once; a re-sent one has the same Message-ID.
    distinct = {str(m["Message-ID"]): m for m in server.received}
    assert len(server.received) - len(distinct) == len(server.dropped) > 0
    announced: Counter[tuple[str, str]] = Counter()
    for message in distinct.values():
        text = body(message, "plain")
        for call_id in re.findall(r"^   (\S+) \| ", text, flags=re.MULTILINE):
            announced[(str(message["To"]), call_id)] += 1
    assert max(announced.values()) == 1  # never twice to one recipient
    for recipient in ("alice@x.org", "bob@x.org"):  # and nothing skipped
        assert sum(1 for r, _ in announced if r == recipient) == total_calls


class RefusingLogin:
    """A server that refuses the login until told otherwise."""

    def __init__(self) -> None:
        self.refuse = True
        self.attempts = 0
        self.received: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> fm.Delivery:
        self.attempts += 1
        if self.refuse:
            return fm.Delivery(status="deferred", code=535, reply="535 bad login", stop=True)
        self.received.append(message)
        return fm.Delivery(status="accepted", code=250, reply="250 queued")


def test_a_week_of_refused_logins_tries_once_a_run_and_gives_nothing_up(store_address: str) -> None:
    subscriptions = fm.Subscriptions(
        subscription=(a_subscription(recipients=["a@x.org", "b@x.org", "c@x.org"]),)
    )
    server = RefusingLogin()
    with fm.Store(store_address) as store:
        store.upsert([a_call("A")], source="feed", now=NOW - timedelta(hours=1))

        def ranker(profile: fm.Profile, now: datetime) -> list[fm.Match]:
            return [a_match(c) for c in store.calls()]

        for day in range(8):
            run = fm.run_digests(
                store,
                subscriptions,
                server,
                sender="d@x.org",
                now=NOW + timedelta(days=day),
                ranker=ranker,
            )
            assert run.stopped == "535 bad login"
        assert server.attempts == 8  # one login attempt per run, not one per message
        server.refuse = False
        fm.run_digests(
            store,
            subscriptions,
            server,
            sender="d@x.org",
            now=NOW + timedelta(days=8),
            ranker=ranker,
        )
        assert sorted(str(m["To"]) for m in server.received) == ["a@x.org", "b@x.org", "c@x.org"]
        assert {m.state for m in outbox_messages(store)} == {"sent"}


def test_two_schedulers_never_send_at_once(store_address: str) -> None:
    subscriptions = fm.Subscriptions(subscription=(a_subscription(),))
    server = RefusingLogin()
    first, second = fm.Store(store_address), fm.Store(store_address)
    with first.lock("digest"), pytest.raises(fm.StoreError, match="digest already running"):
        fm.run_digests(second, subscriptions, server, sender="d@x.org", now=NOW)
    first.close()
    second.close()
    assert server.attempts == 0


def test_a_subscription_is_ranked_once_whatever_its_number_of_recipients(tmp_path: Path) -> None:
    subscriptions = fm.Subscriptions(
        subscription=(
            a_subscription(name="a", recipients=["a@x.org", "b@x.org", "c@x.org"]),
            a_subscription(name="b", recipients=["d@x.org"], frequency="weekly"),
        )
    )
    ranked: list[str] = []
    with fm.Store(tmp_path / "store.sqlite") as store:
        store.upsert([a_call("A")], source="feed", now=NOW - timedelta(hours=1))

        def ranker(profile: fm.Profile, now: datetime) -> list[fm.Match]:
            ranked.append(profile.name)
            return [a_match(c) for c in store.calls()]

        planned = plan_digests(store, subscriptions, sender="d@x.org", now=NOW, ranker=ranker)
    assert sorted(p.digest.recipient for p in planned) == [
        "a@x.org",
        "b@x.org",
        "c@x.org",
        "d@x.org",
    ]
    assert all(p.message is not None for p in planned)
    assert len(ranked) == 2  # one ranking per subscription, not one per recipient
