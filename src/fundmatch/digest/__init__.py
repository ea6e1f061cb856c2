"""Digests: who is subscribed, what goes into a recipient's digest, the e-mail, the run.

- :mod:`~fundmatch.digest.subscriptions`: the subscriptions model and file
- :mod:`~fundmatch.digest.clean`: text from feeds made fit for a message (pure)
- :mod:`~fundmatch.digest.select`: what one recipient is told (pure)
- :mod:`~fundmatch.digest.render`: the e-mail (pure)
- :mod:`~fundmatch.digest.run`: plan, queue in the store's outbox, deliver through a ``Mailer``
"""

from __future__ import annotations

from fundmatch.digest.clean import header_text, safe_text, safe_url
from fundmatch.digest.render import budget_line, message_id, render_digest, render_ics, subject
from fundmatch.digest.run import DigestRun, outbox_messages, plan_digests, run_digests
from fundmatch.digest.select import Digest, DigestItem, describe_change, select_digest
from fundmatch.digest.subscriptions import (
    DigestSettings,
    Subscription,
    Subscriptions,
    load_subscriptions,
)

__all__ = [
    "Digest",
    "DigestItem",
    "DigestRun",
    "DigestSettings",
    "Subscription",
    "Subscriptions",
    "budget_line",
    "describe_change",
    "header_text",
    "load_subscriptions",
    "message_id",
    "outbox_messages",
    "plan_digests",
    "render_digest",
    "render_ics",
    "run_digests",
    "safe_text",
    "safe_url",
    "select_digest",
    "subject",
]
