"""The digest run: plan each due digest from the store, queue it in the outbox, deliver it.

The outbox tables live in the store (:mod:`fundmatch.store.outbox`); this module goes through
its methods and the :class:`~fundmatch.mail.Mailer` seam only (no SQL, no SMTP here).

A message goes pending → sending (committed before the server is contacted) → sent
(committed after the server accepted it), or failed (with the server's reply; retried later
with backoff when the failure is temporary), or unknown (the connection dropped after DATA:
re-sent once, with the same Message-ID).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP

from fundmatch.digest.render import render_digest
from fundmatch.digest.select import Digest, select_digest
from fundmatch.digest.subscriptions import Subscription, Subscriptions
from fundmatch.mail import Delivery, Mailer
from fundmatch.match import Matcher
from fundmatch.models import Call, FundmatchModel, Match, Profile
from fundmatch.ranking import build_matcher, data_date
from fundmatch.store import OutboxMessage, Store
from fundmatch.store.records import MessageState as State

__all__ = [
    "DigestRun",
    "MessageResult",
    "OutboxMessage",
    "Planned",
    "deliver",
    "not_due",
    "outbox_messages",
    "plan_digests",
    "run_digests",
    "store_ranker",
]

log = logging.getLogger(__name__)

Checkpoint = Callable[[str], None]
Ranker = Callable[[Profile, datetime], Sequence[Match]]
"""Ranks the store's calls for a profile at a moment (best first)."""

BACKOFF = (
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(hours=48),
)
"""Wait before retry number n after a temporary failure; after the last, the message is given up."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _no_checkpoint(step: str) -> None:
    return None


def store_ranker(
    store: Store,
    *,
    meaning: bool | None = None,
    say: Callable[[str], None] | None = None,
) -> Ranker:
    """Rank against every call in the store (one index per run, built as the commands build
    theirs: :func:`fundmatch.ranking.build_matcher`, with closeness of meaning unless
    ``meaning`` is False or ``$FUNDMATCH_MEANING`` is ``off``; the vectors of new calls kept for
    the store), so a call scores the same whether it arrives alone or with a hundred others."""
    matcher: list[Matcher] = []

    def ranker(profile: Profile, now: datetime) -> Sequence[Match]:
        if not matcher:
            calls = store.calls()
            matcher.append(build_matcher(calls, meaning=meaning, store=store.path, say=say))
        # Every call that scored: each subscription applies its own min_score.
        return matcher[0].rank(profile, now=now, limit=None, min_score=0)

    return ranker


# --- results --------------------------------------------------------------------------


class MessageResult(FundmatchModel):
    """What one delivery attempt in a run did."""

    message_id: str
    recipient: str
    subject: str
    state: State
    """The message's state after the attempt."""
    delivery: Delivery


class Planned(FundmatchModel):
    """A due digest with its rendered message (None when it has nothing to say)."""

    digest: Digest
    message: bytes | None = None


class DigestRun(FundmatchModel):
    """What a run did: digests queued, delivery attempts, and why it stopped early if it did."""

    planned: int = 0
    """Due digests (empty ones included)."""
    queued: tuple[str, ...] = ()
    """Message-IDs queued by this run."""
    results: tuple[MessageResult, ...] = ()
    """One per delivery attempt, in order."""
    stopped: str | None = None
    """Why delivery stopped before the end (server down, authentication refused), or None."""
    not_due: int = 0
    """Digests (one per subscription and recipient) not due yet: their last one is more recent
    than their frequency."""
    nothing_new: int = 0
    """Due digests with nothing to tell (no new matching call, no change, no reminder): none is
    queued, and the next run looks again from now."""

    def summary(self, head: str | None = None) -> str:
        """One line: ``2 message(s) queued, 2 sent, 0 not sent; 3 digests not due yet, 1 due
        with nothing new`` (``head`` in place of the counts of messages, for a dry run)."""
        line = head or (
            f"{len(self.queued)} message(s) queued, {self.sent} sent, {self.failed} not sent"
        )
        said = []
        if self.not_due:
            said.append(f"{self.not_due} digest{'s' if self.not_due != 1 else ''} not due yet")
        if self.nothing_new:
            said.append(f"{self.nothing_new} due with nothing new")
        return line + ("; " + ", ".join(said) if said else "")

    @property
    def sent(self) -> int:
        """Messages the server accepted in this run."""
        return sum(1 for r in self.results if r.state == "sent")

    @property
    def failed(self) -> int:
        """Attempts that did not end in ``sent``."""
        return sum(1 for r in self.results if r.state != "sent")


