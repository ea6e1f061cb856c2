"""Writing one source's listing into the store: new calls, changes, withdrawals.

Writes only: whether two calls are the same one is decided in
:mod:`fundmatch.store.identity`. Runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Literal

from fundmatch.models import Call, Change, FieldChange
from fundmatch.store.backend import Backend
from fundmatch.store.connection import Connection
from fundmatch.store.identity import day_keys, field_changes, identity_keys, same_call
from fundmatch.store.rows import pack, search_text, stamp, text_hash, ts

__all__ = ["Upsert", "Writes"]

logger = logging.getLogger("fundmatch.store")


def _utc_day(moment: str | datetime) -> date:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).date()


class Writes(Connection):
    """The store's writes: a source's listing, a source's failure."""

    def upsert(
        self,
        calls: Iterable[Call],
        *,
        source: str,
        now: datetime,
        complete: bool = True,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> list[Change]:
        """Store what ``source`` lists at ``now``; return what is new, changed or withdrawn.

        One transaction covers the calls, their versions and changes and the source's state
        (``etag``, ``last_modified``, ``last_success``), so a crash can only make the next run
        fetch again. ``complete=False`` (a partial listing) never withdraws anything.

        - ``new``: the store never saw the call; ``first_seen`` is set once, now.
        - ``changed``: each field of the call's JSON that differs, old and new (``deadlines``
          as a list, ``budget`` as an object, ``reported_status`` for the status). A withdrawn
          call that is listed again is ``changed`` with the field ``withdrawn`` (old: when it
          was withdrawn, new: None), plus whatever else changed meanwhile.
        - ``withdrawn``: missing from a complete listing of every source that reported it.

        A call another source already reported (same id or topic id, or a similar title with
        a common deadline day) is not new: it gains this source's provenance (its deadlines
        are kept there, so a disagreement shows), and its content stays the first source's.
        """
        at = ts(now)
        batch: dict[str, tuple[Call, str, str]] = {}
        for call in calls:
            if call.id in batch:
                logger.warning(
                    "source %s lists call %s twice; the last one is kept", source, call.id
                )
            text = call.model_dump_json()
            batch[call.id] = (call, text, text_hash(text))
        with self.transaction() as conn:
            return Upsert(conn, source, now, at).run(batch, complete, etag, last_modified)

    def record_failure(self, source: str, *, now: datetime, error: str) -> None:
        """Remember that ``source`` failed at ``now``; nothing is withdrawn."""
        at = ts(now)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO sources (name, last_attempt, last_error) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_attempt = excluded.last_attempt, "
                "last_error = excluded.last_error",
                (source, at, error),
            )


