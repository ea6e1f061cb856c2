"""JSON as sources send it: cut short, with NaN and absurd numbers (``sources/jsontext.py``)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.sources.jsontext import Partial, PartialList, is_whole, loads

SEDIA = Path(__file__).parent / "data" / "sedia"


def test_a_whole_document_reads_as_json_does_with_exact_numbers() -> None:
    loaded = loads('{"a": [1, 2.5, "x", true, null], "b": {}}')
    assert loaded.value == {"a": [1, Decimal("2.5"), "x", True, None], "b": {}}
    assert not loaded.truncated and loaded.warnings == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": 1, "b": "cut her', {"a": 1}),  # a string cut: dropped
        ('{"a": 1, "b": 12', {"a": 1}),  # a number at the cut may be longer: dropped
        ('{"a": 1, "b": tr', {"a": 1}),
        ('{"a": 1, "b":', {"a": 1}),
        ('{"a": 1, "b"', {"a": 1}),
        ('{"a": 1, "b', {"a": 1}),
        ('{"a": 1,', {"a": 1}),
        ('{"a": [1, 2, {"c": 3}, {"d": 4', {"a": [1, 2, {"c": 3}, {}]}),
        ("[[[[", [[[[]]]]),
        ("[1, -Inf", [1]),
    ],
)
def test_a_text_cut_short_keeps_every_whole_part(text: str, value: object) -> None:
    loaded = loads(text)
    assert loaded.truncated
    assert loaded.value == value
    assert not is_whole(loaded.value)


def test_whole_containers_inside_a_cut_one_are_plain() -> None:
    value = loads('{"whole": {"x": [1]}, "cut": {"y": [2, 3').value
    assert isinstance(value, Partial) and type(value["whole"]) is dict
    assert isinstance(value["cut"], Partial) and isinstance(value["cut"]["y"], PartialList)
    assert is_whole(value["whole"]) and not is_whole(value["cut"])


def test_every_prefix_of_a_real_payload_reads_without_inventing_anything() -> None:
    text = (SEDIA / "call_dto_budget_overview.json").read_text(encoding="utf-8")
    whole = loads(text).value
    for cut in range(1, len(text), 7):
        try:
            part = loads(text[:cut]).value
        except fm.ParseError:
            assert not text[:cut].strip("{ \n")  # nothing read yet
            continue
        _inside(part, whole)


def _inside(part: object, whole: object) -> None:
    if isinstance(part, dict):
        assert isinstance(whole, dict)
        for key, value in part.items():
            _inside(value, whole[key])
    elif isinstance(part, list):
        assert isinstance(whole, list)
        for index, value in enumerate(part):
            _inside(value, whole[index])
    else:
        assert part == whole


@pytest.mark.parametrize(
    "word", ["NaN", "Infinity", "-Infinity", "1e400", "1" * 30, "0." + "1" * 30]
)
def test_non_finite_and_absurd_numbers_are_unknown_with_a_warning(word: str) -> None:
    whole = loads(f'{{"n": {word}, "m": 2}}')
    cut = loads(f'{{"n": {word}, "m": 2, "x": "cu')
    for loaded in (whole, cut):
        assert loaded.value["n"] is None and loaded.value["m"] == 2
        assert len(loaded.warnings) == 1 and "left unknown" in loaded.warnings[0]


def test_deep_nesting_is_read_without_a_recursion_error() -> None:
    loaded = loads("[" * 50_000)
    assert loaded.truncated
    depth, value = 0, loaded.value
    while value:
        value, depth = value[0], depth + 1
    assert depth == 49_999


@pytest.mark.parametrize(
    "text",
    [b"", b"   ", b"<html>", b'{"a" 1}', b"[1 2]", b'{"a": 1} trailing', b"\xff\xfe", b"{1: 2}"],
)
def test_what_is_not_json_is_a_parse_error(text: bytes) -> None:
    with pytest.raises(fm.ParseError):
        loads(text, source="s")


def test_strict_mode_refuses_a_cut_text() -> None:
    with pytest.raises(fm.ParseError, match="not JSON"):
        loads('{"a": [1, 2', tolerant=False)


def test_bytes_with_a_byte_order_mark_and_raw_newlines_in_strings() -> None:
    raw = '\ufeff{"html": "<p>one\nline</p>"}'.encode()
    assert loads(raw).value == {"html": "<p>one\nline</p>"}
    assert loads(raw).value == json.loads(raw.decode("utf-8-sig"), strict=False)
