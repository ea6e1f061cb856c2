"""The documentation stays true: every command and option is in docs/cli.md, every public name
is in docs/api.md, every Python example runs, every command line shown parses."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
COMMAND = re.compile(r"(?:^|[\s/])fundmatch\s+(.*)$")
"""A ``fundmatch ...`` command line in a shell example (after ``$ ``, a path or ``&&``)."""
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(path: Path, *languages: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang in languages]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def cli_sections() -> dict[str, str]:
    """docs/cli.md split by its ``## `fundmatch NAME` `` headings."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parts = re.split(r"^## `fundmatch (\S+)`\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_command_is_documented_in_cli_md() -> None:
    sections = cli_sections()
    missing = sorted(set(subcommands()) - set(sections))
    assert missing == [], f"commands without a section in docs/cli.md: {missing}"
    assert sorted(set(sections) - set(subcommands())) == [], "documented but not a command"


def test_each_command_has_one_section_in_cli_md() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## `fundmatch (\S+)`\s*$", text, flags=re.MULTILINE)
    assert sorted(h for h in set(headings) if headings.count(h) > 1) == []


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_is_documented(name: str) -> None:
    section = cli_sections().get(name, "")
    options = [
        option
        for action in subcommands()[name]._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--db", "--now")
    ]
    undocumented = [o for o in options if f"`{o}" not in section]
    assert undocumented == [], f"fundmatch {name}: options missing from docs/cli.md"


def test_every_public_name_is_in_api_md() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [n for n in fm.__all__ if f"`{n}" not in text]
    assert missing == [], f"public names missing from docs/api.md: {missing}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_command_lines_in_the_docs_parse(path: Path) -> None:
    parser = build_parser()
    for body in blocks(path, "console", "sh", "shell", "bash"):
        for line in body.splitlines():
            found = COMMAND.search(line)
            if found is None:
                continue
            argv = shlex.split(re.split(r" (?:&&|\||>|;) ", found.group(1))[0])
            try:
                parser.parse_args(argv)
            except SystemExit as exit_info:
                assert exit_info.code == 0, f"{path.name}: {line}"


@pytest.mark.parametrize("path", [p for p in DOCS if blocks(p, "python")], ids=lambda p: p.name)
def test_python_examples_run(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("FUNDMATCH_DB", str(tmp_path / "docs.sqlite"))
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for number, body in enumerate(blocks(path, "python"), 1):
        code = compile(body, f"{path.name} (example {number})", "exec")
        exec(code, namespace)
    capsys.readouterr()


def test_profile_examples_are_valid_profiles(tmp_path: Path) -> None:
    examples = blocks(ROOT / "docs" / "profiles.md", "toml")
    assert examples
    for number, body in enumerate(examples):
        path = tmp_path / f"example-{number}.toml"
        path.write_text(body, encoding="utf-8")
        assert fm.load_profile(path).name


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    broken = [t for t in local if not (path.parent / t).exists()]
    assert broken == [], f"{path.name}: broken links"
