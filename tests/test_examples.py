"""Every ``fundmatch ...`` example in the docs, the README and ``--help`` runs against the
bundled data and exits 0: in a fresh store filled from the snapshot, without network (a command
that would fetch gets ``--offline``), sending only to a local SMTP server."""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
from pathlib import Path

import pytest

from fundmatch.cli import build_parser, main
from support.smtp_server import SmtpServer
from test_docs import COMMAND, DOCS, blocks

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHELL = ("console", "sh", "shell", "bash")


def _argv(line: str) -> list[str] | None:
    found = COMMAND.search(line)
    if found is None:
        return None
    return shlex.split(re.split(r" (?:&&|\||>|;|#) ", found.group(1))[0])


def doc_examples() -> dict[str, tuple[str, ...]]:
    """Every command line shown in a shell block of the docs and README, by where it is."""
    examples: dict[str, tuple[str, ...]] = {}
    for path in DOCS:
        for body in blocks(path, *SHELL):
            for line in body.splitlines():
                argv = _argv(line)
                if argv is not None:
                    key = shlex.join(argv)
                    examples[key] = (*examples.get(key, ()), path.name)
    return examples


def help_examples() -> dict[str, tuple[str, ...]]:
    """Every example in the epilog of ``fundmatch --help`` and of each command's ``--help``."""
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    examples: dict[str, tuple[str, ...]] = {}
    for name, sub in [("fundmatch", parser), *action.choices.items()]:
        for line in (sub.epilog or "").splitlines():
            argv = _argv(line.split("  #")[0])
            if argv is not None:
                key = shlex.join(argv)
                examples[key] = (*examples.get(key, ()), f"{name} --help")
    return examples


_HELP, _DOCS = help_examples(), doc_examples()
EXAMPLES = {
    command: _HELP.get(command, ()) + _DOCS.get(command, ()) for command in {*_HELP, *_DOCS}
}

TUTORIAL_SUBSCRIPTIONS = next(
    body for body in blocks(ROOT / "docs" / "tutorial.md", "toml") if "[[subscription]]" in body
)


def offline(argv: list[str]) -> list[str]:
    """The command without network: update and digest read the bundled snapshot instead."""
    if argv and argv[0] in ("update", "digest") and not {"--offline", "--no-update"} & set(argv):
        return [*argv, "--offline"]
    return argv


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "fundmatch.sqlite"
    assert main(["update", "--offline", "--db", str(path)]) == 0
    return path


def test_there_are_examples_everywhere() -> None:
    where = {place for places in EXAMPLES.values() for place in places}
    assert {"cli.md", "tutorial.md", "README.md", "fundmatch --help", "digest --help"} <= where
    assert len(EXAMPLES) > 30


@pytest.mark.parametrize("command", sorted(EXAMPLES), ids=lambda c: c[:70])
def test_example_runs(
    command: str,
    filled_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = tmp_path / "fundmatch.sqlite"
    shutil.copy(filled_store, store)
    (tmp_path / "calls").symlink_to(ROOT / "calls", target_is_directory=True)
    (tmp_path / "digest.toml").write_text(TUTORIAL_SUBSCRIPTIONS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("FUNDMATCH_DB", "FUNDMATCH_REGISTRY", "FUNDMATCH_TEST_CRASH_AT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FUNDMATCH_DB", str(store))
    argv = offline(shlex.split(command))
    # The agency page's database stands for the store here; tests/test_agency_docs.py runs
    # those commands against a live PostgreSQL server.
    argv = [str(store) if a.startswith("postgresql://") else a for a in argv]
    with SmtpServer() as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        try:
            code = main(argv)
        except SystemExit as exit_info:  # --help
            code = int(exit_info.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, f"{EXAMPLES[command][0]}: fundmatch {command}\n{out[-2000:]}\n{err[-2000:]}"
