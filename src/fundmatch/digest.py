"""Digests: the subscriptions model, what goes into one recipient's digest, and rendering it.

Pure: plain values in (ranked matches, changes, calls already sent), an ``EmailMessage`` out.
Loading the subscriptions file is here too; the store, the outbox and SMTP live elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from pydantic import AfterValidator, Field, field_validator, model_validator

from fundmatch.config import find_line, load_profile, load_toml, validate
from fundmatch.display import moment, money, when, when_short, zone_label
from fundmatch.errors import ConfigError, MailError
from fundmatch.export import export_ics
from fundmatch.models import Call, Change, Deadline, FundmatchModel, Match, Profile

__all__ = [
    "Digest",
    "DigestItem",
    "DigestSettings",
    "Subscription",
    "Subscriptions",
    "header_text",
    "load_subscriptions",
    "message_id",
    "render_digest",
    "safe_text",
    "safe_url",
    "select_digest",
]

Frequency = Literal["daily", "weekly"]

# A little slack so a cron job that starts a few minutes early is still due.
_PERIOD = {"daily": timedelta(hours=23), "weekly": timedelta(days=6, hours=23)}

# Fields of a call whose change is worth telling a subscriber about.
_NOTABLE = ("deadlines", "reported_status", "budget", "co_financing_rate", "opening")


# --- safe text ------------------------------------------------------------------------

# Bidi embeddings, overrides and isolates, marks, zero-width characters and the BOM: a feed
# title must not reorder or hide the text around it.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]")


def safe_text(value: object, *, limit: int | None = None) -> str:
    """``value`` as text fit for a message body: control and format characters (NUL, bidi
    controls, zero-width and tag characters) removed, line breaks kept, at most ``limit``
    characters."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def header_text(value: object, *, limit: int = 180) -> str:
    """``value`` as one line fit for a mail header: :func:`safe_text` with every line break and
    run of white space turned into one space."""
    return safe_text(" ".join(safe_text(value).split()), limit=limit)


def safe_url(value: str | None) -> str | None:
    """``value`` if it is a plain http(s) link, else None (no ``javascript:``, no spaces)."""
    if not value:
        return None
    scheme = value.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or not value[len(scheme) :].startswith("://"):
        return None
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        return None
    if any(ch in value for ch in "<>\"'`"):
        return None
    return value


# --- subscriptions ----------------------------------------------------------------------


def _address(value: str) -> str:
    value = value.strip()
    if not value.isascii() or any(ch.isspace() or ch in '<>,;"()\\' for ch in value):
        raise ValueError(f"{value!r} is not a plain e-mail address")
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or ".." in domain:
        raise ValueError(f"{value!r} is not an e-mail address")
    return local + "@" + domain.lower()


