"""The kill-at-each-step campaign: SIGKILL the real `fundmatch digest --send` at every step of a
run, run it normally, and check that every message arrives, and at most one duplicate (same
Message-ID) follows a kill between the server's acceptance and the record.

The counts are printed (``pytest -s``); ``benchmarks/bench_digest_faults.py`` runs the same."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow


def _campaign_module() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_digest_faults.py"
    spec = importlib.util.spec_from_file_location("bench_digest_faults", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_run_killed_at_any_step_then_run_again_delivers_everything_once() -> None:
    bench = _campaign_module()
    outcomes = bench.campaign()
    bench.report(outcomes)
    by_step = {o.step: o for o in outcomes}
    assert set(by_step) == {"baseline", *bench.STEPS}
    for outcome in outcomes:
        assert outcome.killed or outcome.step == "baseline", outcome
        assert outcome.delivered == outcome.expected, outcome
        assert outcome.announced_twice == 0, outcome
    # The one ambiguous window: accepted by the server, not yet recorded as sent.
    assert {o.step: o.duplicates for o in outcomes if o.duplicates} == {"after-accept": 1}
