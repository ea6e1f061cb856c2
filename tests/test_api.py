"""The public API: ``__all__`` is complete and sorted; the package and CLI entry points work."""

from __future__ import annotations

import subprocess
import sys

import fundmatch


def test_all_is_sorted() -> None:
    assert fundmatch.__all__ == sorted(fundmatch.__all__)


def test_all_is_complete() -> None:
    public = {name for name in vars(fundmatch) if not name.startswith("_")}
    modules = {name for name, value in vars(fundmatch).items() if type(value).__name__ == "module"}
    assert public - modules == set(fundmatch.__all__) - {"__version__"}


def test_every_exported_name_exists() -> None:
    for name in fundmatch.__all__:
        assert hasattr(fundmatch, name), name


def test_every_error_derives_from_the_base() -> None:
    errors = [getattr(fundmatch, n) for n in fundmatch.__all__ if n.endswith("Error")]
    assert errors
    assert all(issubclass(e, fundmatch.FundmatchError) for e in errors)


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fundmatch", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "usage: fundmatch" in result.stdout
