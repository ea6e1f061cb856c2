"""The store: new, changed and withdrawn calls, versions, provenance, queries, schema steps."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fundmatch as fm
from fundmatch import store as store_module
from fundmatch.store import schema
from support.postgres import PostgresServer

BRUSSELS = ZoneInfo("Europe/Brussels")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    """The moment of the n-th daily update."""
    return T0 + timedelta(days=n)


def deadline(iso_day: str, hour: int = 17) -> fm.Deadline:
    return fm.Deadline(at=datetime.fromisoformat(iso_day).replace(hour=hour, tzinfo=BRUSSELS))


def call(id: str, title: str = "Open data for smart cities", **fields: object) -> fm.Call:
    return fm.Call.model_validate({"id": id, "title": title, "source": "portal", **fields})


@pytest.fixture
def store(store_address: str) -> Iterator[fm.Store]:
    with fm.Store(store_address) as opened:
        yield opened


def test_first_upsert_reports_every_call_as_new(store: fm.Store) -> None:
    changes = store.upsert([call("A"), call("B")], source="portal", now=day(0))

    assert [(c.kind, c.call_id, c.source, c.at) for c in changes] == [
        ("new", "A", "portal", day(0)),
        ("new", "B", "portal", day(0)),
    ]
    assert [c.id for c in store.calls()] == ["A", "B"]


def test_unchanged_calls_produce_no_change_and_keep_first_seen(store: fm.Store) -> None:
    store.upsert([call("A")], source="portal", now=day(0))

    assert store.upsert([call("A")], source="portal", now=day(1)) == []
    stored = store.get("A")
    assert stored is not None
    assert stored.first_seen == day(0)
    assert stored.last_seen == day(1)


def test_every_changed_field_is_reported_with_old_and_new(store: fm.Store) -> None:
    before = call(
        "A",
        deadlines=[deadline("2026-06-12")],
        budget={"total": "1000000"},
        reported_status="forthcoming",
    )
    after = call(
        "A",
        title="Open data for smarter cities",
        deadlines=[deadline("2026-06-19"), deadline("2026-11-05")],
        deadline_model="two-stage",
        budget={"total": "1500000"},
        reported_status="open",
    )
    store.upsert([before], source="portal", now=day(0))

    [change] = store.upsert([after], source="portal", now=day(1))

    assert change.kind == "changed"
    fields = {f.field: (f.old, f.new) for f in change.fields}
    assert set(fields) == {"title", "deadlines", "deadline_model", "budget", "reported_status"}
    assert fields["title"] == ("Open data for smart cities", "Open data for smarter cities")
    assert fields["reported_status"] == ("forthcoming", "open")
    old_deadlines, new_deadlines = fields["deadlines"]
    assert [d["at"] for d in old_deadlines] == ["2026-06-12T17:00:00+02:00"]
    assert [d["at"] for d in new_deadlines] == [
        "2026-06-19T17:00:00+02:00",
        "2026-11-05T17:00:00+01:00",
    ]
    assert fields["budget"][0]["total"] == "1000000"
    assert fields["budget"][1]["total"] == "1500000"
    assert [v.title for v in store.versions("A")] == [before.title, after.title]
    assert store.get("A").call == after  # type: ignore[union-attr]


def test_a_call_missing_from_a_complete_listing_is_withdrawn_not_deleted(
    store: fm.Store,
) -> None:
    store.upsert([call("A"), call("B")], source="portal", now=day(0))

    changes = store.upsert([call("A")], source="portal", now=day(1))

    assert [(c.kind, c.call_id) for c in changes] == [("withdrawn", "B")]
    assert [c.id for c in store.calls()] == ["A"]
    assert [c.id for c in store.calls(include_withdrawn=True)] == ["A", "B"]
    stored = store.get("B")
    assert stored is not None
    assert stored.withdrawn_at == day(1)
    assert stored.provenance[0].gone_at == day(1)
    # withdrawn once, not again on the next run
    assert store.upsert([call("A")], source="portal", now=day(2)) == []


def test_partial_listing_and_failure_never_withdraw(store: fm.Store) -> None:
    store.upsert([call("A"), call("B")], source="portal", now=day(0))

    assert store.upsert([call("A")], source="portal", now=day(1), complete=False) == []
    store.record_failure("portal", now=day(2), error="HTTP 503")

    assert [c.id for c in store.calls()] == ["A", "B"]
    state = store.source_state("portal")
    assert state is not None
    assert state.last_error == "HTTP 503"
    assert state.last_attempt == day(2)
    assert state.last_success == day(1)
    assert state.calls == 2


def test_a_withdrawn_call_that_reappears_is_reported_as_changed(store: fm.Store) -> None:
    store.upsert([call("A"), call("B")], source="portal", now=day(0))
    store.upsert([call("A")], source="portal", now=day(1))

    [change] = store.upsert([call("A"), call("B", title="Back")], source="portal", now=day(2))

    assert change.kind == "changed"
    assert change.call_id == "B"
    fields = {f.field: (f.old, f.new) for f in change.fields}
    assert fields["withdrawn"][1] is None
    assert datetime.fromisoformat(fields["withdrawn"][0]) == day(1)
    assert fields["title"] == ("Open data for smart cities", "Back")
    stored = store.get("B")
    assert stored is not None
    assert stored.withdrawn_at is None
    assert stored.first_seen == day(0)


def test_source_state_is_saved_with_the_calls(store: fm.Store) -> None:
    assert store.source_state("portal") is None

    store.upsert([call("A")], source="portal", now=day(0), etag='"abc"', last_modified="Mon")

    state = store.source_state("portal")
    assert state == fm.SourceState(
        name="portal",
        etag='"abc"',
        last_modified="Mon",
        last_attempt=day(0),
        last_success=day(0),
        calls=1,
    )
    assert store.source_states() == [state]


def test_changes_since_and_per_call(store: fm.Store) -> None:
    store.upsert([call("A"), call("B")], source="portal", now=day(0))
    store.upsert([call("A", title="New title")], source="portal", now=day(3))

    recent = store.changes(since=day(2))

    assert [(c.kind, c.call_id) for c in recent] == [("changed", "A"), ("withdrawn", "B")]
    assert [c.kind for c in store.changes(call_id="A")] == ["new", "changed"]
    assert len(store.changes()) == 4


def test_first_seen_since_is_newness_by_the_store(store: fm.Store) -> None:
    store.upsert([call("A")], source="portal", now=day(0))
    store.upsert([call("A"), call("B", published=day(-30))], source="portal", now=day(5))

    assert [s.call.id for s in store.first_seen_since(day(1))] == ["B"]


def test_queries_by_status_programme_source_text_and_deadline(store: fm.Store) -> None:
    store.upsert(
        [
            call("H1", programme="Horizon Europe", deadlines=[deadline("2026-04-01")]),
            call("H2", title="Hydrogen valleys", programme="Horizon Europe"),
            call("L1", title="Nature restoration", programme="LIFE", reported_status="closed"),
        ],
        source="portal",
        now=day(0),
    )
    store.upsert(
        [call("M1", title="Ports of the Mediterranean", programme="Interreg Euro-MED")],
        source="euromed",
        now=day(0),
    )

    def ids(calls: list[fm.Call]) -> list[str]:
        return [c.id for c in calls]

    assert ids(store.calls(programme="horizon")) == ["H1", "H2"]
    assert ids(store.calls(source="euromed")) == ["M1"]
    assert ids(store.calls(text="HYDROGEN")) == ["H2"]
    assert ids(store.calls(status="open", now=day(0))) == ["H1"]
    assert ids(store.calls(status="closed", now=day(0))) == ["L1"]
    assert ids(store.calls(status="closed", now=datetime(2026, 5, 1, tzinfo=UTC))) == ["H1", "L1"]
    window = store.calls(
        deadline_after=datetime(2026, 3, 1, tzinfo=UTC),
        deadline_before=datetime(2026, 5, 1, tzinfo=UTC),
    )
    assert ids(window) == ["H1"]
    with pytest.raises(ValueError, match="now="):
        store.calls(status="open")


def test_same_call_from_two_sources_by_identifier_keeps_both_provenances(
    store: fm.Store,
) -> None:
    portal = call(
        "HORIZON-CL5-2026-01", url="https://ec.europa.eu/x", deadlines=[deadline("2026-09-02")]
    )
    feed = call(
        "https://feed.example/item/17",
        topic_id="horizon-cl5-2026-01",
        url="https://feed.example/item/17",
        deadlines=[deadline("2026-09-03")],
        source="feed",
    )
    store.upsert([portal], source="portal", now=day(0))

    assert store.upsert([feed], source="feed", now=day(1)) == []

    stored = store.get("HORIZON-CL5-2026-01")
    assert stored is not None
    assert [(p.source, p.source_call_id) for p in stored.provenance] == [
        ("portal", "HORIZON-CL5-2026-01"),
        ("feed", "https://feed.example/item/17"),
    ]
    # the deadline disagreement stays visible
    assert [p.deadlines[0].at.day for p in stored.provenance] == [2, 3]
    assert store.get("https://feed.example/item/17") == stored
    assert [c.id for c in store.calls(source="feed")] == ["HORIZON-CL5-2026-01"]
    assert len(store.calls()) == 1


def test_same_call_from_two_sources_by_similar_title_and_deadline_day(store: fm.Store) -> None:
    store.upsert(
        [
            call(
                "EM-1",
                title="Green ports: call for projects 2026",
                deadlines=[deadline("2026-10-01")],
            )
        ],
        source="euromed",
        now=day(0),
    )
    later = [
        call(
            "feed-9",
            title="Call for projects 2026 - Green ports",
            deadlines=[deadline("2026-10-01", 12)],
        ),
        call(
            "feed-10",
            title="Green ports: call for projects 2026",
            deadlines=[deadline("2026-11-01")],
        ),
    ]

    changes = store.upsert(later, source="feed", now=day(1))

    assert [(c.kind, c.call_id) for c in changes] == [("new", "feed-10")]
    stored = store.get("EM-1")
    assert stored is not None
    assert [p.source_call_id for p in stored.provenance] == ["EM-1", "feed-9"]


def test_look_alike_titles_with_other_numbers_are_different_calls(store: fm.Store) -> None:
    fourth = call(
        "EM-4", title="Euro-MED call 4: thematic projects", deadlines=[deadline("2026-10-01")]
    )
    store.upsert([fourth], source="euromed", now=day(0))
    fifth = call(
        "feed-5", title="Euro-MED call 5: thematic projects", deadlines=[deadline("2026-10-01")]
    )

    changes = store.upsert([fifth], source="feed", now=day(1))

    assert [(c.kind, c.call_id) for c in changes] == [("new", "feed-5")]


def test_a_call_is_withdrawn_only_when_every_source_dropped_it(store: fm.Store) -> None:
    store.upsert([call("X-1")], source="portal", now=day(0))
    store.upsert([call("guid-1", topic_id="X-1")], source="feed", now=day(0))

    assert store.upsert([], source="portal", now=day(1)) == []
    [change] = store.upsert([], source="feed", now=day(2))

    assert (change.kind, change.call_id) == ("withdrawn", "X-1")


def test_the_same_id_twice_in_one_listing_keeps_the_last(store: fm.Store) -> None:
    changes = store.upsert([call("A"), call("A", title="Second")], source="portal", now=day(0))

    assert [c.kind for c in changes] == ["new"]
    assert store.get("A").call.title == "Second"  # type: ignore[union-attr]


def test_store_reopens_with_its_data_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "fundmatch.sqlite"
    with fm.Store(path) as first:
        first.upsert([call("A")], source="portal", now=day(0))

    with fm.Store(path) as again:
        assert [c.id for c in again.calls()] == ["A"]
        version = again.connection.execute("PRAGMA user_version").fetchone()[0]
        mode = again.connection.execute("PRAGMA journal_mode").fetchone()[0]
        keys = again.connection.execute("PRAGMA foreign_keys").fetchone()[0]
    assert version == len(store_module.MIGRATIONS)
    assert (mode, keys) == ("wal", 1)


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "fundmatch.sqlite"
    fm.Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(store_module.MIGRATIONS) + 1}")
    before = path.read_bytes()

    with pytest.raises(fm.StoreError, match="newer than this fundmatch knows"):
        fm.Store(path)

    assert path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x)")

    with pytest.raises(fm.StoreError, match="not a fundmatch store"):
        fm.Store(path)


def test_an_appended_migration_runs_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fundmatch.sqlite"
    fm.Store(path).close()
    steps = [*store_module.MIGRATIONS, "CREATE TABLE outbox (id INTEGER PRIMARY KEY, body TEXT);"]
    monkeypatch.setattr(schema, "MIGRATIONS", steps)

    with fm.Store(path) as upgraded, upgraded.transaction() as conn:
        conn.execute("INSERT INTO outbox (body) VALUES ('hello')")

    with fm.Store(path) as again:
        rows = again.connection.execute("SELECT body FROM outbox").fetchall()
        assert rows == [("hello",)]
        assert again.connection.execute("PRAGMA user_version").fetchone()[0] == len(steps)


def test_transaction_rolls_back_on_error(store: fm.Store) -> None:
    store.upsert([call("A")], source="portal", now=day(0))

    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("UPDATE calls SET title = 'broken'")
        raise RuntimeError("boom")

    assert store.get("A").call.title == "Open data for smart cities"  # type: ignore[union-attr]


def test_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUNDMATCH_DB", str(tmp_path / "env.sqlite"))

    with fm.Store() as opened:
        assert opened.path == tmp_path / "env.sqlite"
    monkeypatch.delenv("FUNDMATCH_DB")
    assert store_module.default_path().name == "fundmatch.sqlite"


def test_in_memory_store(tmp_path: Path) -> None:
    with fm.Store(":memory:") as memory:
        assert [c.kind for c in memory.upsert([call("A")], source="s", now=day(0))] == ["new"]
        with (
            memory.lock(),
            pytest.raises(fm.StoreError, match="already running"),
            memory.lock(),
        ):
            pass


def test_naive_now_is_refused(store: fm.Store) -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        store.upsert([call("A")], source="portal", now=datetime(2026, 1, 1))


# --- command line ---------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store with three calls, one changed and one withdrawn."""
    path = tmp_path / "cli.sqlite"
    with fm.Store(path) as opened:
        opened.upsert(
            [
                call("H1", programme="Horizon Europe", deadlines=[deadline("2026-04-01")]),
                call("H2", title="Hydrogen valleys", programme="Horizon Europe"),
                call("L1", title="Nature restoration", programme="LIFE"),
            ],
            source="portal",
            now=day(0),
        )
        opened.upsert(
            [
                call("H1", programme="Horizon Europe", deadlines=[deadline("2026-04-08")]),
                call("H2", title="Hydrogen valleys", programme="Horizon Europe"),
            ],
            source="portal",
            now=day(10),
        )
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from fundmatch.cli import main

    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_calls_lists_searches_and_filters(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = "--now=2026-03-12T00:00:00+00:00"

    code, out, _ = run_cli(capsys, "calls", "--db", str(db), now)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["open", "unknown"]
    assert "2026-04-08 17:00" in out

    _, out, _ = run_cli(capsys, "calls", "search", "hydrogen", "--db", str(db), now, "--json")
    assert [c["id"] for c in json.loads(out)] == ["H2"]

    _, out, _ = run_cli(
        capsys, "calls", "--withdrawn", "--programme", "life", "--db", str(db), "--json"
    )
    assert [c["id"] for c in json.loads(out)] == ["L1"]

    _, out, _ = run_cli(capsys, "calls", "--status", "open", "--db", str(db), now, "--json")
    assert [c["id"] for c in json.loads(out)] == ["H1"]


def test_cli_calls_show(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "calls", "show", "H1", "--db", str(db))
    assert code == 0
    assert out.startswith("H1: Open data for smart cities")
    assert "source portal: H1" in out

    _, out, _ = run_cli(capsys, "calls", "show", "L1", "--db", str(db), "--json")
    shown = json.loads(out)
    assert shown["call"]["id"] == "L1"
    assert shown["withdrawn_at"] is not None

    code, _, err = run_cli(capsys, "calls", "show", "NOPE", "--db", str(db))
    assert code == 1
    assert "no call 'NOPE'" in err


def test_cli_changes_since_a_span_or_a_date(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "changes", "--since", "7d", "--db", str(db), "--now", "2026-03-12T00:00:00Z"
    )
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[2:4] for line in lines] == [["changed", "H1"], ["withdrawn", "L1"]]
    assert "deadlines:" in lines[0] and "2026-04-08" in lines[0]

    _, out, _ = run_cli(capsys, "changes", "--since", "2026-03-01", "--db", str(db), "--json")
    assert [c["kind"] for c in json.loads(out)] == ["new", "new", "new", "changed", "withdrawn"]

    with pytest.raises(SystemExit) as usage:
        run_cli(capsys, "changes", "--since", "last tuesday", "--db", str(db))
    assert usage.value.code == 2


