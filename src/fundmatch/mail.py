"""Sending digest messages: the ``Mailer`` seam, SMTP with smtplib, and ``.eml`` files.

A send never raises for what the server says: it returns a :class:`Delivery` (accepted,
refused, deferred or unknown). smtplib's exceptions are translated here and nowhere else.
Credentials come from the environment only and are held as a ``SecretStr``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses
from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field, SecretStr, ValidationError

from fundmatch.errors import MailError
from fundmatch.models import FundmatchModel

__all__ = [
    "Delivery",
    "FileMailer",
    "Mailer",
    "SmtpMailer",
    "SmtpSettings",
    "eml_name",
    "write_eml",
]

log = logging.getLogger(__name__)

Security = Literal["ssl", "starttls", "none"]


class Delivery(FundmatchModel):
    """What became of one message."""

    status: Literal["accepted", "refused", "deferred", "unknown"]
    """``accepted`` by the server; ``refused`` for good (5xx); ``deferred`` (try again later:
    4xx, server down, authentication refused); ``unknown`` (the connection dropped after the
    message data was sent: it may or may not have been accepted)."""
    code: int | None = None
    """The server's reply code, when there was one."""
    reply: str = ""
    """The server's reply or what went wrong, in a line."""
    stop: bool = False
    """The server cannot take anything now (down, 421, authentication refused): send nothing
    more to it in this run."""


class Mailer(Protocol):
    """Anything that can deliver a message: SMTP, a folder of ``.eml`` files, a test double."""

    def send(self, message: EmailMessage) -> Delivery:
        """Deliver ``message`` to the addresses in its ``To`` header."""
        ...


class SmtpSettings(FundmatchModel):
    """Where and how to reach the SMTP server. Read from the environment by the CLI."""

    host: str = Field(min_length=1)
    """``FUNDMATCH_SMTP_HOST``."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """``FUNDMATCH_SMTP_PORT``; default 465 for ssl, 587 for starttls, 25 for none."""
    user: str | None = None
    """``FUNDMATCH_SMTP_USER``; no login when unset."""
    password: SecretStr | None = None
    """``FUNDMATCH_SMTP_PASSWORD``; never printed, logged or stored."""
    security: Security = "starttls"
    """``FUNDMATCH_SMTP_SECURITY``: ``ssl``, ``starttls`` or ``none`` (a local relay)."""
    timeout: float = Field(default=30, gt=0)
    """Seconds to wait for the server at each step."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings:
        """Settings from ``FUNDMATCH_SMTP_*``; MailError names the variable that is wrong."""
        names = {
            "host": "FUNDMATCH_SMTP_HOST",
            "port": "FUNDMATCH_SMTP_PORT",
            "user": "FUNDMATCH_SMTP_USER",
            "password": "FUNDMATCH_SMTP_PASSWORD",
            "security": "FUNDMATCH_SMTP_SECURITY",
        }
        values = {field: environ[name] for field, name in names.items() if environ.get(name)}
        if "host" not in values:
            raise MailError("FUNDMATCH_SMTP_HOST is not set: cannot send (leave out --send)")
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            field = str(error["loc"][0]) if error["loc"] else "?"
            # The message names the variable, never the value (it may be the password).
            raise MailError(f"{names.get(field, field)}: {error['msg']}") from None

    @property
    def effective_port(self) -> int:
        """The port to connect to."""
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]


def _recipients(message: EmailMessage) -> list[str]:
    return [addr for _, addr in getaddresses(message.get_all("To", [])) if addr]


def _sender(message: EmailMessage) -> str:
    found = [addr for _, addr in getaddresses(message.get_all("From", [])) if addr]
    return found[0] if found else ""


