"""Reading TOML files into models, with errors that name the file, the field and the line.

Used for profiles here, and by the source registry and the digest subscriptions.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

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

    Follows the tables of ``loc`` (the n-th ``[[subscription]]`` for ``subscription, n``) and
    looks for the innermost string key after them; returns None when the key is not written
    in the file (e.g. a missing field).
    """
    keys = [k for k in loc if isinstance(k, str)]
    if not keys:
        return None
    lines = text.splitlines()
    start = 0
    last = max(i for i, part in enumerate(loc) if isinstance(part, str))
    for position, part in enumerate(loc):
        if not isinstance(part, str) or position == last:
            continue
        index = loc[position + 1] if position + 1 < len(loc) else None
        wanted = index if isinstance(index, int) else 0
        header = re.compile(rf"^\s*\[\[?\s*([\w.\-\"]+\.)?\"?{re.escape(part)}\"?\s*\]\]?")
        seen = 0
        for number, line in enumerate(lines[start:], start):
            if header.match(line):
                if seen == wanted:
                    start = number
                    break
                seen += 1
    key = re.compile(rf"^\s*\"?{re.escape(keys[-1])}\"?\s*=")
    for number, line in enumerate(lines[start:], start):
        if key.match(line):
            return number + 1
    return None


# --- errors in words --------------------------------------------------------------------

_SCALARS: dict[Any, tuple[str, str]] = {
    str: ("a string", "strings"),
    int: ("a whole number", "whole numbers"),
    float: ("a number", "numbers"),
    Decimal: ("a number", "numbers"),
    bool: ("true or false", "true/false values"),
    datetime: ("a date and time with its offset (2026-03-12T13:00:00+01:00)", "dates and times"),
    date: ("a date (2026-03-12)", "dates"),
}


def _unwrap(annotation: Any) -> Any:
    """The type under ``Annotated[...]`` and ``X | None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if get_origin(annotation) in (Union, UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _annotation_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> Any:
    """The type expected at ``loc`` inside ``model``, or None when it cannot be followed."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if _is_model(annotation) and isinstance(part, str):
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
        elif origin in (list, tuple, set, frozenset) and isinstance(part, int):
            annotation = get_args(annotation)[0]
        elif origin is dict and isinstance(part, str):
            annotation = get_args(annotation)[1]
        else:
            return None
    return _unwrap(annotation)


