"""Exports of calls and of matches: JSON, JSON Lines, CSV, iCalendar and CommonGrants JSON.

Pure functions: models in, text out (also written to ``file`` when one is given). Reading the
store, the clock and the files is the caller's business (the ``export`` command). One module
per format: ``data`` (JSON, JSON Lines, CSV), ``ical`` (iCalendar), ``commongrants``; what they
share (calls or matches, stage names, top reasons) is in ``common``.
"""

from __future__ import annotations

from fundmatch.display import deadline_text as format_deadline
from fundmatch.export.commongrants import export_commongrants
from fundmatch.export.data import (
    CSV_COLUMNS,
    MATCH_CSV_COLUMNS,
    export_csv,
    export_json,
    export_jsonl,
)
from fundmatch.export.ical import export_ics, ics_uid

__all__ = [
    "CSV_COLUMNS",
    "MATCH_CSV_COLUMNS",
    "export_commongrants",
    "export_csv",
    "export_ics",
    "export_json",
    "export_jsonl",
    "format_deadline",
    "ics_uid",
]