def _zone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _unsubscribe(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower().startswith("mailto:"):
        _address(value[7:].split("?", 1)[0])
        return value
    if value.lower().startswith("https://") and safe_url(value):
        return value
    raise ValueError("give a mailto: address or an https:// link")


EmailAddress = Annotated[str, AfterValidator(_address)]
TimeZone = Annotated[str, AfterValidator(_zone_name)]


class Subscription(FundmatchModel):
    """Who receives which calls, and how often. Pausing or unsubscribing is a field."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """Stable name of the subscription (letters, digits, ``.``, ``_``, ``-``); the outbox keeps
    its history under this name, so renaming it starts afresh."""
    profile: Profile
    """The project to rank calls for: a path to a profile TOML file (relative to the
    subscriptions file) or an inline ``[subscription.profile]`` table."""
    recipients: tuple[EmailAddress, ...] = Field(min_length=1)
    """Who receives the digest; each recipient gets a message of their own."""
    min_score: float = Field(default=10, ge=0, le=100)
    """Calls scoring below this are left out."""
    max_items: int = Field(default=10, ge=1, le=100)
    """At most this many new calls per digest (the best ones); the rest are counted."""
    frequency: Frequency = "daily"
    """``daily`` or ``weekly``: a digest is due when this much time has passed since the last."""
    include_changes: bool = True
    """Also tell about changes (deadline moved, status or budget changed, call withdrawn) to
    calls already sent to the recipient."""
    reminders: tuple[Annotated[int, Field(ge=1, le=365)], ...] = (7,)
    """Remind this many days before the next deadline of a call already sent (``[14, 3]``)."""
    timezone: TimeZone = "Europe/Brussels"
    """The recipients' time zone: deadlines are shown in the call's zone and in this one."""
    paused: bool = False
    """A paused subscription sends nothing and keeps its place: on resume, the calls first
    seen while it was paused are candidates for its next digest."""
    unsubscribed: tuple[EmailAddress, ...] = ()
    """Recipients who asked to stop receiving this digest."""

    @field_validator("recipients", "unsubscribed")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("reminders")
    @classmethod
    def _sorted(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(value), reverse=True))

    def active_recipients(self) -> tuple[str, ...]:
        """The recipients who get a digest now: none when paused, never the unsubscribed."""
        if self.paused:
            return ()
        return tuple(r for r in self.recipients if r not in self.unsubscribed)

    def due(self, last: datetime | None, now: datetime) -> bool:
        """Whether a digest is due at ``now`` when the last one was made at ``last``."""
        return last is None or now - last >= _PERIOD[self.frequency]


class DigestSettings(FundmatchModel):
    """Settings shared by every subscription in a file (the ``[digest]`` table)."""

    list_unsubscribe: Annotated[str | None, AfterValidator(_unsubscribe)] = None
    """``mailto:`` address or ``https://`` page for the ``List-Unsubscribe`` header."""
    sender_name: str = Field(default="fundmatch", max_length=60)
    """Display name in the ``From`` header (the address comes from ``FUNDMATCH_MAIL_FROM``)."""


class Subscriptions(FundmatchModel):
    """A subscriptions file: shared settings and the subscriptions."""

    digest: DigestSettings = DigestSettings()
    """The ``[digest]`` table."""
    subscription: tuple[Subscription, ...] = Field(min_length=1)
    """The ``[[subscription]]`` tables."""

    @model_validator(mode="after")
    def _unique_names(self) -> Subscriptions:
        names = [s.name for s in self.subscription]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"subscription names must be unique: {', '.join(twice)}")
        return self


def load_subscriptions(path: str | Path) -> Subscriptions:
    """Load a subscriptions TOML file; profiles given as paths are read relative to it.

    Raises ConfigError naming the file, the field and the line of the first problem.
    """
    path = Path(path)
    data, text = load_toml(path)
    entries = data.get("subscription")
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("profile"), str):
                entry["profile"] = _profile_at(path, entry["profile"], index, text)
    return validate(Subscriptions, data, path=path, text=text)


def _profile_at(path: Path, value: str, index: int, text: str) -> Profile:
    target = Path(value) if Path(value).is_absolute() else path.parent / value
    if not target.is_file():
        line = find_line(text, ("subscription", index, "profile"))
        raise ConfigError(
            f"profile file not found: {value}",
            path=path,
            field=f"subscription.{index}.profile",
            line=line,
        )
    return load_profile(target)


# --- what goes into a digest ---------------------------------------------------------------


class DigestItem(FundmatchModel):
    """One entry of a digest: a new call, a change to a call already sent, or a reminder."""

    kind: Literal["new", "change", "reminder"]
    """What the entry says about the call."""
    key: str
    """Claim key: the same entry is never sent twice to one recipient."""
    call: Call
    """The call as it is now."""
    match: Match | None = None
    """For a new call: its score and reasons."""
    change: Change | None = None
    """For a change: what the store recorded."""
    lines: tuple[str, ...] = ()
    """For a change: one sentence per notable field; for a reminder: the reminder."""
    deadline: Deadline | None = None
    """For a reminder: the deadline it is about."""


class Digest(FundmatchModel):
    """What one recipient of one subscription is told at ``now``."""

    subscription: str
    """The subscription's name."""
    recipient: str
    """Who receives it."""
    now: datetime
    """When the digest was made."""
    timezone: str = "Europe/Brussels"
    """The recipient's time zone."""
    items: tuple[DigestItem, ...] = ()
    """New calls (best first), then changes, then reminders."""
    more: int = 0
    """New matching calls left out because of ``max_items``."""

    @property
    def new(self) -> tuple[DigestItem, ...]:
        """The new calls."""
        return tuple(i for i in self.items if i.kind == "new")

    @property
    def changes(self) -> tuple[DigestItem, ...]:
        """The changes to calls already sent."""
        return tuple(i for i in self.items if i.kind == "change")

    @property
    def reminders(self) -> tuple[DigestItem, ...]:
        """The deadline reminders."""
        return tuple(i for i in self.items if i.kind == "reminder")

    @property
    def keys(self) -> tuple[str, ...]:
        """Every item's claim key."""
        return tuple(i.key for i in self.items)


