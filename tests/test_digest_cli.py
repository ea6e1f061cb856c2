"""`fundmatch digest` end to end: the real CLI in a subprocess, a real store, a real SMTP
server on 127.0.0.1. Sends once, never twice; tells about a moved deadline; keeps secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.digest import outbox_messages
from support.smtp_server import CERT, Behaviour, SmtpServer, free_port

pytestmark = pytest.mark.slow

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
CANARY = "canary-Pa55word-7f3e9b"

CONFIG = """
[digest]
list_unsubscribe = "mailto:unsubscribe@example.org"

[[subscription]]
name = "open-data"
recipients = ["alice@example.org"]
min_score = 20
reminders = [3]
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


def a_call(id: str, title: str, description: str, deadline: str = "2027-03-12T13:00") -> fm.Call:
    return fm.Call(
        id=id,
        title=title,
        description=description,
        programme="Interreg Euro-MED",
        url=f"https://interreg-euro-med.eu/calls/{id}",
        deadlines=(fm.Deadline.model_validate({"at": deadline, "timezone": "Europe/Brussels"}),),
        countries=("FR", "IT", "EL"),
        instrument="grant",
    )


OPEN_DATA = a_call(
    "OD-1",
    "Open data platforms for smart Mediterranean cities",
    "Cities publish open data and build data spaces for mobility.",
)
CLIMATE = a_call(
    "CL-1",
    "Climate adaptation of coastal municipalities",
    "Heat waves, flooding and climate resilience plans for municipalities.",
)
OTHER = a_call("AG-1", "Dairy cattle genomics", "Livestock breeding research.")
NEW_OPEN_DATA = a_call(
    "OD-2",
    "Open data spaces for smart city tourism",
    "Open data on visitor flows shared between smart cities of the Mediterranean.",
)


@pytest.fixture
def world(tmp_path: Path, store_address: str) -> Path:
    """A folder with the subscriptions and the store's address (on each backend)."""
    (tmp_path / "store.address").write_text(store_address)
    with fm.Store(store_address) as store:
        store.upsert([OPEN_DATA, CLIMATE, OTHER], source="euro-med", now=T0)
    (tmp_path / "digest.toml").write_text(CONFIG)
    return tmp_path


def db(world: Path) -> str:
    """The world's store: an SQLite file in it, or a PostgreSQL schema."""
    return (world / "store.address").read_text()


def fundmatch(
    world: Path, *args: str, now: datetime, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FUNDMATCH_")}
    clean.update({"FUNDMATCH_MEANING": "off", **env}, FUNDMATCH_DB=db(world))  # by words
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "fundmatch",
            "digest",
            "--config",
            str(world / "digest.toml"),
            "--no-update",
            "--now",
            now.isoformat(),
            *args,
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=world,
    )


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_sends_once_then_only_what_is_new_then_the_moved_deadline(world: Path) -> None:
    with SmtpServer() as server:
        first = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=server.env())
        assert first.returncode == 0, first.stderr
        assert sorted(str(m["To"]) for m in server.received) == [
            "alice@example.org",
            "carol@example.org",
        ]
        alice = next(m for m in server.received if m["To"] == "alice@example.org")
        # A first digest announces what is open now, once, in brief.
        assert alice["Subject"] == "First digest: 1 open call matches: Interreg Euro-MED"
        assert "OPEN NOW AND MATCHING (1, in brief" in text_of(alice)
        assert alice["List-Unsubscribe"] == "<mailto:unsubscribe@example.org>"
        assert "Open data platforms for smart Mediterranean cities" in text_of(alice)
        assert "Dairy" not in text_of(alice)

        # Immediately again, and the next morning: nothing new, nothing sent.
        again = fundmatch(world, "--send", now=T0 + timedelta(hours=1, minutes=5), env=server.env())
        next_day = fundmatch(world, "--send", now=T0 + timedelta(days=1), env=server.env())
        assert again.returncode == next_day.returncode == 0
        assert len(server.received) == 2
        # The summary tells "not due" from "nothing new".
        assert again.stdout.splitlines()[-1] == (
            "0 message(s) queued, 0 sent, 0 not sent; 2 digests not due yet"
        )
        assert next_day.stdout.splitlines()[-1] == (
            "0 message(s) queued, 0 sent, 0 not sent; 2 due with nothing new"
        )

        # A new matching call is ingested: exactly one message, and it is in it.
        with fm.Store(db(world)) as store:
            store.upsert([NEW_OPEN_DATA], source="euro-med-2", now=T0 + timedelta(days=1, hours=3))
        third = fundmatch(world, "--send", now=T0 + timedelta(days=2), env=server.env())
        assert third.returncode == 0, third.stderr
        assert len(server.received) == 3
        newest = server.received[-1]
        assert newest["To"] == "alice@example.org"
        assert "Open data spaces for smart city tourism" in text_of(newest)
        assert "Open data platforms" not in text_of(newest)

        # Its deadline moves: the next digest says so, from when to when.
        moved = NEW_OPEN_DATA.model_copy(
            update={
                "deadlines": (
                    fm.Deadline.model_validate(
                        {"at": "2027-03-19T13:00", "timezone": "Europe/Brussels"}
                    ),
                )
            }
        )
        with fm.Store(db(world)) as store:
            store.upsert([moved], source="euro-med-2", now=T0 + timedelta(days=2, hours=3))
        fourth = fundmatch(world, "--send", now=T0 + timedelta(days=3), env=server.env())
        assert fourth.returncode == 0, fourth.stderr
        assert len(server.received) == 4
        change = server.received[-1]
        assert change["Subject"] == "1 deadline moved: Interreg Euro-MED"
        assert "deadline moved from 12 March 13:00 to 19 March 2027 13:00 Brussels time" in text_of(
            change
        )
    # Every Message-ID is unique; the outbox says every message was sent.
    ids = [m["Message-ID"] for m in server.received]
    assert len(set(ids)) == len(ids)
    with fm.Store(db(world)) as store:
        assert [m.state for m in outbox_messages(store)] == ["sent"] * 4


