"""Secrets stay secret: credentials from the environment are SecretStr, and canary values planted
in the SMTP password, a URL's userinfo and an API key never reach a log, an error, the store or
an e-mail. (The whole fault campaign with canaries is ``benchmarks/reliability/run.py``.)"""

from __future__ import annotations

import ast
import functools
import logging
import socket
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

import fundmatch as fm
from fundmatch.mail import SmtpMailer, SmtpSettings
from fundmatch.netguard import Guard, redact_url
from fundmatch.sources import http
from support.smtp_server import Behaviour, SmtpServer

PASSWORD = "CANARY-PASSWORD-5b1e"
USERINFO = "CANARY-USERINFO-77c0"
API_KEY = "CANARY-APIKEY-0d9f"
CANARIES = (PASSWORD, USERINFO, API_KEY)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
SRC = Path(__file__).resolve().parents[1] / "src" / "fundmatch"

# Environment variables fundmatch reads that are not credentials.
NOT_SECRET = {
    "NO_COLOR",
    "FUNDMATCH_DB",
    "FUNDMATCH_REGISTRY",
    "FUNDMATCH_MAIL_FROM",
    "CRASH_HOOK",
    "MEANING_SWITCH",  # FUNDMATCH_MEANING
}


def _leaks(*texts: str) -> list[str]:
    return [canary for canary in CANARIES for text in texts if canary in text]


def test_the_smtp_password_is_a_secret_type() -> None:
    for name, info in SmtpSettings.model_fields.items():
        if any(word in name for word in ("password", "secret", "token", "key")):
            assert "SecretStr" in str(info.annotation), name


def test_environment_reads_are_only_of_known_non_secret_variables() -> None:
    """A new credential must come through a settings model with SecretStr, not os.environ."""
    read: set[str] = set()
    for path in SRC.rglob("*.py"):
        if path.name == "mail.py":
            continue  # SmtpSettings.from_env: the settings model, password as SecretStr
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "getenv")
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.Name)
                and "environ" in ast.unparse(node.func.value) + ast.unparse(node.func)
            ):
                read.add(ast.unparse(node.args[0]).strip("'\""))
    assert read <= NOT_SECRET, read - NOT_SECRET


def test_settings_never_show_the_password() -> None:
    settings = SmtpSettings.from_env(
        {"FUNDMATCH_SMTP_HOST": "mail.example.org", "FUNDMATCH_SMTP_PASSWORD": PASSWORD}
    )
    assert isinstance(settings.password, SecretStr)
    mailer = SmtpMailer(settings)
    assert _leaks(repr(settings), str(settings), settings.model_dump_json(), repr(mailer)) == []


def test_a_bad_variable_is_named_without_its_value() -> None:
    with pytest.raises(fm.MailError) as caught:
        SmtpSettings.from_env(
            {
                "FUNDMATCH_SMTP_HOST": "mail.example.org",
                "FUNDMATCH_SMTP_PASSWORD": PASSWORD,
                "FUNDMATCH_SMTP_PORT": PASSWORD,
            }
        )
    assert "FUNDMATCH_SMTP_PORT" in str(caught.value) and _leaks(str(caught.value)) == []


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "digest@example.org"
    message["To"] = "alice@example.org"
    message["Subject"] = "digest"
    message.set_content("hello")
    return message


def test_a_refused_login_reports_without_the_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpServer(Behaviour(password="the-right-one")) as server:
        env = server.env(FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=PASSWORD)
        delivery = SmtpMailer(SmtpSettings.from_env(env)).send(_message())
    assert delivery.status == "deferred"
    assert _leaks(delivery.reply, caplog.text) == []


def test_a_sent_message_carries_no_credential() -> None:
    with SmtpServer(Behaviour(password=PASSWORD)) as server:
        env = server.env(FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=PASSWORD)
        delivery = SmtpMailer(SmtpSettings.from_env(env)).send(_message())
        (received,) = server.received
    assert delivery.status == "accepted"
    assert _leaks(received.as_string()) == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_failing_source_leaves_no_credential_in_logs_errors_or_the_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"http://user:{USERINFO}@127.0.0.1:{_closed_port()}/feed?apiKey={API_KEY}&page=1"
    source = fm.Source(name="private-feed", kind="feed", url=url)
    fetch = functools.partial(
        http.fetch,
        guard=Guard.off(),
        limits=http.Limits(connect_timeout=1, retries=2, backoff=0),
        sleep=lambda _: None,
    )
    with fm.Store(tmp_path / "s.sqlite") as store:
        (result,) = fm.update(store, [source], now=NOW, fetch=fetch)
        state = store.source_state("private-feed")
    assert result.error and state is not None and state.last_error
    assert "retry" in caplog.text  # the retries were logged, through redact_url
    assert _leaks(caplog.text, result.error, state.last_error) == []
    database = b"".join(p.read_bytes() for p in tmp_path.glob("s.sqlite*"))
    assert all(canary.encode() not in database for canary in CANARIES)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@host.example/x", "https://***@host.example/x"),
        ("https://host.example/x?api_key=1&q=2", "https://host.example/x?api_key=***&q=2"),
        (
            "https://host.example/x?token=1&Signature=2",
            "https://host.example/x?token=***&Signature=***",
        ),
        ("https://host.example/\x1b[2Jx", "https://host.example/\\x1b[2Jx"),
    ],
)
def test_urls_are_logged_redacted_and_escaped(url: str, shown: str) -> None:
    assert redact_url(url) == shown
