"""Fixtures every test file may use: the shared sample calls, an in-memory store holding them,
and a store address on each backend (an SQLite file; a fresh schema on a throw-away PostgreSQL
server, started once per test session).

Helpers that are not fixtures (a loopback SMTP server, the hostile-input harness, the
digest-kill campaign, the sample calls themselves) live in ``tests/support/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import fundmatch as fm
from support.postgres import PostgresServer, start
from support.samples import NOW, sample_calls

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
"""Parameters of :func:`store_address`: every store test runs on both."""


@pytest.fixture(autouse=True)
def own_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's default store is its own file: no test reads or writes the user's store.

    Every test ranks by words alone (``FUNDMATCH_MEANING=off``), so that small synthetic calls
    are not each read by the sentence model (half a second a call); the tests of the default,
    with meaning, take the switch off (:func:`meaning_on`)."""
    monkeypatch.setenv("FUNDMATCH_DB", str(tmp_path / "default-store.sqlite"))
    monkeypatch.setenv("FUNDMATCH_MEANING", "off")


@pytest.fixture
def meaning_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default of a user's machine: closeness of meaning counts (no ``FUNDMATCH_MEANING``)."""
    monkeypatch.delenv("FUNDMATCH_MEANING", raising=False)


@pytest.fixture
def samples() -> list[fm.Call]:
    """The shared sample calls (see ``tests/support/samples.py``)."""
    return sample_calls()


@pytest.fixture
def memory_store(samples: list[fm.Call]) -> Iterator[fm.Store]:
    """A throw-away in-memory store holding the sample calls, first seen at ``NOW``."""
    with fm.Store(":memory:") as store:
        store.upsert(samples, source="samples", now=NOW)
        yield store


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throw-away PostgreSQL server for the whole session (see ``tests/support/postgres.py``).

    Skipped, with the reason, when it cannot be started; a failure instead when
    ``FUNDMATCH_TEST_POSTGRES=require`` (as ``.ci/run`` sets it).
    """
    try:
        server = start()
    except RuntimeError as exc:
        if os.environ.get("FUNDMATCH_TEST_POSTGRES") == "require":
            pytest.fail(f"FUNDMATCH_TEST_POSTGRES=require, but no PostgreSQL server: {exc}")
        pytest.skip(f"no PostgreSQL server could be started: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def store_address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The address of a new, empty store: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "fundmatch.sqlite")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.address()
