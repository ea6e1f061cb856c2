"""Reading the store: calls, one call with its provenance, versions, changes, source states."""

from __future__ import annotations

from datetime import datetime

from fundmatch.models import Call, CallStatus, Change, Deadline, FieldChange
from fundmatch.store.connection import Connection
from fundmatch.store.records import Provenance, SourceState, StoredCall
from fundmatch.store.rows import dt, loads, must_dt, ts, unpack

__all__ = ["Queries"]


class Queries(Connection):
    """The store's read queries."""

    def source_state(self, name: str) -> SourceState | None:
        """The state of one source, or None if it was never updated."""
        states = self._source_states(name)
        return states[0] if states else None

    def source_states(self) -> list[SourceState]:
        """The state of every source, by name."""
        return self._source_states(None)

    def _source_states(self, name: str | None) -> list[SourceState]:
        sql = (
            "SELECT s.name, s.etag, s.last_modified, s.last_attempt, s.last_success, "
            "s.last_error, (SELECT count(*) FROM provenance p "
            "WHERE p.source = s.name AND p.gone_at IS NULL) FROM sources s"
        )
        params: tuple[str, ...] = ()
        if name is not None:
            sql += " WHERE s.name = ?"
            params = (name,)
        with self._errors("read source state"):
            rows = self._conn.execute(sql + " ORDER BY s.name", params).fetchall()
        return [
            SourceState(
                name=r[0],
                etag=r[1],
                last_modified=r[2],
                last_attempt=dt(r[3]),
                last_success=dt(r[4]),
                last_error=r[5],
                calls=r[6],
            )
            for r in rows
        ]

    def calls(
        self,
        *,
        status: CallStatus | None = None,
        now: datetime | None = None,
        programme: str | None = None,
        source: str | None = None,
        text: str | None = None,
        deadline_after: datetime | None = None,
        deadline_before: datetime | None = None,
        include_withdrawn: bool = False,
    ) -> list[Call]:
        """The stored calls (current versions), by id, filtered by every argument given.

        ``status`` is the status at ``now`` (required with it); ``programme`` and ``text``
        match case-insensitively inside the programme name and the call's text; ``source``
        keeps calls that source lists now (or ever listed, with ``include_withdrawn``); the
        deadline window keeps calls with at least one deadline in
        ``[deadline_after, deadline_before)``. Withdrawn calls are left out unless
        ``include_withdrawn``.
        """
        if status is not None and now is None:
            raise ValueError("status= needs now= (the status of a call depends on the moment)")
        where, params = [], []
        if not include_withdrawn:
            where.append("withdrawn_at IS NULL")
        if programme:
            where.append("instr(lower(coalesce(programme, '')), ?) > 0")
            params.append(programme.casefold())
        if source:
            listed = "" if include_withdrawn else " AND gone_at IS NULL"
            where.append(f"id IN (SELECT call_id FROM provenance WHERE source = ?{listed})")
            params.append(source)
        if text:
            where.append("instr(search, ?) > 0")
            params.append(text.casefold())
        sql = "SELECT json FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors("read calls"):
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        result = [Call.model_validate_json(r[0]) for r in rows]
        if deadline_after is not None or deadline_before is not None:
            result = [
                c
                for c in result
                if any(
                    (deadline_after is None or d.at >= deadline_after)
                    and (deadline_before is None or d.at < deadline_before)
                    for d in c.deadlines
                )
            ]
        if status is not None and now is not None:
            result = [c for c in result if c.status(now) == status]
        return result

    def get(self, id: str) -> StoredCall | None:
        """One call with its history markers and provenance; ``id`` may also be a source's id."""
        with self._errors("read a call"):
            row = self._conn.execute(
                "SELECT id, json, first_seen, withdrawn_at FROM calls WHERE id = ?", (id,)
            ).fetchone()
            if row is None:
                row = self._conn.execute(
                    "SELECT c.id, c.json, c.first_seen, c.withdrawn_at FROM calls c "
                    "JOIN provenance p ON p.call_id = c.id WHERE p.source_call_id = ? "
                    "ORDER BY p.first_seen LIMIT 1",
                    (id,),
                ).fetchone()
            if row is None:
                return None
            prov = self._conn.execute(
                "SELECT source, source_call_id, url, first_seen, last_seen, gone_at, deadlines "
                "FROM provenance WHERE call_id = ? ORDER BY first_seen, source",
                (row[0],),
            ).fetchall()
        provenance = tuple(
            Provenance(
                source=p[0],
                source_call_id=p[1],
                url=p[2],
                first_seen=must_dt(p[3]),
                last_seen=must_dt(p[4]),
                gone_at=dt(p[5]),
                deadlines=tuple(Deadline.model_validate(d) for d in loads(p[6])),
            )
            for p in prov
        )
        first_seen = must_dt(row[2])
        last_seen = max((p.last_seen for p in provenance), default=first_seen)
        return StoredCall(
            call=Call.model_validate_json(row[1]),
            first_seen=first_seen,
            last_seen=last_seen,
            withdrawn_at=dt(row[3]),
            provenance=provenance,
        )

    def versions(self, id: str) -> list[Call]:
        """Every version the store kept of a call, oldest first."""
        with self._errors("read versions"):
            rows = self._conn.execute(
                "SELECT json FROM versions WHERE call_id = ? ORDER BY id", (id,)
            ).fetchall()
        return [Call.model_validate_json(unpack(r[0])) for r in rows]

    def changes(self, *, since: datetime | None = None, call_id: str | None = None) -> list[Change]:
        """Recorded changes, oldest first: from ``since`` on (inclusive), of one call if given."""
        where, params = [], []
        if since is not None:
            where.append("at >= ?")
            params.append(ts(since))
        if call_id is not None:
            where.append("call_id = ?")
            params.append(call_id)
        sql = "SELECT kind, call_id, fields, source, at FROM changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors("read changes"):
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        return [
            Change(
                kind=r[0],
                call_id=r[1],
                fields=tuple(FieldChange.model_validate(f) for f in loads(r[2])),
                source=r[3],
                at=must_dt(r[4]),
            )
            for r in rows
        ]

    def first_seen(self) -> dict[str, datetime]:
        """When the store first saw each call, by call id."""
        with self._errors("read calls"):
            rows = self._conn.execute("SELECT id, first_seen FROM calls").fetchall()
        return {str(r[0]): must_dt(r[1]) for r in rows}

    def first_seen_since(self, since: datetime) -> list[StoredCall]:
        """Calls the store first saw at or after ``since``, oldest first (for digests)."""
        with self._errors("read calls"):
            ids = [
                r[0]
                for r in self._conn.execute(
                    "SELECT id FROM calls WHERE first_seen >= ? ORDER BY first_seen, id",
                    (ts(since),),
                )
            ]
        return [s for s in (self.get(i) for i in ids) if s is not None]