def test_cli_store_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"garbage" * 1000)

    code, _, err = run_cli(capsys, "calls", "--db", str(broken))

    assert code == 1
    assert err.count("\n") == 1 and "corrupt" in err


# --- property: the store agrees with plain set arithmetic --------------------------------

listings = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from("ABCDEF"), st.sampled_from(["x", "y"]), max_size=6),
        st.booleans(),  # complete?
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(listings)
def test_changes_follow_set_arithmetic(steps: list[tuple[dict[str, str], bool]]) -> None:
    content: dict[str, str] = {}
    withdrawn: set[str] = set()
    active: set[str] = set()
    with fm.Store(":memory:") as memory:
        for n, (listing, complete) in enumerate(steps):
            ids = set(listing)
            new = ids - set(content)
            changed = {i for i in ids & set(content) if content[i] != listing[i] or i in withdrawn}
            gone = active - ids if complete else set()

            got = memory.upsert(
                [call(i, title=t) for i, t in listing.items()],
                source="portal",
                now=day(n),
                complete=complete,
            )

            assert {c.call_id for c in got if c.kind == "new"} == new
            assert {c.call_id for c in got if c.kind == "changed"} == changed
            assert {c.call_id for c in got if c.kind == "withdrawn"} == gone
            content.update(listing)
            withdrawn = (withdrawn - ids) | gone
            active = (active | ids) - gone
            assert {c.id for c in memory.calls()} == active


