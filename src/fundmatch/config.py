"""Reading TOML files into models, with errors that name the file, the field and the line.

Used for profiles here, and by the source registry and the digest subscriptions.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fundmatch.errors import ConfigError
from fundmatch.models import Profile

__all__ = ["find_line", "load_profile", "load_toml", "validate"]

M = TypeVar("M", bound=BaseModel)


def load_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a TOML file; return the parsed document and its text.

    Raises ConfigError (with the line) for a missing, unreadable or malformed file.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("file not found", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", path=path) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        message = str(exc)
        if line is None:
            found = re.search(r"line (\d+)", message)
            if found:
                line = int(found.group(1))
            elif "end of document" in message:
                line = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise ConfigError(f"not valid TOML: {message}", path=path, line=line) from exc


def find_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Best-effort line number of the key at ``loc`` (a pydantic error location) in ``text``.

    Looks for the innermost string key, after the header of its enclosing table when there
    is one; returns None when the key is not written in the file (e.g. a missing field).
    """
    keys = [k for k in loc if isinstance(k, str)]
    if not keys:
        return None
    lines = text.splitlines()
    start = 0
    for table in keys[:-1]:
        header = re.compile(rf"^\s*\[\[?\s*([\w.\-\"]+\.)?\"?{re.escape(table)}\"?\s*\]\]?")
        for number, line in enumerate(lines[start:], start):
            if header.match(line):
                start = number
                break
    key = re.compile(rf"^\s*\"?{re.escape(keys[-1])}\"?\s*=")
    for number, line in enumerate(lines[start:], start):
        if key.match(line):
            return number + 1
    return None


def validate(model: type[M], data: Any, *, path: str | Path, text: str = "") -> M:
    """Validate ``data`` as ``model``; turn the first error into a ConfigError with its line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc) or None
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "required field is missing"
        if len(exc.errors()) > 1:
            message += f" (and {len(exc.errors()) - 1} more error(s))"
        raise ConfigError(message, path=path, field=field, line=find_line(text, loc)) from exc


def load_profile(path: str | Path) -> Profile:
    """Load a :class:`Profile` from a TOML file.

    The file holds the profile's fields at the top level, or under a ``[profile]`` table.
    Raises ConfigError naming the file, the field and the line of the first problem.
    """
    data, text = load_toml(path)
    if set(data) == {"profile"} and isinstance(data["profile"], dict):
        data = data["profile"]
    return validate(Profile, data, path=path, text=text)
