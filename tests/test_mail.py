"""Sending over SMTP to a real server on 127.0.0.1: every server answer becomes a Delivery."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.mail import write_eml
from support.smtp_server import Behaviour, SmtpServer, client_context, free_port

CANARY = "canary-Pa55word-7f3e9b"


def a_message(to: str = "alice@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "digest@example.org"
    message["To"] = to
    message["Subject"] = "1 new call: Horizon Europe"
    message["Message-ID"] = "<abc123.digest@example.org>"
    message.set_content("hello")
    return message


def mailer(server: SmtpServer, **env: str) -> fm.SmtpMailer:
    return fm.SmtpMailer(fm.SmtpSettings.from_env(server.env(**env)))


def test_an_accepted_message_arrives_as_sent() -> None:
    with SmtpServer() as server:
        delivery = mailer(server).send(a_message())
    assert delivery.status == "accepted" and delivery.code == 250
    (received,) = server.received
    assert received["Message-ID"] == "<abc123.digest@example.org>"
    assert server.recorder.envelopes == [("digest@example.org", ["alice@example.org"])]


def test_login_with_the_password_from_the_environment() -> None:
    with SmtpServer(Behaviour(password=CANARY)) as server:
        delivery = mailer(
            server, FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=CANARY
        ).send(a_message())
    assert delivery.status == "accepted"
    assert server.recorder.logins == 1


def test_a_refused_login_stops_the_run_and_never_shows_the_password() -> None:
    with SmtpServer(Behaviour(password="the-right-one")) as server:
        send = mailer(server, FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=CANARY)
        delivery = send.send(a_message())
    assert (delivery.status, delivery.code, delivery.stop) == ("deferred", 535, True)
    assert server.received == []
    for text in (delivery.model_dump_json(), repr(send), repr(send.settings), str(send.settings)):
        assert CANARY not in text


def test_a_server_that_is_down_defers_and_stops() -> None:
    settings = fm.SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=5)
    delivery = fm.SmtpMailer(settings).send(a_message())
    assert delivery.status == "deferred" and delivery.stop
    assert "cannot reach 127.0.0.1" in delivery.reply


@pytest.mark.parametrize(
    ("behaviour", "status", "code", "stop"),
    [
        (Behaviour(data_reply="451 4.3.0 try again later"), "deferred", 451, False),
        (Behaviour(data_reply="554 5.6.0 message refused"), "refused", 554, False),
        (Behaviour(mail_reply="421 4.3.2 shutting down"), "deferred", 421, True),
        (Behaviour(refuse={"alice@example.org": "550 5.1.1 no such user"}), "refused", 550, False),
    ],
    ids=["451", "554", "421", "550"],
)
def test_server_replies_become_deliveries(
    behaviour: Behaviour, status: str, code: int, stop: bool
) -> None:
    with SmtpServer(behaviour) as server:
        delivery = mailer(server).send(a_message())
    assert (delivery.status, delivery.code, delivery.stop) == (status, code, stop)
    assert str(code) in delivery.reply
    assert server.received == []


def test_one_refused_recipient_fails_alone() -> None:
    refuse = {"bob@example.org": "550 5.1.1 no such user"}
    with SmtpServer(Behaviour(refuse=refuse)) as server:
        send = mailer(server)
        outcomes = [
            send.send(a_message(to))
            for to in ("alice@example.org", "bob@example.org", "carol@example.org")
        ]
    assert [o.status for o in outcomes] == ["accepted", "refused", "accepted"]
    assert len(server.received) == 2


def test_a_connection_dropped_after_data_is_unknown() -> None:
    with SmtpServer(Behaviour(drop_after_data=1)) as server:
        delivery = mailer(server).send(a_message())
    assert delivery.status == "unknown"
    assert len(server.received) == 1  # the server did get it: that is why it is "unknown"


def test_settings_name_the_bad_variable_not_its_value() -> None:
    with pytest.raises(fm.MailError, match="FUNDMATCH_SMTP_HOST is not set"):
        fm.SmtpSettings.from_env({})
    with pytest.raises(fm.MailError, match="FUNDMATCH_SMTP_SECURITY") as caught:
        fm.SmtpSettings.from_env({"FUNDMATCH_SMTP_HOST": "h", "FUNDMATCH_SMTP_SECURITY": CANARY})
    assert CANARY not in str(caught.value)
    settings = fm.SmtpSettings.from_env(
        {"FUNDMATCH_SMTP_HOST": "h", "FUNDMATCH_SMTP_SECURITY": "ssl"}
    )
    assert settings.effective_port == 465


def test_the_file_mailer_writes_eml_files(tmp_path: Path) -> None:
    files = fm.FileMailer(tmp_path / "outbox")
    assert files.send(a_message()).status == "accepted"
    (path,) = files.written
    assert path.name == "abc123.digest_example.org.eml"
    assert b"Subject: 1 new call: Horizon Europe" in path.read_bytes()
    assert write_eml(tmp_path / "outbox", a_message()) == path


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_a_login(security: str) -> None:
    with SmtpServer(Behaviour(password=CANARY), security=security) as server:  # type: ignore[arg-type]
        settings = fm.SmtpSettings.from_env(
            server.env(FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=CANARY)
        )
        delivery = fm.SmtpMailer(settings, context=client_context()).send(a_message())
    assert delivery.status == "accepted", delivery
    assert server.recorder.logins == 1 and len(server.received) == 1


def test_an_untrusted_certificate_is_refused_before_the_password_is_sent() -> None:
    with SmtpServer(Behaviour(password=CANARY), security="starttls") as server:
        settings = fm.SmtpSettings.from_env(
            server.env(FUNDMATCH_SMTP_USER="digest", FUNDMATCH_SMTP_PASSWORD=CANARY)
        )
        delivery = fm.SmtpMailer(settings).send(a_message())  # system CAs only
    assert delivery.status == "deferred" and delivery.stop
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.reply
    assert server.recorder.logins == 0
