"""Fixtures every test file may use: the shared sample calls and an in-memory store holding them.

Helpers that are not fixtures (a loopback SMTP server, the hostile-input harness, the
digest-kill campaign, the sample calls themselves) live in ``tests/support/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import fundmatch as fm
from support.samples import NOW, sample_calls


@pytest.fixture(autouse=True)
def own_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's default store is its own file: no test reads or writes the user's store."""
    monkeypatch.setenv("FUNDMATCH_DB", str(tmp_path / "default-store.sqlite"))


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
