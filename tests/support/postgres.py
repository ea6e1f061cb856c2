"""A throw-away PostgreSQL server for the tests: a new cluster in a temporary folder, listening
on a Unix socket there only, with one database ``fundmatch`` (English ICU collation); each test
gets a fresh schema in it.

The server binaries come from the distribution's packages (Debian: ``postgresql``, in
``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so under root the
cluster is created and run as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

__all__ = ["PostgresServer", "binaries", "start"]

INITDB = ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale", "C", "--no-sync"]
STOP = ["-m", "immediate", "-w", "stop"]


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return versions[0].parent if versions else None


def _free_port() -> int:
    # The port only names the socket file (no TCP listener), but keep it unused anyway.
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A running throw-away cluster; :meth:`address` gives a fresh schema's address."""

    def __init__(self, bin_dir: Path, folder: Path, port: int, run_as: list[str]) -> None:
        self.bin_dir, self.folder, self.port, self.run_as = bin_dir, folder, port, run_as
        self._numbers = itertools.count(1)

    def url(self, database: str = "fundmatch", **options: str) -> str:
        query = f"host={self.folder}&port={self.port}"
        if options:
            query += "&options=" + "%20".join(f"-c%20{k}%3D{v}" for k, v in options.items())
        return f"postgresql://postgres@/{database}?{query}"

    def sql(self, statement: str, database: str = "fundmatch") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[call-overload]

    def address(self) -> str:
        """The address of a new, empty schema (a store of its own)."""
        schema = f"t{next(self._numbers)}"
        self.sql(f"CREATE SCHEMA {schema}")
        return self.url(search_path=schema)

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), *STOP],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> PostgresServer:
    """Create and start a cluster; raise RuntimeError saying why it could not."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("psycopg is not installed (pip install -e '.[dev]')") from exc
    folder = Path(tempfile.mkdtemp(prefix="fm-pg-"))  # short: a socket path has ~100 bytes
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise RuntimeError("running as root and there is no 'postgres' user") from exc
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    server = PostgresServer(bin_dir, folder, port, run_as)
    data = folder / "data"
    options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off"
    steps = [
        [str(bin_dir / "initdb"), "-D", str(data), *INITDB],
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        ],
    ]
    for step in steps:
        done = subprocess.run([*run_as, *step], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            server.stop()
            raise RuntimeError(
                f"{Path(step[0]).name} failed: {(done.stderr or done.stdout).strip()} {log}"
            )
    # A database sorting text as people do (ICU, English): were the store to sort by it, the
    # tests would see calls listed in another order than on SQLite.
    server.sql(
        "CREATE DATABASE fundmatch TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'",
        database="postgres",
    )
    return server


def running() -> Iterator[PostgresServer]:
    """A started server, stopped when the generator is closed."""
    server = start()
    try:
        yield server
    finally:
        server.stop()
