"""Store history: what happened to a call (new, changed, withdrawn) and which fields changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fundmatch.models.base import FundmatchModel


class FieldChange(FundmatchModel):
    """One field of a call that changed between two versions (JSON values)."""

    field: str
    """Name of the :class:`Call` field."""
    old: Any = None
    """Value before, as JSON."""
    new: Any = None
    """Value after, as JSON."""


class Change(FundmatchModel):
    """Something that happened to a call in the store: new, changed or withdrawn."""

    kind: Literal["new", "changed", "withdrawn"]
    """``new`` (first seen), ``changed`` (see ``fields``) or ``withdrawn`` (gone from a
    complete listing of its source)."""
    call_id: str
    """The call's id."""
    fields: tuple[FieldChange, ...] = ()
    """For ``changed``: every field that changed, old and new."""
    source: str | None = None
    """The source whose update recorded the change."""
    at: datetime
    """When the store recorded it (the ``now`` of the update)."""
