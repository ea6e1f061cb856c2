"""The four example profiles' ``match`` output pasted in docs/tutorial.md is what the command
prints today (bundled snapshot, a fixed moment, times shown in UTC, closeness of meaning on as
by default).

When the snapshot or the ranking changes on purpose, rewrite the pasted blocks with

    .venv/bin/python tests/test_tutorial_output.py

and read the diff of docs/tutorial.md before committing it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fundmatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
NOW = "2026-12-07T12:00:00+00:00"
PROFILES = (
    "marseille-open-data-sme",
    "mediterranean-smart-city-department",
    "odeon-open-data-cluster",
    "greek-municipality-climate-adaptation",
)
BLOCK = re.compile(
    r"(<!-- match-output: (?P<name>[\w-]+) -->\n```text\n)(?P<body>.*?)(```\n)", re.DOTALL
)


@contextlib.contextmanager
def utc() -> Iterator[None]:
    """Times "in your zone" shown in UTC, whatever the machine's zone."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def match_output(name: str, store: Path) -> str:
    """What ``TZ=UTC fundmatch match --profile calls/profiles/NAME.toml --now NOW`` prints on
    an empty store (the bundled snapshot)."""
    out = io.StringIO()
    profile = f"calls/profiles/{name}.toml"
    with utc(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["match", "--db", str(store), "--profile", str(ROOT / profile), "--now", NOW])
    assert code == 0
    return out.getvalue()


def pasted() -> dict[str, str]:
    return {m["name"]: m["body"] for m in BLOCK.finditer(TUTORIAL.read_text(encoding="utf-8"))}


def test_every_example_profile_is_pasted() -> None:
    assert sorted(pasted()) == sorted(PROFILES)


@pytest.mark.usefixtures("meaning_on")  # the default: closeness of meaning counts
@pytest.mark.parametrize("name", PROFILES)
def test_the_pasted_output_is_what_match_prints(name: str, tmp_path: Path) -> None:
    assert pasted()[name] == match_output(name, tmp_path / "empty.sqlite"), (
        "docs/tutorial.md is out of date: run `.venv/bin/python tests/test_tutorial_output.py`"
    )


def rewrite(store_dir: Path) -> None:
    """Write each profile's output into its block of docs/tutorial.md."""
    text = TUTORIAL.read_text(encoding="utf-8")

    def fill(found: re.Match[str]) -> str:
        output = match_output(found["name"], store_dir / f"{found['name']}.sqlite")
        return found.group(1) + output + found.group(4)

    TUTORIAL.write_text(BLOCK.sub(fill, text), encoding="utf-8")


if __name__ == "__main__":
    import tempfile

    os.environ.pop("FUNDMATCH_MEANING", None)  # the default output: with meaning
    with tempfile.TemporaryDirectory() as folder:
        rewrite(Path(folder))
    sys.stdout.write(f"rewrote the pasted match output in {TUTORIAL.relative_to(ROOT)}\n")
