"""JSON documents as sources send them: cut short, with ``NaN`` and absurd numbers.

Pure. :func:`loads` reads a JSON text that may stop anywhere (the Portal's search API cuts
its metadata strings, ``budgetOverview`` among them, at a fixed length): every object and list
closed before the cut is returned whole, the ones the cut falls inside come back as
:class:`Partial` / :class:`PartialList` holding only their whole members, and the value the
cut falls inside (a string, a number, a key without its value) is dropped, never guessed
from its fragment. ``NaN``, ``Infinity`` and numbers no source could mean (more digits than
any amount, or beyond the float range) become None with a warning.
"""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from fundmatch.errors import ParseError

__all__ = ["MAX_DIGITS", "Loaded", "Partial", "PartialList", "is_whole", "loads", "number", "short"]

MAX_DIGITS = 20
"""A number with more significant digits than this is taken as nonsense (unknown)."""
_MAX_MAGNITUDE = Decimal("1e18")
"""Larger (absolute) values than this are nonsense for any count or amount a call states."""


class Partial(dict[str, Any]):
    """An object the text was cut inside: only its members read whole are here."""


class PartialList(list[Any]):
    """A list the text was cut inside: only its items read whole are here."""


def is_whole(value: Any) -> bool:
    """False for an object or list the cut fell inside."""
    return not isinstance(value, Partial | PartialList)


@dataclass
class Loaded:
    """A tolerant parse: the value, whether the text was cut short, and what was left unknown."""

    value: Any
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_CONSTANTS = {"true": True, "false": False, "null": None}
_NON_FINITE = ("NaN", "Infinity", "-Infinity")


_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class _Cut(Exception):
    """The text ended inside a value."""


def number(text: str, warnings: list[str], where: str = "") -> int | Decimal | None:
    """A JSON number as int or Decimal; None (with a warning) when absurd or not finite."""
    place = f" at {where}" if where else ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        warnings.append(f"{text[:40]!r}{place} is not a number; left unknown")
        return None
    if not value.is_finite():
        warnings.append(f"{text[:40]}{place} is not a finite number; left unknown")
        return None
    digits = len(value.as_tuple().digits)
    if digits > MAX_DIGITS or abs(value) > _MAX_MAGNITUDE:
        warnings.append(f"{text[:40]}{place} is an absurd number; left unknown")
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return value


def loads(text: str | bytes, *, source: str | None = None, tolerant: bool = True) -> Loaded:
    """Parse ``text``; with ``tolerant`` a text cut short is read as the module docstring says.

    Numbers come back as int or Decimal; ``NaN``, ``Infinity`` and absurd numbers as None (with
    a warning). Raw control characters inside strings are accepted (the Portal sends raw
    newlines). Raises ParseError when the text is not JSON (without ``tolerant``: also when it
    is cut short).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"not UTF-8: {exc}", source=source) from exc
    text = text.lstrip("\ufeff")
    warnings: list[str] = []

    def constant(name: str) -> None:
        warnings.append(f"{name} is not a finite number; left unknown")

    def integer(digits: str) -> int | Decimal | None:
        return number(digits, warnings)

    def decimal(digits: str) -> int | Decimal | None:
        return number(digits, warnings)

    try:
        value = json.loads(
            text, strict=False, parse_constant=constant, parse_int=integer, parse_float=decimal
        )
        return Loaded(value=value, warnings=warnings)
    except RecursionError as exc:
        if not tolerant:
            raise ParseError("not JSON: nested too deeply", source=source) from exc
    except ValueError as exc:
        if not tolerant:
            raise ParseError(f"not JSON: {short(exc)}", source=source) from exc
    reader = _Reader(text)
    try:
        value = reader.read()
    except _Cut:
        raise ParseError("not JSON: the text ends before any value", source=source) from None
    except ValueError as exc:
        raise ParseError(f"not JSON: {exc}", source=source) from exc
    return Loaded(value=value, truncated=reader.truncated, warnings=reader.warnings)


def short(exc: BaseException) -> str:
    """The first line of an error's message, at most 200 characters (``display.shorten`` would
    join every line of a pydantic error into the note instead)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


