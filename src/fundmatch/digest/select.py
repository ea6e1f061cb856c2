"""What goes into one recipient's digest: new calls, changes to calls already sent, deadline
reminders (pure: plain values in, a :class:`Digest` out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from fundmatch.application import application
from fundmatch.digest.clean import safe_text
from fundmatch.digest.subscriptions import Subscription
from fundmatch.display import money, when, when_short
from fundmatch.models import Call, Change, Deadline, FundmatchModel, Match

__all__ = ["Digest", "DigestItem", "describe_change", "new_key", "select_digest"]

# Fields of a call whose change is worth telling a subscriber about.
_NOTABLE = ("deadlines", "reported_status", "budget", "co_financing_rate", "opening")


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
    application: str = ""
    """For a new call: how the subscription's profile would apply (``alone``, ``as a partner of
    a consortium (€5.4 M per project)``, ``needs 3 partners from 3 countries``)."""


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
    listed: tuple[DigestItem, ...] = ()
    """New matching calls beyond ``max_items`` (best first), shown as a compact list (title,
    deadline, link) so the digest is complete in itself; they count as announced."""
    more: int = 0
    """How many new matching calls are beyond ``max_items`` (the length of ``listed``)."""
    first: bool = False
    """The recipient's first digest of this subscription: every matching call open now is in
    ``listed`` (the backlog, announced once in brief), none in full."""
    data_date: date | None = None
    """The day the calls were read (the store's oldest successful read, or the bundled
    snapshot's date), None when unknown."""

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
        """Every item's claim key, the listed calls' included."""
        return tuple(i.key for i in (*self.items, *self.listed))


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
    first: bool = False,
    data_date: date | None = None,
) -> Digest:
    """Decide what ``recipient`` is told at ``now``.

    ``matches``: the calls first seen since the last digest, ranked for the profile (best first);
    the best ``max_items`` are shown in full, the others that pass are listed in brief;
    ``changes``: what the store recorded since then; ``sent``: the calls already announced to this
    recipient, as they are now; ``claimed``: the keys of every item already given to them.
    ``first``: the recipient's first digest of this subscription: the calls that match are the
    backlog of what is open now, announced once as a short list (none in full).
    ``data_date``: the day the calls were read, said in the e-mail with its age.
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
    announced = [
        DigestItem(
            kind="new",
            key=new_key(m.call.id),
            call=m.call,
            match=m,
            application=application(m.call, subscription.profile),
        )
        for m in fresh
    ]
    shown = 0 if first else subscription.max_items
    items = announced[:shown]
    if subscription.include_changes:
        items += _change_items(changes, sent, claimed, subscription.timezone)
    items += _reminder_items(subscription, sent, claimed, now)
    return Digest(
        subscription=subscription.name,
        recipient=recipient,
        now=now,
        timezone=subscription.timezone,
        items=tuple(items),
        listed=tuple(announced[shown:]),
        more=max(0, len(fresh) - shown),
        first=first,
        data_date=data_date,
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


# --- describing changes ---------------------------------------------------------------


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