def outbox_messages(store: Store, *, state: State | None = None) -> list[OutboxMessage]:
    """The messages in the outbox, oldest first (all, or those in ``state``)."""
    return store.outbox_messages(state=state)


# --- planning -------------------------------------------------------------------------


def _select(
    store: Store,
    subscription: Subscription,
    recipient: str,
    last: datetime | None,
    now: datetime,
    ranked: Callable[[], Sequence[Match]],
    planned: set[str],
    read_on: date | None,
    fresh_since: dict[datetime, set[str]],
) -> Digest:
    # Newness is when the store first saw a call, never a feed's publication date. Many
    # subscriptions share one last run: the store is asked once per moment.
    since = last or _EPOCH
    if since not in fresh_since:
        seen = store.first_seen_since(since)
        fresh_since[since] = {s.call.id for s in seen if s.withdrawn_at is None}
    fresh = fresh_since[since]
    matches = [m for m in ranked() if m.call.id in fresh] if fresh else []
    # A recipient of two subscriptions: what this run already gave them counts as claimed.
    claimed = store.claimed(recipient) | planned
    sent: dict[str, Call] = {}
    for key in sorted(claimed):
        if key.startswith("new:"):
            found = store.get(key[4:])
            if found is not None:
                sent[found.call.id] = found.call
    changes = []
    if last is not None and subscription.include_changes and sent:
        # The last run saw every change up to and including its own moment.
        changes = [c for c in store.changes(since=last) if c.at > last and c.call_id in sent]
    return select_digest(
        subscription,
        recipient,
        matches=matches,
        changes=changes,
        sent=sent,
        claimed=claimed,
        now=now,
        first=last is None,
        data_date=read_on,
    )


def plan_digests(
    store: Store,
    subscriptions: Subscriptions,
    *,
    sender: str,
    now: datetime,
    ranker: Ranker | None = None,
) -> list[Planned]:
    """Every digest due at ``now``, selected and rendered; the store is only read. The ones not
    due are left out (:func:`not_due` counts them).

    Each subscription's profile is ranked once, when a first recipient is due and something
    is new, whatever the number of its recipients.
    """
    rank = ranker or store_ranker(store)
    planned = []
    given: dict[str, set[str]] = {}
    read_on = data_date(store, from_snapshot=False)
    fresh_since: dict[datetime, set[str]] = {}
    for subscription in subscriptions.subscription:
        ranked = _once(rank, subscription.profile, now)
        for recipient in subscription.active_recipients():
            last = store.last_digest(subscription.name, recipient)
            if not subscription.due(last, now):
                continue
            keys = given.setdefault(recipient, set())
            digest = _select(
                store, subscription, recipient, last, now, ranked, keys, read_on, fresh_since
            )
            keys.update(digest.keys)
            raw = None
            if digest.items or digest.listed:
                message = render_digest(
                    digest,
                    sender=sender,
                    sender_name=subscriptions.digest.sender_name,
                    list_unsubscribe=subscriptions.digest.list_unsubscribe,
                )
                raw = message.as_bytes(policy=SMTP)
            planned.append(Planned(digest=digest, message=raw))
    return planned


def _once(ranker: Ranker, profile: Profile, now: datetime) -> Callable[[], Sequence[Match]]:
    """The profile's ranking, computed on the first call and then given again."""
    kept: list[Sequence[Match]] = []

    def ranked() -> Sequence[Match]:
        if not kept:
            kept.append(ranker(profile, now))
        return kept[0]

    return ranked


def not_due(store: Store, subscriptions: Subscriptions, *, now: datetime) -> int:
    """How many digests (subscription and recipient) are not due at ``now``."""
    return sum(
        1
        for subscription in subscriptions.subscription
        for recipient in subscription.active_recipients()
        if not subscription.due(store.last_digest(subscription.name, recipient), now)
    )


