"""Text from feeds made fit for a message: no control or invisible characters, one-line
headers, plain http(s) links only, plain e-mail addresses (pure)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["address", "header_text", "safe_text", "safe_url"]

# Bidi embeddings, overrides and isolates, marks, zero-width characters and the BOM: a feed
# title must not reorder or hide the text around it.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]")


def safe_text(value: object, *, limit: int | None = None) -> str:
    """``value`` as text fit for a message body: control and format characters (NUL, bidi
    controls, zero-width and tag characters) removed, line breaks kept, at most ``limit``
    characters."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def header_text(value: object, *, limit: int = 180) -> str:
    """``value`` as one line fit for a mail header: :func:`safe_text` with every line break and
    run of white space turned into one space."""
    return safe_text(" ".join(safe_text(value).split()), limit=limit)


def safe_url(value: str | None) -> str | None:
    """``value`` if it is a plain http(s) link, else None (no ``javascript:``, no spaces)."""
    if not value:
        return None
    scheme = value.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or not value[len(scheme) :].startswith("://"):
        return None
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        return None
    if any(ch in value for ch in "<>\"'`"):
        return None
    return value


def address(value: str) -> str:
    value = value.strip()
    if not value.isascii() or any(ch.isspace() or ch in '<>,;"()\\' for ch in value):
        raise ValueError(f"{value!r} is not a plain e-mail address")
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or ".." in domain:
        raise ValueError(f"{value!r} is not an e-mail address")
    return local + "@" + domain.lower()