def test_source_filter_keeps_what_the_source_lists_now(store: fm.Store) -> None:
    store.upsert([call("X-1"), call("X-2")], source="portal", now=day(0))
    store.upsert([call("guid-1", topic_id="X-1")], source="feed", now=day(0))
    store.upsert([], source="feed", now=day(1))

    assert store.calls(source="feed") == []
    assert [c.id for c in store.calls(source="feed", include_withdrawn=True)] == ["X-1"]
    assert [c.id for c in store.calls()] == ["X-1", "X-2"]  # the portal still lists it


@pytest.mark.postgresql
def test_a_newer_postgresql_schema_is_refused_in_one_line(postgres: PostgresServer) -> None:
    address = postgres.address()
    with fm.Store(address) as store:
        store.upsert([call("A")], source="portal", now=day(0))
        store.connection.execute("UPDATE fundmatch_schema SET version = version + 1")

    with pytest.raises(fm.StoreError, match="newer than this fundmatch knows") as caught:
        fm.Store(address)

    assert "\n" not in str(caught.value)
    name = address.rpartition("%3D")[2]
    assert schema_version(postgres, name) == len(store_module.MIGRATIONS) + 1  # left alone


def schema_version(postgres: PostgresServer, schema: str) -> int:
    import psycopg

    with psycopg.connect(postgres.url()) as conn:
        row = conn.execute(f"SELECT version FROM {schema}.fundmatch_schema").fetchone()  # type: ignore[call-overload]
    assert row is not None
    return int(row[0])