class _Reader:
    """An iterative (stack-based: no recursion limit) JSON reader that survives a cut."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.truncated = False
        self.warnings: list[str] = []

    def _skip(self) -> None:
        found = _WHITESPACE.match(self.text, self.pos)
        assert found is not None
        self.pos = found.end()

    def _at_end(self) -> bool:
        self._skip()
        return self.pos >= len(self.text)

    def _error(self, what: str) -> ValueError:
        return ValueError(f"{what} at character {self.pos}")

    def _string(self) -> str:
        try:
            value, end = _scanstring(self.text, self.pos + 1, False)
        except json.JSONDecodeError as exc:
            if "Unterminated string" in exc.msg or exc.pos >= len(self.text) - 6:
                raise _Cut from None
            raise self._error(exc.msg) from None
        self.pos = end
        return value

    def _scalar(self, inside: bool) -> Any:
        """A string, number or constant; _Cut when the text ends inside it."""
        text, pos = self.text, self.pos
        char = text[pos]
        if char == '"':
            return self._string()
        for word in (*_CONSTANTS, *_NON_FINITE):
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                if word in _CONSTANTS:
                    return _CONSTANTS[word]
                return number(word, self.warnings, f"character {pos}")
            if word.startswith(text[pos:]):
                raise _Cut
        found = _NUMBER.match(text, pos)
        if found is None:
            raise self._error("unexpected character")
        self.pos = found.end()
        if self.pos >= len(text) and inside:
            raise _Cut  # "1000" cut from "1000000": a number at the very end is not whole
        return number(found.group(), self.warnings, f"character {pos}")

    def read(self) -> Any:
        # Each frame: [container, pending key]. Values are attached as they complete.
        stack: list[list[Any]] = []
        result: Any = None
        done = False
        while not done:
            if self._at_end():
                if not stack:
                    raise _Cut
                self.truncated = True
                return self._unwind(stack)
            char = self.text[self.pos]
            if char in "{[":
                self.pos += 1
                stack.append([Partial() if char == "{" else PartialList(), None])
                if self._close_empty(stack):
                    value = self._finish(stack.pop()[0])
                    done, result = self._attach(stack, value)
                    if not done and self._after_value(stack):
                        done, result = True, self._unwind(stack)
                else:
                    if not self._key(stack):
                        done, result = True, self._unwind(stack)
                continue
            try:
                value = self._scalar(bool(stack))
            except _Cut:
                if not stack:
                    raise
                self.truncated = True
                return self._unwind(stack)
            done, result = self._attach(stack, value)
            if not done and self._after_value(stack):
                done, result = True, self._unwind(stack)
        if not self.truncated and not self._at_end():
            raise self._error("extra data after the value")
        return result

    def _close_empty(self, stack: list[list[Any]]) -> bool:
        if self._at_end():
            return False
        closing = "}" if isinstance(stack[-1][0], dict) else "]"
        if self.text[self.pos] == closing:
            self.pos += 1
            return True
        return False

    def _key(self, stack: list[list[Any]]) -> bool:
        """Read ``"key":`` when the top container is an object; False when the text ends."""
        frame = stack[-1]
        if not isinstance(frame[0], dict):
            return True
        if self._at_end():
            self.truncated = True
            return False
        if self.text[self.pos] != '"':
            raise self._error("expected a key")
        try:
            key = self._string()
        except _Cut:
            self.truncated = True
            return False
        if self._at_end():
            self.truncated = True
            return False
        if self.text[self.pos] != ":":
            raise self._error("expected ':'")
        self.pos += 1
        frame[1] = key
        return True

    @staticmethod
    def _finish(container: Any) -> Any:
        return dict(container) if isinstance(container, Partial) else list(container)

    @staticmethod
    def _attach(stack: list[list[Any]], value: Any) -> tuple[bool, Any]:
        if not stack:
            return True, value
        container, key = stack[-1]
        if isinstance(container, dict):
            container[key] = value
            stack[-1][1] = None
        else:
            container.append(value)
        return False, None

    def _after_value(self, stack: list[list[Any]]) -> bool:
        """After a member: ``,`` (then a key), or closing brackets. True when the text ends."""
        while True:
            if self._at_end():
                self.truncated = True
                return True
            char = self.text[self.pos]
            container = stack[-1][0]
            closing = "}" if isinstance(container, dict) else "]"
            if char == ",":
                self.pos += 1
                return not self._key(stack)
            if char != closing:
                raise self._error(f"expected ',' or '{closing}'")
            self.pos += 1
            value = self._finish(stack.pop()[0])
            if not stack:
                stack.append([value, None])  # the whole document: hand it back through unwind
                return True
            self._attach(stack, value)

    def _unwind(self, stack: list[list[Any]]) -> Any:
        """The cut: every open container keeps its whole members and is attached, partial."""
        if len(stack) == 1 and not isinstance(stack[0][0], Partial | PartialList):
            return stack[0][0]  # the document closed normally
        value: Any = None
        while stack:
            value = stack.pop()[0]
            if stack:
                parent, key = stack[-1]
                if isinstance(parent, dict):
                    parent[key] = value
                else:
                    parent.append(value)
        return value