def new_key(call_id: str) -> str:
    """Claim key of a call announced as new."""
    return f"new:{call_id}"


def select_digest(
    subscription: Subscription,
    recipient: str,
    *,
    matches: Sequence[Match],
    changes: Sequence[Change] = (),
    sent: Mapping[str, Call] | None = None,
    claimed: AbstractSet[str] = frozenset(),
    now: datetime,
) -> Digest:
    """Decide what ``recipient`` is told at ``now``.

    ``matches``: the calls first seen since the last digest, ranked for the profile (best first);
    ``changes``: what the store recorded since then; ``sent``: the calls already announced to this
    recipient, as they are now; ``claimed``: the keys of every item already given to them.
    """
    sent = sent or {}
    fresh = [
        m
        for m in matches
        if not m.blockers
        and m.score >= subscription.min_score
        and new_key(m.call.id) not in claimed
        and m.call.status(now) in ("open", "forthcoming", "unknown")
    ]
    fresh.sort(key=lambda m: -m.score)
    items = [
        DigestItem(kind="new", key=new_key(m.call.id), call=m.call, match=m)
        for m in fresh[: subscription.max_items]
    ]
    if subscription.include_changes:
        items += _change_items(changes, sent, claimed, subscription.timezone)
    items += _reminder_items(subscription, sent, claimed, now)
    return Digest(
        subscription=subscription.name,
        recipient=recipient,
        now=now,
        timezone=subscription.timezone,
        items=tuple(items),
        more=max(0, len(fresh) - subscription.max_items),
    )


def _change_items(
    changes: Sequence[Change], sent: Mapping[str, Call], claimed: AbstractSet[str], tz: str
) -> list[DigestItem]:
    items: list[DigestItem] = []
    for change in sorted(changes, key=lambda c: (c.at, c.call_id)):
        call = sent.get(change.call_id)
        if call is None or change.kind == "new":
            continue
        key = f"change:{change.call_id}:{change.at.astimezone(UTC).isoformat()}"
        if key in claimed or any(i.key == key for i in items):
            continue
        lines = describe_change(change, call, tz)
        if lines:
            items.append(DigestItem(kind="change", key=key, call=call, change=change, lines=lines))
    return items


def _reminder_items(
    subscription: Subscription, sent: Mapping[str, Call], claimed: AbstractSet[str], now: datetime
) -> list[DigestItem]:
    items: list[DigestItem] = []
    for call_id in sorted(sent):
        call = sent[call_id]
        nxt = call.next_deadline(now)
        if nxt is None:
            continue
        left = (nxt.at - now) / timedelta(days=1)
        windows = [d for d in subscription.reminders if left <= d]
        if not windows:
            continue
        stamp = nxt.at.astimezone(UTC).isoformat()
        keys = [f"reminder:{call_id}:{stamp}:{d}" for d in windows]
        if any(k in claimed for k in keys[-1:]):
            continue  # the closest window was already reminded
        line = f"{_days(left)} left: {when(nxt, subscription.timezone)}"
        items.append(
            DigestItem(kind="reminder", key=keys[-1], call=call, deadline=nxt, lines=(line,))
        )
    return items


def _days(left: float) -> str:
    whole = int(left)
    if whole < 1:
        return "less than a day"
    return f"{whole} day" + ("s" if whole != 1 else "")


# --- describing calls and changes -----------------------------------------------------


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


def _deadlines_of(value: Any) -> list[Deadline]:
    if not isinstance(value, list | tuple):
        return []
    found = []
    for entry in value:
        try:
            found.append(
                Deadline.model_validate(entry if isinstance(entry, dict) else {"at": entry})
            )
        except ValueError:
            continue
    return sorted(found)


def _budget_of(value: Any) -> str:
    if isinstance(value, dict):
        total = value.get("total")
        if total is not None:
            return money(Decimal(str(total)), str(value.get("currency") or "EUR")) or "unknown"
        high = value.get("per_project_max")
        if high is not None:
            return f"{money(Decimal(str(high)))} per project"
    return "unknown"


