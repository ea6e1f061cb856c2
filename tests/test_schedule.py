"""The scheduling recipes of docs/digests.md work as written: the cron line, read from the page,
runs under cron's bare environment and sends through a local SMTP server; the systemd units,
read from the page, pass ``systemd-analyze verify``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import fundmatch as fm
from support.smtp_server import SmtpServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = ROOT / "docs" / "digests.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
CRON_PATH = "/usr/bin:/bin"
"""The PATH cron gives a job (Debian, Ubuntu, RHEL): no virtualenv, no ~/.local/bin."""
CRON_ENV = ("env", "-i", f"PATH={CRON_PATH}", "SHELL=/bin/sh", "LOGNAME=cron")
"""``env -i``: nothing of the test's environment reaches the job but what cron sets."""
VENV = ".local/share/fundmatch/venv"
"""Where docs/digests.md installs fundmatch, under HOME."""


def blocks(language: str) -> list[str]:
    text = DIGESTS.read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def cron_command() -> str:
    """The command of the documented crontab line (after its five time fields)."""
    for body in blocks("text"):
        for line in body.splitlines():
            found = re.match(r"^(\S+\s+){5}(?P<command>.*\bfundmatch\b.*)$", line)
            if found:
                return found.group("command").strip()
    raise AssertionError("no crontab line in docs/digests.md")


def env_file_example() -> dict[str, str]:
    """The documented environment file, as KEY -> raw value text."""
    body = next(b for b in blocks("sh") if "FUNDMATCH_SMTP_HOST=" in b)
    return dict(line.split("=", 1) for line in body.splitlines() if line.strip())


def unit(name: str) -> str:
    """A documented systemd unit: the ``ini`` block that follows the unit's file name."""
    text = DIGESTS.read_text(encoding="utf-8")
    after = text[text.index(f"`~/.config/systemd/user/{name}`") :]
    found = FENCE.search(after)
    assert found is not None and found.group(1) == "ini", name
    return found.group(2)


def installed_fundmatch() -> Path:
    script = Path(sys.prefix) / "bin" / "fundmatch"
    if not script.exists():
        pytest.skip(f"the fundmatch script is not installed in {sys.prefix} (pip install -e .)")
    return script


def a_home(tmp_path: Path) -> Path:
    """A HOME laid out as docs/digests.md says: the virtualenv and ~/.config/fundmatch/."""
    installed_fundmatch()
    home = tmp_path / "home"
    (home / VENV).parent.mkdir(parents=True)
    (home / VENV).symlink_to(Path(sys.prefix), target_is_directory=True)
    (home / ".config" / "fundmatch").mkdir(parents=True)
    return home


SUBSCRIPTIONS = """\
[[subscription]]
name = "open-data"
recipients = ["alice@example.org"]
min_score = 10
[subscription.profile]
name = "Marseille open data SME"
description = "SME publishing open data for smart cities"
keywords = ["open data", "smart city"]
region = "FRL04"
organisation_type = "sme"
"""


def test_the_environment_file_suits_both_cron_and_systemd() -> None:
    body = next(b for b in blocks("sh") if "FUNDMATCH_SMTP_HOST=" in b)
    for line in body.splitlines():
        # systemd's EnvironmentFile= takes KEY=value (quotes allowed), never `export`;
        # neither scheduler expands ~ or $HOME in it the same way, so none is used.
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*=('[^']*'|[^\s'\"$`~]*)", line), line
    assert set(env_file_example()) >= {"FUNDMATCH_DB", "FUNDMATCH_SMTP_HOST", "FUNDMATCH_MAIL_FROM"}


def test_the_documented_cron_line_sends_under_crons_environment(tmp_path: Path) -> None:
    home = a_home(tmp_path)
    now = datetime.now(UTC)
    call = fm.Call(
        id="OD-1",
        title="Open data platforms for smart Mediterranean cities",
        description="Cities publish open data and build data spaces for mobility.",
        programme="Interreg Euro-MED",
        url="https://interreg-euro-med.eu/calls/OD-1",
        deadlines=(fm.Deadline(at=now + timedelta(days=90), timezone="Europe/Brussels"),),
        countries=("FR", "IT", "EL"),
        instrument="grant",
    )
    store = home / "fundmatch.sqlite"
    with fm.Store(store) as opened:
        opened.upsert([call], source="euro-med", now=now - timedelta(hours=1))
    # No source to fetch: the test never touches the network.
    registry = home / ".config" / "fundmatch" / "sources.toml"
    registry.write_text("sources = []\n", encoding="utf-8")
    (home / ".config" / "fundmatch" / "digest.toml").write_text(SUBSCRIPTIONS, encoding="utf-8")
    with SmtpServer() as server:
        values = env_file_example()
        values.pop("FUNDMATCH_SMTP_USER")
        values.pop("FUNDMATCH_SMTP_PASSWORD")
        values.update(server.env(), FUNDMATCH_DB=str(store), FUNDMATCH_REGISTRY=str(registry))
        env_file = home / ".config" / "fundmatch" / "env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        env_file.chmod(0o600)
        run = subprocess.run(
            [*CRON_ENV, f"HOME={home}", "/bin/sh", "-c", cron_command()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=home,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert [m["To"] for m in server.received] == ["alice@example.org"]
        assert "Open data platforms" in str(server.received[0]["Subject"]) + str(
            server.received[0].get_body(preferencelist=("plain",))
        )
    assert "1 sent" in run.stdout, run.stdout
    assert run.stderr == ""  # no source to read, so nothing fetched and nothing failed


def test_the_documented_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs the systemd package)")
    home = a_home(tmp_path)
    (home / ".config" / "fundmatch" / "env").write_text("FUNDMATCH_DB=/dev/null\n")
    units = tmp_path / "units"
    units.mkdir()
    for name in ("fundmatch-digest.service", "fundmatch-digest.timer"):
        # %h is the user's home in a user unit; verify runs them as system units.
        (units / name).write_text(unit(name).replace("%h", str(home)), encoding="utf-8")
    service = (units / "fundmatch-digest.service").read_text()
    assert f"ExecStart={home}/{VENV}/bin/fundmatch digest" in service
    run = subprocess.run(
        [
            analyze,
            "verify",
            str(units / "fundmatch-digest.service"),
            str(units / "fundmatch-digest.timer"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not executable" not in run.stderr