def _reply(code: int | None, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    line = " ".join(body.split())[:300]
    return f"{code} {line}" if code else line


def _temporary(code: int) -> bool:
    return 400 <= code < 500


class SmtpMailer:
    """Sends each message over its own SMTP session (SSL, STARTTLS or plain)."""

    def __init__(self, settings: SmtpSettings, *, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.context = context or ssl.create_default_context()

    def __repr__(self) -> str:
        s = self.settings
        return f"SmtpMailer({s.host}:{s.effective_port}, security={s.security}, user={s.user})"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(
                s.host, s.effective_port, timeout=s.timeout, context=self.context
            )
        client = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout)
        if s.security == "starttls":
            client.ehlo()
            client.starttls(context=self.context)
        return client

    def send(self, message: EmailMessage) -> Delivery:
        """Deliver ``message``; what the server said comes back as a :class:`Delivery`."""
        recipients, sender = _recipients(message), _sender(message)
        data = message.as_bytes(policy=SMTP)
        phase = "connect"
        client: smtplib.SMTP | None = None
        try:
            client = self._connect()
            phase = "hello"
            client.ehlo_or_helo_if_needed()
            if self.settings.user:
                phase = "login"
                self._login(client)
            phase = "envelope"
            code, text = client.mail(sender)
            if code != 250:
                client.rset()
                return self._failed(code, text, "sender refused")
            refused: dict[str, tuple[int, bytes]] = {}
            for rcpt in recipients:
                code, text = client.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, text)
            if len(refused) == len(recipients):
                client.rset()
                code, text = next(iter(refused.values()), (554, b"no recipients"))
                return self._failed(code, text, "recipient refused")
            phase = "data"
            code, text = client.data(data)
            if code != 250:
                return self._failed(code, text, "message refused")
            if refused:
                # With one recipient per digest this does not happen; say so if it ever does.
                log.warning("accepted for some recipients only; refused: %s", sorted(refused))
            return Delivery(status="accepted", code=code, reply=_reply(code, text))
        except smtplib.SMTPAuthenticationError as exc:
            return Delivery(
                status="deferred",
                code=exc.smtp_code,
                reply=_reply(exc.smtp_code, exc.smtp_error) + " (authentication refused)",
                stop=True,
            )
        except smtplib.SMTPServerDisconnected as exc:
            if phase == "data":
                return Delivery(status="unknown", reply=f"connection dropped after DATA: {exc}")
            return Delivery(
                status="deferred", reply=f"connection dropped ({phase}): {exc}", stop=True
            )
        except smtplib.SMTPResponseException as exc:
            # 421 anywhere, or a refusal of EHLO/STARTTLS/AUTH: the server, not this message.
            code = exc.smtp_code
            status: Literal["refused", "deferred"] = (
                "deferred"
                if _temporary(code) or phase in ("connect", "hello", "login")
                else "refused"
            )
            stop = code == 421 or phase in ("connect", "hello", "login")
            return Delivery(status=status, code=code, reply=_reply(code, exc.smtp_error), stop=stop)
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            if phase == "data":
                return Delivery(status="unknown", reply=f"connection lost after DATA: {exc}")
            return Delivery(
                status="deferred",
                reply=f"cannot reach {self.settings.host}:{self.settings.effective_port} "
                f"({phase}): {exc.__class__.__name__}: {exc}",
                stop=True,
            )
        finally:
            if client is not None:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()

    def _login(self, client: smtplib.SMTP) -> None:
        user = self.settings.user or ""
        secret = self.settings.password
        password = secret.get_secret_value() if secret else ""
        mechanisms = client.esmtp_features.get("auth", "").upper().split()
        if "PLAIN" in mechanisms:
            # One attempt with one mechanism: smtplib's login() would try the next mechanism
            # after a refusal, and a server that refuses us should be asked once, not twice.
            client.user, client.password = user, password
            client.auth("PLAIN", client.auth_plain)
        else:
            client.login(user, password)

    @staticmethod
    def _failed(code: int, text: bytes, what: str) -> Delivery:
        status: Literal["refused", "deferred"] = "deferred" if _temporary(code) else "refused"
        return Delivery(
            status=status, code=code, reply=f"{what}: {_reply(code, text)}", stop=code == 421
        )


def eml_name(message: EmailMessage) -> str:
    """File name for a message: its Message-ID reduced to safe characters, ``.eml``."""
    raw = str(message.get("Message-ID", "message")).strip("<>")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in raw)
    return f"{safe[:120] or 'message'}.eml"


def write_eml(folder: str | Path, message: EmailMessage) -> Path:
    """Write ``message`` into ``folder`` as an ``.eml`` file (atomically); return its path."""
    folder = Path(folder)
    target = folder / eml_name(message)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes(policy=SMTP))
        partial.replace(target)
    except OSError as exc:
        raise MailError(f"cannot write {target}: {exc}") from exc
    return target


class FileMailer:
    """A dry-run mailer: each message becomes an ``.eml`` file in ``folder``; nothing is sent."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.written: list[Path] = []

    def send(self, message: EmailMessage) -> Delivery:
        """Write the message; always accepted."""
        path = write_eml(self.folder, message)
        self.written.append(path)
        return Delivery(status="accepted", reply=f"written to {path}")