def describe_change(change: Change, call: Call, tz: str | None = None) -> tuple[str, ...]:
    """One sentence per notable field of ``change`` ("deadline moved from ... to ...")."""
    if change.kind == "withdrawn":
        return ("the call was withdrawn: its source no longer lists it",)
    lines = []
    for field in change.fields:
        if field.field not in _NOTABLE:
            continue
        if field.field == "deadlines":
            old, new = _deadlines_of(field.old), _deadlines_of(field.new)
            if len(old) == len(new) == 1 or (old and new and len(old) == len(new)):
                for before, after in zip(old, new, strict=True):
                    if before.at != after.at:
                        moved = f"{when_short(before)} to {when(after, tz)}"
                        lines.append(f"deadline moved from {moved}")
            elif new:
                shown = "; ".join(when(d, tz) for d in new)
                lines.append(f"deadlines changed: now {shown}")
            else:
                lines.append("deadlines removed: the call no longer states a deadline")
        elif field.field == "reported_status":
            lines.append(f"status changed from {field.old or 'unknown'} to {field.new}")
        elif field.field == "budget":
            lines.append(f"budget changed from {_budget_of(field.old)} to {_budget_of(field.new)}")
        elif field.field == "co_financing_rate":
            lines.append(f"co-financing rate changed from {_rate(field.old)} to {_rate(field.new)}")
        elif field.field == "opening":
            lines.append(f"opening date changed to {field.new or 'unknown'}")
    return tuple(safe_text(line) for line in lines)


def _rate(value: Any) -> str:
    try:
        return f"{Decimal(str(value)) * 100:.0f} %"
    except ArithmeticError:
        return "unknown"
    except ValueError:
        return "unknown"


# --- rendering ------------------------------------------------------------------------


def message_id(digest: Digest, domain: str) -> str:
    """Deterministic Message-ID: the same digest (subscription, recipient, items) always
    gets the same one, so a re-send is recognisable as the same message."""
    seed = json.dumps([digest.subscription, digest.recipient, sorted(digest.keys)])
    digest_hash = hashlib.sha256(seed.encode()).hexdigest()[:32]
    return f"<{digest_hash}.digest@{domain}>"


def subject(digest: Digest) -> str:
    """What is inside: ``3 new calls, 1 deadline moved: Interreg Euro-MED, Horizon Europe``."""
    counts = []
    if digest.new:
        counts.append(_plural(len(digest.new), "new call"))
    moved = sum(1 for i in digest.changes if any(line.startswith("deadline") for line in i.lines))
    other = len(digest.changes) - moved
    if moved:
        counts.append(_plural(moved, "deadline moved", "deadlines moved"))
    if other:
        counts.append(_plural(other, "call changed", "calls changed"))
    if digest.reminders:
        counts.append(_plural(len(digest.reminders), "deadline reminder"))
    programmes = list(dict.fromkeys(i.call.programme for i in digest.items if i.call.programme))
    text = ", ".join(counts) or "No news"
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


def _view(digest: Digest) -> dict[str, Any]:
    """Everything the templates show, already reduced to safe text."""
    tz = digest.timezone

    def call_view(item: DigestItem) -> dict[str, Any]:
        call = item.call
        nxt = call.next_deadline(digest.now)
        reasons = []
        if item.match is not None:
            top = sorted(item.match.reasons, key=lambda r: -r.points)
            reasons = [
                safe_text(f"{r.factor}: {r.evidence}" if r.evidence else r.factor, limit=160)
                for r in top[:3]
                if r.points > 0
            ]
        return {
            "id": safe_text(call.id, limit=120),
            "title": header_text(call.title, limit=300),
            "programme": safe_text(call.programme or "", limit=120),
            "score": None if item.match is None else f"{item.match.score:.0f}",
            "reasons": reasons,
            "deadlines": [
                safe_text(f"{d.label + ': ' if d.label else ''}{when(d, tz)}")
                for d in call.deadlines
                if d.at > digest.now
            ]
            or ([] if nxt else ["no deadline stated or none left"]),
            "budget": safe_text(budget_line(call) or ""),
            "status": call.status(digest.now),
            "url": safe_url(call.url),
            "lines": [safe_text(line) for line in item.lines],
        }

    return {
        "subscription": safe_text(digest.subscription),
        "new": [call_view(i) for i in digest.new],
        "changes": [call_view(i) for i in digest.changes],
        "reminders": [call_view(i) for i in digest.reminders],
        "more": digest.more,
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
    for item in digest.items:
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
        sender = _address(sender)
    except ValueError as exc:
        raise MailError(f"the sender address (FUNDMATCH_MAIL_FROM) is not valid: {exc}") from exc
    domain = sender.rpartition("@")[2]
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject(digest)
    message["From"] = Address(display_name=header_text(sender_name, limit=60), addr_spec=sender)
    message["To"] = Address(addr_spec=_address(digest.recipient))
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