@pytest.mark.postgresql
def test_a_postgresql_schema_of_another_application_is_refused(postgres: PostgresServer) -> None:
    address = postgres.address()
    with fm.Store(address) as store:
        store.connection.execute("CREATE TABLE notes (x text)")
        store.connection.execute("DROP TABLE fundmatch_schema")

    with pytest.raises(fm.StoreError, match="not a fundmatch store"):
        fm.Store(address)


@pytest.mark.postgresql
def test_a_password_in_the_address_is_never_shown(postgres: PostgresServer) -> None:
    address = postgres.address().replace("postgres@", "postgres:s3cret-canary@")
    with fm.Store(address) as store:  # trust authentication: the password is not checked
        assert "s3cret" not in repr(store) and "s3cret" not in str(store.path)
        with pytest.raises(fm.StoreError) as caught, store.transaction() as conn:
            conn.execute("SELECT * FROM no_such_table")
    assert "s3cret" not in str(caught.value) and "postgres@" in str(caught.value)


def test_sqlite_addresses_and_the_backend_name(tmp_path: Path) -> None:
    with fm.Store(f"sqlite:///{tmp_path / 'a.sqlite'}") as store:
        assert store.backend == "sqlite" and store.path == tmp_path / "a.sqlite"
    with fm.Store("sqlite:///:memory:") as memory:
        assert memory.path == ":memory:"


def test_calls_are_listed_by_id_in_byte_order_on_every_backend(store: fm.Store) -> None:
    ids = ["b", "B", "a-1", "a1", "A2", "é", "z"]
    store.upsert(
        [call(i, title=f"Call {n}") for n, i in enumerate(ids)], source="portal", now=day(0)
    )

    assert [c.id for c in store.calls()] == sorted(ids)