def test_a_dry_run_writes_eml_files_and_records_nothing(world: Path) -> None:
    run = fundmatch(world, "--outbox", "out", now=T0 + timedelta(hours=1), env={})
    assert run.returncode == 0, run.stderr
    assert len(list((world / "out").glob("*.eml"))) == 2
    assert "nothing sent" in run.stdout
    with fm.Store(db(world)) as store:
        assert outbox_messages(store) == []


def test_one_refused_recipient_fails_alone_and_is_not_retried(world: Path) -> None:
    refuse = {"carol@example.org": "550 5.1.1 no such user"}
    with SmtpServer(Behaviour(refuse=refuse)) as server:
        run = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=server.env())
        assert run.returncode == 1
        assert [m["To"] for m in server.received] == ["alice@example.org"]
        assert "550 5.1.1 no such user" in run.stdout
        later = fundmatch(world, "--send", now=T0 + timedelta(days=1), env=server.env())
        assert later.returncode == 0
    with fm.Store(db(world)) as store:
        states = {m.recipient: (m.state, m.next_attempt_at) for m in outbox_messages(store)}
    assert states == {"alice@example.org": ("sent", None), "carol@example.org": ("failed", None)}


@pytest.mark.parametrize(
    "behaviour",
    [Behaviour(data_reply="451 4.3.0 try later"), Behaviour(mail_reply="421 4.3.2 closing")],
    ids=["451", "421"],
)
def test_a_temporary_failure_is_retried_on_a_later_run(world: Path, behaviour: Behaviour) -> None:
    behaviour = replace(behaviour)  # the test changes it: each backend's run gets its own
    with SmtpServer(behaviour) as server:
        run = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=server.env())
        assert run.returncode == 1 and server.received == []
        # 421 stops the run after one message; 451 tries each.
        stopped = behaviour.mail_reply is not None
        assert run.stdout.count("failed") == (1 if stopped else 2)
        behaviour.data_reply = behaviour.mail_reply = None
        # Too soon for the failed one; a message the stopped run never tried goes now.
        soon = fundmatch(world, "--send", now=T0 + timedelta(hours=1, minutes=5), env=server.env())
        assert soon.returncode == 0
        assert len(server.received) == (1 if stopped else 0)
        retry = fundmatch(world, "--send", now=T0 + timedelta(hours=2), env=server.env())
        assert retry.returncode == 0, retry.stdout
        assert len(server.received) == 2


