"""The house rules of docs/design.md, read from the imports (ast): who may import what.

- only ``store/`` imports ``sqlite3``; tests never import ``benchmarks``;
- pure modules never import the environment, the clock, the network or the store;
- ``update`` and the digest run hold no SQL and no smtplib / http.client;
- imports only go down the layers, and there is no import circle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "fundmatch"

PURE = (
    "sources/feeds.py",
    "sources/ftportal.py",
    "sources/portalfields.py",
    "sources/extract.py",
    "sources/topicdetails.py",
    "sources/jsontext.py",
    "sources/wpjson.py",
    "match/__init__.py",
    "match/columns.py",
    "match/explain.py",
    "match/gates.py",
    "match/index.py",
    "match/levels.py",
    "match/query.py",
    "match/reading.py",
    "match/rank.py",
    "match/score.py",
    "match/themes.py",
    "match/weights.py",
    "digest/clean.py",
    "digest/select.py",
    "digest/render.py",
    "export/__init__.py",
    "export/common.py",
    "export/data.py",
    "export/ical.py",
    "export/commongrants.py",
    "report.py",
    "application.py",
    "display.py",
    "text.py",
    "geo.py",
    "sources/rules.py",
    "coverage.py",
    "models/__init__.py",
    "models/base.py",
    "models/call.py",
    "models/profile.py",
    "models/results.py",
    "models/changes.py",
    "models/schema.py",
    "models/partners.py",
    "partners/projects.py",
    "partners/cordis.py",
    "partners/search.py",
)
"""Plain values in, plain values out: no environment, clock, network or store."""

IMPURE_MODULES = (
    "os",
    "socket",
    "ssl",
    "smtplib",
    "subprocess",
    "http.client",
    "http.server",
    "urllib.request",
    "platformdirs",
    "sqlite3",
    "fundmatch.store",
    "fundmatch.mail",
    "fundmatch.netguard",
)
CLOCK_CALLS = re.compile(
    r"(^|\.)(datetime\.(now|utcnow|today)|date\.today|time\.(time|monotonic|perf_counter"
    r"|localtime|gmtime|time_ns))$"
)
SQL = re.compile(r"\b(SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\b.*\bSET|DELETE\s+FROM)\b", re.I | re.S)

LAYERS = {
    # 1: the core every layer may use
    "fundmatch.errors": 1,
    "fundmatch.display": 1,
    "fundmatch.geo": 1,
    "fundmatch.text": 1,
    "fundmatch.models": 1,
    "fundmatch.config": 1,
    "fundmatch.netguard": 1,
    # 2: reading sources, ranking, writing files and mail (no store)
    "fundmatch.sources": 2,
    "fundmatch.match": 2,
    "fundmatch.export": 2,
    "fundmatch.report": 2,
    "fundmatch.application": 2,
    "fundmatch.mail": 2,
    "fundmatch.coverage": 2,
    "fundmatch.partners": 2,
    # 3: the store
    "fundmatch.store": 3,
    # 4: services over the store
    "fundmatch.update": 4,
    "fundmatch.detailscache": 4,
    "fundmatch.vectors": 4,
    "fundmatch.ranking": 4,
    "fundmatch.digest": 4,
    # 5: the interfaces
    "fundmatch.cli": 5,
    "fundmatch.__main__": 5,
    "fundmatch": 6,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imports(path: Path, *, typing_too: bool = False) -> Iterator[str]:
    """Every module ``path`` imports (``from a import b`` gives ``a.b`` when that is a module,
    else ``a``); imports under ``if TYPE_CHECKING:`` only with ``typing_too``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if not typing_too:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(n) for n in ast.walk(node))
    known = modules()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in known else node.module


def layer(name: str) -> int:
    while name not in LAYERS:
        name = name.rpartition(".")[0]
    return LAYERS[name]


def test_only_the_store_imports_sqlite3() -> None:
    users = [
        name
        for name, path in modules().items()
        if not name.startswith("fundmatch.store.")
        and "sqlite3" in set(imports(path, typing_too=True))
    ]
    assert users == []


def test_tests_never_import_benchmarks() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.resolve() == Path(__file__).resolve():
            continue  # this file names them to look for them
        found = {m.split(".")[0] for m in imports(path, typing_too=True)}
        if found & {"benchmarks", "reliability"} or any(m.startswith("bench_") for m in found):
            offenders.append(path.name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(
            isinstance(node, ast.Constant) and node.value == "benchmarks" for node in ast.walk(tree)
        ):
            offenders.append(path.name)  # a path into benchmarks/, for sys.path or importlib
    assert offenders == []


@pytest.mark.parametrize("relative", PURE)
def test_pure_modules_read_no_environment_clock_network_or_store(relative: str) -> None:
    path = SRC / relative
    bad = [
        m
        for m in imports(path)
        if any(m == forbidden or m.startswith(forbidden + ".") for forbidden in IMPURE_MODULES)
    ]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and CLOCK_CALLS.search(ast.unparse(node.func)):
            bad.append(f"line {node.lineno}: {ast.unparse(node.func)}()")
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            bad.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert bad == [], relative


@pytest.mark.parametrize("relative", ["update.py", "digest/run.py"])
def test_update_and_the_digest_run_hold_no_sql_smtp_or_http_client(relative: str) -> None:
    path = SRC / relative
    bad = [m for m in imports(path) if m in ("sqlite3", "smtplib", "http.client", "socket")]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            bad.append(f"SQL on line {node.lineno}")
        if isinstance(node, ast.Attribute) and node.attr in ("connection", "execute"):
            bad.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert bad == [], relative


def test_imports_only_go_down_the_layers() -> None:
    upward = []
    for name, path in modules().items():
        for target in imports(path):
            if target.split(".")[0] == "fundmatch" and layer(target) > layer(name):
                upward.append(f"{name} imports {target}")
    assert upward == []


def test_there_is_no_import_circle() -> None:
    known = modules()
    graph = {
        name: {t for t in imports(path) if t in known and t != name} for name, path in known.items()
    }
    # A package's __init__ importing its own modules is how a package is made, not a circle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    done: set[str] = set()
    circles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            circles.append(" → ".join([*trail[trail.index(node) :], node]))
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*trail, node])
        done.add(node)

    for name in sorted(graph):
        visit(name, [])
    assert circles == []


def test_no_module_is_over_about_450_lines() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 460
    }
    assert long == {}


MATCH = SRC / "match"


def test_no_module_of_the_ranking_is_over_450_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in MATCH.glob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines > 450} == {}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@pytest.mark.parametrize("path", sorted(MATCH.glob("*.py")), ids=lambda p: p.name)
def test_the_ranking_modules_use_no_private_name_of_another_module(path: Path) -> None:
    # Each module of match/ speaks to the others through their public names only: no
    # ``from x import _y``, no ``module._y``, no ``self.index._y`` (only ``self._y``).
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fundmatch"):
            bad += [f"line {node.lineno}: {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                bad.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert bad == []
