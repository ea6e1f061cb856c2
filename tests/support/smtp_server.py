"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose replies a test can set: refuse one
recipient, answer DATA with 451/554/421, drop the connection after DATA, refuse a login."""

from __future__ import annotations

import logging
import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd logs a deprecation line (Session.login_data) at every AUTH it handles itself.
logging.getLogger("mail.log").setLevel(logging.ERROR)

CERT = Path(__file__).resolve().parents[1] / "data" / "digest" / "loopback-cert.pem"
KEY = Path(__file__).resolve().parents[1] / "data" / "digest" / "loopback-key.pem"


def client_context() -> ssl.SSLContext:
    """A client context that trusts the loopback test certificate (and nothing else)."""
    return ssl.create_default_context(cafile=str(CERT))


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(CERT), str(KEY))
    return context


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Behaviour:
    refuse: dict[str, str] = field(default_factory=dict)
    """Recipient → reply to RCPT (e.g. ``550 5.1.1 no such user``)."""
    mail_reply: str | None = None
    """Reply to MAIL FROM instead of 250 (e.g. ``421 4.3.2 shutting down``)."""
    data_reply: str | None = None
    """Reply after the message data instead of 250 (``451``, ``554``)."""
    drop_after_data: int = 0
    """Keep this many messages, then close the connection without a reply."""
    password: str | None = None
    """When set, the only password a login is accepted with."""
    defer_every: int = 0
    """Answer every n-th message's DATA with ``451 4.3.0`` (a temporary failure), 0: never."""


class Recorder:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: int = 0
        self.sessions: int = 0
        self.data_count: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.behaviour.mail_reply:
            return self.behaviour.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.behaviour.refuse:
            return self.behaviour.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.behaviour.data_reply:
            return self.behaviour.data_reply
        self.data_count += 1
        if self.behaviour.defer_every and self.data_count % self.behaviour.defer_every == 0:
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.original_content, policy=SMTP)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.behaviour.drop_after_data > 0:
            self.behaviour.drop_after_data -= 1
            server.transport.close()
        return "250 2.0.0 queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.logins += 1
        ok = isinstance(auth_data, LoginPassword) and (
            self.behaviour.password is None
            or auth_data.password.decode() == self.behaviour.password
        )
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """``with SmtpServer() as server:`` a loopback server; ``server.received`` holds messages."""

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        *,
        security: Literal["ssl", "starttls", "none"] = "none",
    ) -> None:
        self.behaviour = behaviour or Behaviour()
        self.recorder = Recorder(self.behaviour)
        self.port = free_port()
        self.security = security
        tls: dict[str, Any] = {}
        if security == "starttls":
            tls = {"tls_context": _server_context(), "require_starttls": True}
        elif security == "ssl":
            tls = {"ssl_context": _server_context()}
        self.controller = Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.recorder.authenticate,
            auth_require_tls=security == "starttls",  # implicit TLS is not seen as TLS by it
            **tls,
        )

    @property
    def received(self) -> list[EmailMessage]:
        return self.recorder.received

    def env(self, **extra: str) -> dict[str, str]:
        """The FUNDMATCH_SMTP_* variables pointing at this server."""
        values = {
            "FUNDMATCH_SMTP_HOST": "127.0.0.1",
            "FUNDMATCH_SMTP_PORT": str(self.port),
            "FUNDMATCH_SMTP_SECURITY": self.security,
            "FUNDMATCH_MAIL_FROM": "digest@example.org",
        }
        values.update(extra)
        return values

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