def _queue(store: Store, plan: Planned, now: datetime) -> str | None:
    """One transaction: the message (pending), its items, the subscription's new window."""
    digest = plan.digest
    message_id = None
    message = None
    if plan.message is not None:
        parsed = message_from_bytes(plan.message, policy=SMTP)
        message_id = str(parsed["Message-ID"])
        message = (message_id, str(parsed["Subject"]), plan.message)
    store.queue_digest(
        subscription=digest.subscription,
        recipient=digest.recipient,
        now=now,
        message=message,
        items=[(i.key, i.call.id) for i in (*digest.items, *digest.listed)],
    )
    return message_id


# --- delivery -------------------------------------------------------------------------


def deliver(
    store: Store,
    mailer: Mailer,
    *,
    now: datetime,
    checkpoint: Checkpoint | None = None,
) -> tuple[list[MessageResult], str | None]:
    """Try every deliverable message once; return the attempts and why it stopped early."""
    checkpoint = checkpoint or _no_checkpoint
    results: list[MessageResult] = []
    for message_id, state, raw, attempts, resends in store.deliverable(now):
        resend = state in ("unknown", "sending")
        attempts += 1
        resends += int(resend)
        store.set_message(
            message_id,
            state="sending",
            attempts=attempts,
            resends=resends,
            last_attempt_at=now,
        )
        checkpoint("after-sending")
        message = message_from_bytes(raw, policy=SMTP)
        assert isinstance(message, EmailMessage)
        delivery = mailer.send(message)
        new_state: State
        if delivery.status == "accepted":
            checkpoint("after-accept")
            new_state = "sent"
            store.set_message(
                message_id,
                state="sent",
                sent_at=now,
                last_code=delivery.code,
                last_reply=delivery.reply,
                next_attempt_at=None,
            )
            checkpoint("after-sent")
        elif delivery.status == "unknown" and resends == 0:
            new_state = "unknown"
            store.set_message(
                message_id,
                state="unknown",
                last_code=delivery.code,
                last_reply=delivery.reply,
            )
        else:
            retry = None
            reply = delivery.reply
            if delivery.stop:
                # The server, not this message (down, 421, login refused): retry later without
                # counting it against the message, so an outage of days gives nothing up.
                retry = now + BACKOFF[0]
                attempts -= 1
            elif delivery.status == "deferred" and attempts <= len(BACKOFF):
                retry = now + BACKOFF[attempts - 1]
            elif delivery.status == "unknown":
                reply += " (outcome unknown after one re-send: not sent again, to avoid duplicates)"
            new_state = "failed"
            store.set_message(
                message_id,
                state="failed",
                attempts=attempts,
                next_attempt_at=retry,
                last_code=delivery.code,
                last_reply=reply,
            )
        log.info("digest %s: %s (%s)", message_id, new_state, delivery.reply)
        results.append(
            MessageResult(
                message_id=message_id,
                recipient=str(message["To"]),
                subject=str(message["Subject"]),
                state=new_state,
                delivery=delivery,
            )
        )
        if delivery.stop:
            return results, delivery.reply
    return results, None


def run_digests(
    store: Store,
    subscriptions: Subscriptions,
    mailer: Mailer,
    *,
    sender: str,
    now: datetime,
    ranker: Ranker | None = None,
    checkpoint: Checkpoint | None = None,
) -> DigestRun:
    """Plan the due digests, queue each in the outbox, then deliver everything deliverable.

    Holds the store's ``digest`` lock: two schedulers never send at once. ``checkpoint`` is
    called with the name of each step (a test hook; see docs/digests.md).
    """
    checkpoint = checkpoint or _no_checkpoint
    with store.lock("digest"):
        waiting = not_due(store, subscriptions, now=now)
        planned = plan_digests(store, subscriptions, sender=sender, now=now, ranker=ranker)
        checkpoint("after-render")
        queued = []
        for plan in planned:
            message_id = _queue(store, plan, now)
            if message_id is not None:
                queued.append(message_id)
                checkpoint("after-queue")
        results, stopped = deliver(store, mailer, now=now, checkpoint=checkpoint)
    return DigestRun(
        planned=len(planned),
        queued=tuple(queued),
        results=tuple(results),
        stopped=stopped,
        not_due=waiting,
        nothing_new=sum(1 for plan in planned if plan.message is None),
    )