class Upsert:
    """One upsert of one source's listing, inside the caller's transaction."""

    def __init__(self, conn: Backend, source: str, now: datetime, at: str) -> None:
        self.conn, self.source, self.now, self.at = conn, source, now, at
        self.changes: list[Change] = []
        self._change_rows: list[tuple[str, str, str, str, str]] = []
        self._candidates: tuple[dict[str, set[str]], dict[str, str]] | None = None
        self._ids: set[str] | None = None
        self._taken: set[str] = set()  # calls matched in this listing: one provenance each
        # rows of new calls, written with executemany after the loop
        self._rows: dict[str, list[tuple[str | bytes | None, ...]]] = {
            "calls": [],
            "versions": [],
            "provenance": [],
            "call_keys": [],
        }

    def run(
        self,
        batch: dict[str, tuple[Call, str, str]],
        complete: bool,
        etag: str | None,
        last_modified: str | None,
    ) -> list[Change]:
        conn, source, at = self.conn, self.source, self.at
        known: dict[str, tuple[str, str, str | None, int]] = {}
        legacy: set[str] = set()
        for row in conn.execute(
            "SELECT p.source_call_id, p.call_id, p.hash, p.gone_at, c.source = p.source, "
            "p.legacy_key FROM provenance p JOIN calls c ON c.id = p.call_id WHERE p.source = ?",
            (source,),
        ):
            known[row[0]] = (row[1], row[2], row[3], row[4])
            if row[5]:
                legacy.add(row[0])
        if legacy:
            self._settle_legacy(batch, known, legacy)
        unchanged: list[tuple[str, str, str]] = []
        for sid, (call, text, digest) in batch.items():
            if sid not in known:
                self._arrive(call, text, digest)
                continue
            call_id, old_hash, gone_at, primary = known[sid]
            if old_hash == digest and gone_at is None:
                unchanged.append((at, source, sid))
                continue
            self._update(
                call_id, call, text, digest, primary=bool(primary), back=gone_at is not None
            )
        self._flush()
        if all(sid in batch for sid, k in known.items() if k[2] is None):
            # Nothing this source listed is missing: every row it lists now was seen now (the
            # new and changed ones are already), in one statement rather than one per call.
            conn.execute(
                "UPDATE provenance SET last_seen = ? WHERE source = ? AND gone_at IS NULL",
                (at, source),
            )
        else:
            conn.executemany(
                "UPDATE provenance SET last_seen = ? WHERE source = ? AND source_call_id = ?",
                unchanged,
            )
        if complete:
            gone = [sid for sid, k in known.items() if k[2] is None and sid not in batch]
            self._withdraw(gone, {known[sid][0] for sid in gone})
        conn.execute(
            "INSERT INTO sources (name, etag, last_modified, last_attempt, last_success) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, last_attempt = excluded.last_attempt, "
            "last_success = excluded.last_success, last_error = NULL",
            (source, etag, last_modified, at, at),
        )
        conn.executemany(
            "INSERT INTO changes (call_id, kind, source, at, fields) VALUES (?, ?, ?, ?, ?)",
            self._change_rows,
        )
        return self.changes

    def _settle_legacy(
        self,
        batch: dict[str, tuple[Call, str, str]],
        known: dict[str, tuple[str, str, str | None, int]],
        legacy: set[str],
    ) -> None:
        """Give each row keyed by a parent topic's identifier to the cascade call it held.

        Before schema step 5 a cascade-funding call was keyed by its parent topic's
        identifier, so the calls of one parent were one row, holding the one listed last. A
        parent topic no longer listed as itself is such a row: the cascade call of that
        parent listed last (the one whose deadline days are the row's, if any) takes it over,
        its history and first-seen time with it, and is stored under its own id; the others
        are new. Every row of the source is settled by this first listing.
        """
        conn = self.conn
        children: dict[str, list[Call]] = {}
        for sid, (call, _text, _digest) in batch.items():
            if call.parent is not None and sid not in known:
                children.setdefault(call.parent.id, []).append(call)
        for parent, calls in sorted(children.items()):
            if parent not in legacy or parent in batch or parent not in known:
                continue
            old_id = known[parent][0]
            stored = json.loads(
                conn.execute("SELECT json FROM calls WHERE id = ?", (old_id,)).fetchone()[0]
            )
            days = {_utc_day(d["at"]) for d in stored.get("deadlines", [])}
            same_days = [c for c in calls if {_utc_day(d.at) for d in c.deadlines} == days]
            heir = (same_days or calls)[-1]
            new_id = old_id
            taken = conn.execute("SELECT 1 FROM calls WHERE id = ?", (heir.id,)).fetchone()
            if old_id == parent and taken is None:
                new_id = heir.id
                self._rename(old_id, new_id)
            conn.execute(
                "UPDATE provenance SET source_call_id = ? WHERE source = ? AND source_call_id = ?",
                (heir.id, self.source, parent),
            )
            known[heir.id] = (new_id, *known.pop(parent)[1:])
            logger.info("stored call %s is the cascade call %s", old_id, heir.id)
        conn.execute("UPDATE provenance SET legacy_key = 0 WHERE source = ?", (self.source,))

    def _rename(self, old_id: str, new_id: str) -> None:
        """Store a call under another id, with every row that names it."""
        conn = self.conn
        columns = "source, json, hash, title, programme, search, first_seen, withdrawn_at"
        conn.execute(  # the new row first, the old one last: no reference is ever dangling
            f"INSERT INTO calls (id, {columns}) SELECT ?, {columns} FROM calls WHERE id = ?",
            (new_id, old_id),
        )
        for table in ("versions", "provenance", "changes", "call_keys", "digest_items"):
            conn.execute(f"UPDATE {table} SET call_id = ? WHERE call_id = ?", (new_id, old_id))
        conn.execute("DELETE FROM calls WHERE id = ?", (old_id,))

    def _record(
        self, kind: Literal["new", "changed", "withdrawn"], call_id: str, fields: list[FieldChange]
    ) -> None:
        change = Change(
            kind=kind,
            call_id=call_id,
            fields=tuple(fields),
            source=self.source,
            at=self.now,
        )
        self.changes.append(change)
        payload = json.dumps([f.model_dump(mode="json") for f in fields], ensure_ascii=False)
        self._change_rows.append((call_id, kind, self.source, self.at, payload))

    @staticmethod
    def _deadlines_json(call: Call) -> str:
        return json.dumps([d.model_dump(mode="json") for d in call.deadlines])

    def _write_keys(self, call_id: str, call: Call) -> None:
        self.conn.execute("DELETE FROM call_keys WHERE call_id = ?", (call_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES (?, ?)",
            [(k, call_id) for k in identity_keys(call) | day_keys(call)],
        )

    def _arrive(self, call: Call, text: str, digest: str) -> None:
        """A call this source did not list before: a duplicate of another source's, or new."""
        conn, at, rows = self.conn, self.at, self._rows
        twin = self._duplicate_of(call)
        if twin is not None:
            logger.info("call %s of %s is the same as stored call %s", call.id, self.source, twin)
            self._provenance(twin, call, digest)
            withdrawn = conn.execute(
                "SELECT withdrawn_at FROM calls WHERE id = ?", (twin,)
            ).fetchone()[0]
            if withdrawn is not None:
                conn.execute("UPDATE calls SET withdrawn_at = NULL WHERE id = ?", (twin,))
                old = stamp(withdrawn)
                self._record("changed", twin, [FieldChange(field="withdrawn", old=old)])
            return
        if self._ids is None:
            self._ids = {r[0] for r in conn.execute("SELECT id FROM calls")}
        call_id = call.id
        if call_id in self._ids:
            call_id = f"{call.id}@{self.source}"  # another source's call already has this id
        self._ids.add(call_id)
        rows["calls"].append(
            (call_id, self.source, text, digest, call.title, call.programme, search_text(call), at)
        )
        rows["versions"].append((call_id, self.source, at, pack(text)))
        self._provenance(call_id, call, digest)
        rows["call_keys"].extend((k, call_id) for k in identity_keys(call) | day_keys(call))
        self._record("new", call_id, [])

    def _provenance(self, call_id: str, call: Call, digest: str) -> None:
        self._rows["provenance"].append(
            (
                self.source,
                call.id,
                call_id,
                call.url,
                self._deadlines_json(call),
                digest,
                self.at,
                self.at,
            )
        )

    def _flush(self) -> None:
        """Write the rows gathered for new calls and provenances."""
        rows, conn = self._rows, self.conn
        conn.executemany(
            "INSERT INTO calls (id, source, json, hash, title, programme, search, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows["calls"],
        )
        conn.executemany(
            "INSERT INTO versions (call_id, source, seen_at, json) VALUES (?, ?, ?, ?)",
            rows["versions"],
        )
        conn.executemany(
            "INSERT INTO provenance (source, source_call_id, call_id, url, deadlines, hash, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows["provenance"],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES (?, ?)", rows["call_keys"]
        )
        for batch in rows.values():
            batch.clear()

    def _duplicate_of(self, call: Call) -> str | None:
        """The stored call of another source that is this call, if any."""
        if self._candidates is None:
            keys: dict[str, set[str]] = {}
            for key, call_id in self.conn.execute(
                "SELECT key, call_id FROM call_keys WHERE call_id NOT IN "
                "(SELECT call_id FROM provenance WHERE source = ?)",
                (self.source,),
            ):
                keys.setdefault(key, set()).add(call_id)
            titles = {}
            if keys:
                titles = dict(
                    self.conn.execute(
                        "SELECT id, title FROM calls WHERE id NOT IN "
                        "(SELECT call_id FROM provenance WHERE source = ?)",
                        (self.source,),
                    ).fetchall()
                )
            self._candidates = (keys, titles)
        keys, titles = self._candidates
        twin = same_call(call, keys, titles, self._taken)
        if twin is not None:
            self._taken.add(twin)
        return twin

    def _update(
        self, call_id: str, call: Call, text: str, digest: str, *, primary: bool, back: bool
    ) -> None:
        """A call this source listed before, whose content changed or which came back."""
        conn, at = self.conn, self.at
        conn.execute(
            "UPDATE provenance SET url = ?, deadlines = ?, hash = ?, last_seen = ?, gone_at = NULL "
            "WHERE source = ? AND source_call_id = ?",
            (call.url, self._deadlines_json(call), digest, at, self.source, call.id),
        )
        fields: list[FieldChange] = []
        row = conn.execute(
            "SELECT json, withdrawn_at FROM calls WHERE id = ?", (call_id,)
        ).fetchone()
        old_json, withdrawn = row
        if back and withdrawn is not None:
            fields.append(FieldChange(field="withdrawn", old=stamp(withdrawn), new=None))
            conn.execute("UPDATE calls SET withdrawn_at = NULL WHERE id = ?", (call_id,))
        if primary:
            diff = field_changes(json.loads(old_json), json.loads(text))
            fields.extend(diff)
            conn.execute(
                "UPDATE calls SET json = ?, hash = ?, title = ?, programme = ?, search = ? "
                "WHERE id = ?",
                (text, digest, call.title, call.programme, search_text(call), call_id),
            )
            if diff:
                conn.execute(
                    "INSERT INTO versions (call_id, source, seen_at, json) VALUES (?, ?, ?, ?)",
                    (call_id, self.source, at, pack(text)),
                )
                self._write_keys(call_id, call)
        if fields:
            self._record("changed", call_id, fields)

    def _withdraw(self, gone: list[str], call_ids: set[str]) -> None:
        """Mark what a complete listing lacks; a call is withdrawn when no source lists it."""
        conn, at = self.conn, self.at
        conn.executemany(
            "UPDATE provenance SET gone_at = ? WHERE source = ? AND source_call_id = ?",
            [(at, self.source, sid) for sid in gone],
        )
        for call_id in sorted(call_ids):
            listed, withdrawn = conn.execute(
                "SELECT (SELECT count(*) FROM provenance WHERE call_id = ? AND gone_at IS NULL), "
                "withdrawn_at FROM calls WHERE id = ?",
                (call_id, call_id),
            ).fetchone()
            if listed == 0 and withdrawn is None:
                conn.execute("UPDATE calls SET withdrawn_at = ? WHERE id = ?", (at, call_id))
                self._record("withdrawn", call_id, [])