def test_a_permanent_554_is_recorded_with_the_reply(world: Path) -> None:
    with SmtpServer(Behaviour(data_reply="554 5.6.0 content rejected")) as server:
        run = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=server.env())
    assert run.returncode == 1
    with fm.Store(db(world)) as store:
        replies = {m.last_reply for m in outbox_messages(store, state="failed")}
    assert replies == {"message refused: 554 5.6.0 content rejected"}


def test_a_server_that_is_down_loses_nothing(world: Path) -> None:
    down = {
        "FUNDMATCH_SMTP_HOST": "127.0.0.1",
        "FUNDMATCH_SMTP_PORT": str(free_port()),
        "FUNDMATCH_SMTP_SECURITY": "none",
        "FUNDMATCH_MAIL_FROM": "digest@example.org",
    }
    run = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=down)
    assert run.returncode == 1
    assert "stopped sending: cannot reach 127.0.0.1" in run.stderr
    with SmtpServer() as server:
        later = fundmatch(world, "--send", now=T0 + timedelta(hours=3), env=server.env())
        assert later.returncode == 0, later.stdout
        assert len(server.received) == 2


def test_a_connection_dropped_after_data_is_resent_once_with_the_same_message_id(
    world: Path,
) -> None:
    with SmtpServer(Behaviour(drop_after_data=1)) as server:
        run = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=server.env())
        assert run.returncode == 1
        assert "unknown" in run.stdout
        later = fundmatch(world, "--send", now=T0 + timedelta(hours=2), env=server.env())
        assert later.returncode == 0
    ids = [m["Message-ID"] for m in server.received]
    assert len(ids) == 3 and len(set(ids)) == 2  # one duplicate, recognisable by its Message-ID


def test_a_refused_login_stops_the_run_after_one_attempt(world: Path) -> None:
    with SmtpServer(Behaviour(password="the-right-one")) as server:
        env = server.env(FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=CANARY)
        run = fundmatch(world, "--send", now=T0 + timedelta(hours=1), env=env)
        assert run.returncode == 1
        assert server.recorder.logins == 1  # two messages due, one login tried
        assert "authentication refused" in run.stderr
        assert CANARY not in run.stdout + run.stderr


def test_the_smtp_password_appears_nowhere(world: Path) -> None:
    behaviour = Behaviour(password=CANARY, drop_after_data=1)
    with SmtpServer(behaviour, security="starttls") as server:
        env = server.env(FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=CANARY)
        env["SSL_CERT_FILE"] = str(CERT)  # trust the loopback test certificate
        runs = [
            fundmatch(world, "--send", "--json", now=T0 + timedelta(hours=h), env=env)
            for h in (1, 2)
        ]
        dry = fundmatch(world, "--outbox", "out", now=T0 + timedelta(days=2), env=env)
        bad = fundmatch(
            world,
            "--send",
            now=T0 + timedelta(days=3),
            env={**env, "FUNDMATCH_SMTP_PORT": "not-a-port"},
        )
    assert server.recorder.logins >= 2 and len(server.received) == 3
    outputs = "".join(r.stdout + r.stderr for r in [*runs, dry, bad])
    assert "FUNDMATCH_SMTP_PORT" in outputs
    haystacks = {
        "stdout/stderr": outputs.encode(),
        "messages": b"".join(m.as_bytes() for m in server.received),
    }
    for path in world.rglob("*"):
        if path.is_file():
            haystacks[str(path.relative_to(world))] = path.read_bytes()
    found = {name: data.count(CANARY.encode()) for name, data in haystacks.items()}
    assert set(found.values()) == {0}, found
    if db(world).endswith(".sqlite"):
        assert any(name.startswith("fundmatch.sqlite") for name in found)


def test_the_example_subscriptions_send_after_an_offline_update(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "calls" / "digest.example.toml"
    with SmtpServer() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDMATCH_")}
        env.update(server.env(), FUNDMATCH_DB=str(tmp_path / "store.sqlite"))
        now = "2026-09-01T07:00:00+00:00"
        for args in (
            ["update", "--offline", "--now", now],
            ["digest", "--config", str(example), "--send", "--no-update", "--now", now],
        ):
            run = subprocess.run(
                [sys.executable, "-m", "fundmatch", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                cwd=tmp_path,
            )
            assert run.returncode == 0, run.stderr
    assert len(server.received) >= 1
    assert all(str(m["To"]).endswith("@example.org") for m in server.received)
