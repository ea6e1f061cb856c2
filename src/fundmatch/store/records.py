"""What the store hands out besides calls: provenance, stored calls, source states, outbox
messages (pure pydantic models)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fundmatch.models import Call, Deadline, FundmatchModel

__all__ = ["MessageState", "OutboxMessage", "Provenance", "SourceState", "StoredCall"]

MessageState = Literal["pending", "sending", "sent", "failed", "unknown"]
"""Where a digest message's delivery stands."""


class Provenance(FundmatchModel):
    """One source that reported a call, with what it said about it."""

    source: str
    """The source's name."""
    source_call_id: str
    """The id this source gives the call."""
    url: str | None = None
    """The link this source gives."""
    first_seen: datetime
    """When this source first reported the call."""
    last_seen: datetime
    """When this source last reported the call."""
    gone_at: datetime | None = None
    """When the call went missing from a complete listing of this source (None: still listed)."""
    deadlines: tuple[Deadline, ...] = ()
    """The deadlines as this source reports them (compare to see a disagreement)."""


class StoredCall(FundmatchModel):
    """A call as the store knows it: its current version and its history markers."""

    call: Call
    """The current version."""
    first_seen: datetime
    """When the store first saw the call (newness is decided by this)."""
    last_seen: datetime
    """When a source last reported it."""
    withdrawn_at: datetime | None = None
    """When it disappeared from every source that listed it (None: still listed)."""
    provenance: tuple[Provenance, ...] = ()
    """Every source that reported it, first seen first."""


class SourceState(FundmatchModel):
    """What the store remembers of one source: conditional-GET state and the last attempts."""

    name: str
    """The source's name."""
    etag: str | None = None
    """ETag of the last successful fetch."""
    last_modified: str | None = None
    """Last-Modified header of the last successful fetch, verbatim."""
    last_attempt: datetime | None = None
    """When the source was last tried."""
    last_success: datetime | None = None
    """When it was last read successfully."""
    last_error: str | None = None
    """Error of the last attempt, None when it succeeded."""
    calls: int = 0
    """How many calls this source currently lists."""


class OutboxMessage(FundmatchModel):
    """One message in the outbox and where its delivery stands."""

    message_id: str
    subscription: str
    recipient: str
    subject: str
    state: MessageState
    created_at: datetime
    attempts: int = 0
    resends: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_code: int | None = None
    last_reply: str | None = None