def _words(annotation: Any, *, plural: bool = False) -> str:
    """What a value of ``annotation`` is, in words (``a list of strings``)."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if annotation in _SCALARS:
        return _SCALARS[annotation][1 if plural else 0]
    if origin is Literal:
        values = ", ".join(repr(v) for v in get_args(annotation))
        return f"values from {values}" if plural else f"one of {values}"
    if origin in (list, tuple, set, frozenset):
        return (
            f"lists of {_words(get_args(annotation)[0], plural=True)}"
            if plural
            else (f"a list of {_words(get_args(annotation)[0], plural=True)}")
        )
    if _is_model(annotation) or origin is dict:
        return "tables" if plural else "a table"
    if origin in (Union, UnionType):
        return " or ".join(_words(a, plural=plural) for a in get_args(annotation))
    return "values" if plural else "a value"


def _given(value: Any) -> str:
    """What was written, in TOML words."""
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _quote(value: str, limit: int = 40) -> str:
    return '"' + (value if len(value) <= limit else value[: limit - 1] + "…") + '"'


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _in_words(model: type[BaseModel], error: ErrorDetails) -> str:
    """One pydantic error as a sentence: what was expected, what was given, a suggestion."""
    loc = tuple(error["loc"])
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        parent = _annotation_at(model, loc[:-1])
        known = list(parent.model_fields) if _is_model(parent) else []
        return "unknown field" + _suggest(str(loc[-1]), known)
    if kind == "missing":
        return "required field is missing"
    expected = _annotation_at(model, loc)
    if kind == "literal_error" and expected is not None:
        choices = [str(v) for v in get_args(expected)]
        hint = _suggest(given, choices) if isinstance(given, str) else ""
        return f"expected {_words(expected)}, got {_given(given)}{hint}"
    if kind.endswith(("_type", "_parsing")) or kind in ("int_from_float", "enum"):
        if expected is None:
            return str(error["msg"])
        hint = ""
        if isinstance(given, str) and get_origin(expected) in (list, tuple):
            hint = f" (write [{_quote(given)}])"
        return f"expected {_words(expected)}, got {_given(given)}{hint}"
    bound = _bound(kind, error.get("ctx") or {}, given)
    if bound:
        return bound
    message = str(error["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


_BOUNDS = {
    "greater_than_equal": ("ge", "must be {} or more"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be {} or less"),
    "less_than": ("lt", "must be less than {}"),
}


def _bound(kind: str, ctx: dict[str, Any], given: Any) -> str:
    """A range or length mistake in words (``must be 0 or more, got the number -3``), or ""."""
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        limit = ctx.get(key)
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"{words.format(limit)}, got {_given(given)}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if least == 1:
            return "must not be empty"
        return f"must hold at least {least} items, got {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"must hold at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else ""
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "string_pattern_mismatch":
        return f"{_given(given)} does not have the expected form"
    return ""


def _cross_field(
    model: type[BaseModel], data: Any, loc: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """The mistakes between fields (``budget_min`` above ``budget_max``) of ``data`` and of the
    tables inside it, found on the raw values so they are reported with the other mistakes.

    A model states them in a ``cross_field_problems(data)`` classmethod that returns
    ``(field, message)`` pairs and skips values it cannot read (those are field mistakes).
    """
    if not isinstance(data, dict):
        return []
    found = [
        ((*loc, field), message)
        for field, message in getattr(model, "cross_field_problems", lambda d: [])(data)
    ]
    for name, info in model.model_fields.items():
        inner, value = _unwrap(info.annotation), data.get(name)
        origin = get_origin(inner)
        if _is_model(inner):
            found += _cross_field(inner, value, (*loc, name))
        elif origin in (list, tuple) and isinstance(value, list):
            item_model = _unwrap(get_args(inner)[0])
            if _is_model(item_model):
                for index, item in enumerate(value):
                    found += _cross_field(item_model, item, (*loc, name, index))
    return found


def validate(model: type[M], data: Any, *, path: str | Path, text: str = "") -> M:
    """Validate ``data`` as ``model``; every mistake becomes a line of one ConfigError.

    Each names its field and line and says in words what was expected (``expected a list of
    strings, got the string "open data"``); an unknown field gets the nearest known name.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = exc.errors(include_url=False)
        locs = [tuple(e["loc"]) for e in details]
        # A list whose items failed is also "too short after validation": the items say it.
        details = [
            e
            for e in details
            if not (
                e["type"] == "too_short"
                and any(len(o) > len(e["loc"]) and o[: len(e["loc"])] == e["loc"] for o in locs)
            )
        ]
        errors = [(tuple(e["loc"]), _in_words(model, e)) for e in details]
        # Rules between fields run only once every field is valid: read them on the raw values
        # too, so they come with the other mistakes, each with its field and line.
        between = _cross_field(model, data)
        if between:  # the same rules, now with their field: the model's own say is dropped
            errors = [(loc, m) for loc, m in errors if loc and m not in {b for _, b in between}]
        errors += between
        problems = [
            ConfigError(
                message,
                path=path,
                field=".".join(str(part) for part in loc) or None,
                line=find_line(text, loc),
            )
            for loc, message in errors
        ]
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        first = problems[0]
        raise ConfigError(
            first.message, path=path, field=first.field, line=first.line, problems=problems
        ) from exc


def load_profile(path: str | Path) -> Profile:
    """Load a :class:`Profile` from a TOML file.

    The file holds the profile's fields at the top level, or under a ``[profile]`` table.
    Raises ConfigError naming the file, and the field and line of every mistake.
    """
    data, text = load_toml(path)
    if set(data) == {"profile"} and isinstance(data["profile"], dict):
        data = data["profile"]
    return validate(Profile, data, path=path, text=text)
