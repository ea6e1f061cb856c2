"""The kill-at-each-step campaign of the digest run, shared by ``tests/test_digest_kill.py`` and
``benchmarks/bench_digest_faults.py``.

For each step of a digest run a fresh store and a real SMTP server on 127.0.0.1 are set up;
``fundmatch digest --send`` is killed (SIGKILL, through the ``FUNDMATCH_TEST_CRASH_AT`` test
hook) at that step, then run normally twice. The baseline is the same world with no kill.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fundmatch as fm
from support.smtp_server import SmtpServer

STEPS = (
    "after-update",
    "after-render",
    "after-queue",
    "after-sending",
    "after-accept",
    "after-sent",
)
DUPLICATE_WINDOW = {"after-accept"}
"""The one step where a duplicate is allowed: the server accepted, the record was not made."""

T1 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)

CONFIG = """
[[subscription]]
name = "open-data"
recipients = ["alice@example.org", "bob@example.org"]
min_score = 20
[subscription.profile]
name = "Marseille open data SME"
description = "SME publishing open data for smart cities"
keywords = ["open data", "smart city"]
region = "FRL04"
organisation_type = "sme"

[[subscription]]
name = "climate"
recipients = ["carol@example.org"]
min_score = 20
[subscription.profile]
name = "Greek municipality"
description = "Municipality seeking climate adaptation funding"
keywords = ["climate adaptation"]
country = "EL"
organisation_type = "public-authority"
"""


def _call(id: str, title: str, description: str) -> fm.Call:
    return fm.Call(
        id=id,
        title=title,
        description=description,
        programme="Interreg Euro-MED",
        url=f"https://interreg-euro-med.eu/calls/{id}",
        deadlines=(
            fm.Deadline.model_validate({"at": "2027-03-12T13:00", "timezone": "Europe/Brussels"}),
        ),
        countries=("FR", "IT", "EL"),
        instrument="grant",
    )


CALLS = [
    _call(
        "OD-1",
        "Open data platforms for smart Mediterranean cities",
        "Cities publish open data and build data spaces for mobility.",
    ),
    _call(
        "CL-1",
        "Climate adaptation of coastal municipalities",
        "Heat waves, flooding and climate resilience plans for municipalities.",
    ),
    _call("AG-1", "Dairy cattle genomics", "Livestock breeding research."),
]
EXPECTED = 3  # alice, bob, carol


@dataclass
class Outcome:
    step: str
    runs: int
    killed: bool
    expected: int
    delivered: int
    duplicates: int
    announced_twice: int

    @property
    def ok(self) -> bool:
        allowed = 1 if self.step in DUPLICATE_WINDOW else 0
        return (
            (self.killed or self.step == "baseline")
            and self.delivered == self.expected
            and self.duplicates <= allowed
            and self.announced_twice == 0
        )


def _world(folder: Path, extra: list[fm.Call], address: str | None) -> Path:
    """The step's folder, with its subscriptions and its store's address (an SQLite file in
    it unless ``address`` names another store)."""
    folder.mkdir(parents=True)
    address = address or str(folder / "store.sqlite")
    (folder / "store.address").write_text(address)
    with fm.Store(address) as store:
        store.upsert([*CALLS, *extra], source="euro-med", now=T1 - timedelta(hours=2))
    (folder / "digest.toml").write_text(CONFIG)
    return folder


def _digest(
    world: Path, server: SmtpServer, now: datetime, *, crash: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDMATCH_")}
    env.update(server.env(), FUNDMATCH_DB=(world / "store.address").read_text())
    args = ["--no-update"]
    if crash:
        env["FUNDMATCH_TEST_CRASH_AT"] = crash
        if crash == "after-update":
            args = ["--offline"]  # a real update (the bundled snapshot), then the kill
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "fundmatch",
            "digest",
            "--config",
            str(world / "digest.toml"),
            "--send",
            "--now",
            now.isoformat(),
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=world,
    )


_NEW_ID = re.compile(r"^   (\S+) \| .*score", re.MULTILINE)


def run_step(step: str, base: Path, extra: list[fm.Call], address: str | None = None) -> Outcome:
    """Kill at ``step`` (or not, for ``baseline``), then two normal runs; count."""
    world = _world(base / step, extra, address)
    with SmtpServer() as server:
        runs, killed = 0, False
        if step != "baseline":
            first = _digest(world, server, T1, crash=step)
            runs += 1
            killed = first.returncode == -9
        for hours in (1, 2):
            _digest(world, server, T1 + timedelta(hours=hours))
            runs += 1
        received = list(server.received)
    ids = Counter(str(m["Message-ID"]) for m in received)
    announced: Counter[tuple[str, str]] = Counter()
    seen: set[str] = set()
    for message in received:
        message_id = str(message["Message-ID"])
        if message_id in seen:
            continue  # a duplicate of one message is counted once, as a duplicate
        seen.add(message_id)
        part = message.get_body(preferencelist=("plain",))
        text = str(part.get_content()) if part is not None else ""
        for call_id in _NEW_ID.findall(text):
            announced[(str(message["To"]), call_id)] += 1
    return Outcome(
        step=step,
        runs=runs,
        killed=killed,
        expected=EXPECTED,
        # A re-sent message with a new Message-ID would count as one more delivered (and fail
        # delivered == expected); a duplicate here is the same Message-ID received again.
        delivered=len(ids),
        duplicates=sum(ids.values()) - len(ids),
        announced_twice=sum(1 for n in announced.values() if n > 1),
    )


def campaign(
    steps: tuple[str, ...] = STEPS,
    extra: list[fm.Call] | None = None,
    addresses: Callable[[], str] | None = None,
) -> list[Outcome]:
    """The baseline and one kill per step, two at a time; outcomes in step order. Each step
    has a new store: an SQLite file, or what ``addresses()`` gives (a PostgreSQL schema)."""
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(run_step, s, Path(tmp), extra or [], addresses() if addresses else None)
            for s in ("baseline", *steps)
        ]
        return [f.result() for f in futures]


def report(outcomes: list[Outcome]) -> None:
    print(
        f"{'kill at':<14} {'runs':>4} {'killed':>6} {'expected':>8} {'delivered':>9} "
        f"{'dupes':>5} {'twice-new':>9}  ok"
    )
    for o in outcomes:
        print(
            f"{o.step:<14} {o.runs:>4} {('yes' if o.killed else '-'):>6} {o.expected:>8} "
            f"{o.delivered:>9} {o.duplicates:>5} {o.announced_twice:>9}  {'ok' if o.ok else 'FAIL'}"
        )
    total = {
        "runs": sum(o.runs for o in outcomes),
        "expected": sum(o.expected for o in outcomes),
        "delivered": sum(o.delivered for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
    }
    base = outcomes[0]
    print(
        f"total: {total['runs']} runs, {total['expected']} messages expected, "
        f"{total['delivered']} delivered, {total['duplicates']} duplicate(s)"
    )
    print(
        f"ratio delivered/expected: {total['delivered'] / total['expected']:.2f} "
        f"(baseline {base.delivered / base.expected:.2f}); "
        f"duplicates per kill: {total['duplicates'] / max(1, len(outcomes) - 1):.2f}"
    )
