"""A digest as an e-mail: subject, text and HTML bodies, the deadlines as an ICS attachment,
a deterministic Message-ID (pure: a :class:`Digest` in, an ``EmailMessage`` out)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from fundmatch.digest.clean import address, header_text, safe_text, safe_url
from fundmatch.digest.select import Digest, DigestItem
from fundmatch.display import (
    age_text,
    deadline_sentence,
    fit_label,
    moment,
    money,
    reason_text,
    zone_label,
)
from fundmatch.errors import MailError
from fundmatch.export import export_ics
from fundmatch.models import Call

__all__ = ["budget_line", "message_id", "render_digest", "render_ics", "subject"]


def budget_line(call: Call) -> str | None:
    """Budget and co-financing in one line, or None when the call states neither."""
    parts = []
    b = call.budget
    if b.total is not None:
        parts.append(f"total {money(b.total, b.currency)}")
    low, high = money(b.per_project_min, b.currency), money(b.per_project_max, b.currency)
    if low and high and low != high:
        parts.append(f"{low} to {high} per project")
    elif high or low:
        parts.append(f"{high or low} per project")
    if call.co_financing_rate is not None:
        parts.append(f"co-financing {call.co_financing_rate * 100:.0f} %")
    return ", ".join(parts) or None


def message_id(digest: Digest, domain: str) -> str:
    """Deterministic Message-ID: the same digest (subscription, recipient, items) always
    gets the same one, so a re-send is recognisable as the same message."""
    seed = json.dumps([digest.subscription, digest.recipient, sorted(digest.keys)])
    digest_hash = hashlib.sha256(seed.encode()).hexdigest()[:32]
    return f"<{digest_hash}.digest@{domain}>"


def subject(digest: Digest) -> str:
    """What is inside: ``3 new calls, 1 deadline moved: Interreg Euro-MED, Horizon Europe``; a
    first digest: ``First digest: 26 open calls match: Horizon Europe, ...``."""
    counts = []
    if digest.first and digest.listed:
        counts.append(_plural(len(digest.listed), "open call matches", "open calls match"))
    elif digest.new or digest.listed:
        counts.append(_plural(len(digest.new) + len(digest.listed), "new call"))
    moved = sum(1 for i in digest.changes if any(line.startswith("deadline") for line in i.lines))
    other = len(digest.changes) - moved
    if moved:
        counts.append(_plural(moved, "deadline moved", "deadlines moved"))
    if other:
        counts.append(_plural(other, "call changed", "calls changed"))
    if digest.reminders:
        counts.append(_plural(len(digest.reminders), "deadline reminder"))
    programmes = list(
        dict.fromkeys(i.call.programme for i in (*digest.items, *digest.listed) if i.call.programme)
    )
    text = ", ".join(counts) or "No news"
    if digest.first:
        text = f"First digest: {text}"
    if programmes:
        text += ": " + ", ".join(programmes[:3]) + (" ..." if len(programmes) > 3 else "")
    return header_text(text, limit=150)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fundmatch", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def _opening(call: Call, digest: Digest) -> str:
    """``opens Tuesday 12 May 2026`` / ``opened 12 May 2026``, or "" when unknown."""
    if call.opening is None:
        return ""
    day = call.opening.astimezone(ZoneInfo(digest.timezone))
    if call.opening > digest.now:
        return f"opens {day:%A} {day.day} {day:%B %Y}"
    return f"opened {day.day} {day:%B %Y}"


def _deadline_lines(call: Call, digest: Digest) -> list[str]:
    """The coming deadlines, date first, each with its days left and any caveat after."""
    return [
        safe_text(deadline_sentence(d, digest.timezone, now=digest.now))
        for d in call.deadlines
        if d.at > digest.now
    ]


def _view(digest: Digest) -> dict[str, Any]:
    """Everything the templates show, already reduced to safe text."""
    tz = digest.timezone

    def call_view(item: DigestItem) -> dict[str, Any]:
        call = item.call
        nxt = call.next_deadline(digest.now)
        reasons = []
        if item.match is not None:
            top = sorted(item.match.reasons, key=lambda r: -r.points)
            reasons = [safe_text(reason_text(r, 160)) for r in top[:3] if r.points > 0]
        return {
            "id": safe_text(call.id, limit=120),
            "title": header_text(call.title, limit=300),
            "programme": safe_text(call.programme or "", limit=120),
            "score": None if item.match is None else f"{item.match.score:.0f}",
            "fit": "" if item.match is None else fit_label(item.match.score),
            "application": safe_text(item.application),
            "reasons": reasons,
            "opening": safe_text(_opening(call, digest)),
            "deadlines": _deadline_lines(call, digest)
            or ([] if nxt else ["no deadline stated or none left"]),
            "budget": safe_text(budget_line(call) or ""),
            "status": call.status(digest.now),
            "url": safe_url(call.url),
            "lines": [safe_text(line) for line in item.lines],
        }

    def brief_view(item: DigestItem) -> dict[str, Any]:
        call = item.call
        nxt = call.next_deadline(digest.now)
        deadline = "no deadline stated"
        if nxt is not None:
            deadline = deadline_sentence(nxt.model_copy(update={"label": None}), tz, now=digest.now)
        return {
            "title": header_text(call.title, limit=120),
            "score": None if item.match is None else f"{item.match.score:.0f}",
            "fit": "" if item.match is None else fit_label(item.match.score),
            "application": safe_text(item.application),
            "deadline": safe_text(deadline),
            "url": safe_url(call.url),
            "id": safe_text(call.id, limit=120),
        }

    data = ""
    if digest.data_date is not None:
        data = f"calls as read on {age_text(digest.data_date, digest.now)}"
    return {
        "subscription": safe_text(digest.subscription),
        "new": [call_view(i) for i in digest.new],
        "changes": [call_view(i) for i in digest.changes],
        "reminders": [call_view(i) for i in digest.reminders],
        "more": digest.more,
        "listed": [brief_view(i) for i in digest.listed],
        "first": digest.first,
        "data": safe_text(data),
        "timezone": zone_label(tz),
        "date": moment(digest.now.astimezone(ZoneInfo(tz))),
    }


def render_text(digest: Digest) -> str:
    """The plain-text body."""
    return _templates().get_template("digest.txt").render(_view(digest))


def render_html(digest: Digest) -> str:
    """The HTML body (autoescaped; no scripts, forms or remote images; http(s) links only)."""
    return _templates().get_template("digest.html").render(_view(digest))


def render_ics(digest: Digest) -> str:
    """The coming deadlines of every call in the digest, written as the calendar export
    writes them (same UIDs: a digest's attachment and an export update the same events)."""
    calls: dict[str, Call] = {}
    for item in (*digest.items, *digest.listed):
        title = header_text(item.call.title, limit=120)
        calls.setdefault(item.call.id, item.call.model_copy(update={"title": title}))
    name = f"fundmatch: {header_text(digest.subscription, limit=80)}"
    return export_ics(list(calls.values()), now=digest.now, name=name, upcoming=True)


def render_digest(
    digest: Digest,
    *,
    sender: str,
    sender_name: str = "fundmatch",
    list_unsubscribe: str | None = None,
) -> EmailMessage:
    """The e-mail: text and HTML alternatives, the deadlines as an ICS attachment, headers
    that stay valid whatever the calls' titles hold, and a deterministic Message-ID."""
    try:
        sender = address(sender)
    except ValueError as exc:
        raise MailError(f"the sender address (FUNDMATCH_MAIL_FROM) is not valid: {exc}") from exc
    domain = sender.rpartition("@")[2]
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject(digest)
    message["From"] = Address(display_name=header_text(sender_name, limit=60), addr_spec=sender)
    message["To"] = Address(addr_spec=address(digest.recipient))
    message["Date"] = format_datetime(digest.now.astimezone(UTC))
    message["Message-ID"] = message_id(digest, domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Fundmatch-Subscription"] = header_text(digest.subscription, limit=80)
    if list_unsubscribe:
        message["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        if list_unsubscribe.startswith("https://"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render_text(digest), charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        render_html(digest), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    ics = render_ics(digest)
    if "BEGIN:VEVENT" in ics:
        message.add_attachment(
            ics,
            subtype="calendar",
            filename="deadlines.ics",
        )
    return message
