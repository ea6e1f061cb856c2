"""The HTML report in a real headless Chromium: loads with no console error, no network request,
and renders a non-blank page (checked on the screenshot's pixels).

Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``), so
no port is opened and no extra package is needed. CI installs Chromium (``.ci/run``); elsewhere
the test is skipped only when no Chromium binary exists.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import fundmatch as fm

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """A headless Chromium spoken to with DevTools protocol messages over fds 3 and 4."""

    def __init__(self, binary: str, profile_dir: str) -> None:
        to_chrome_read, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_write = os.pipe()
        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile_dir}",
            "--remote-debugging-pipe",
            "about:blank",
        ]

        def wire() -> None:  # runs in the child: the protocol pipes become fds 3 and 4
            read_end = os.dup(to_chrome_read)  # above 4, so the second dup2 cannot clobber it
            write_end = os.dup(from_chrome_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            pass_fds=(3, 4),  # kept open in the child after wire()
        )
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read_message()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def load_and_screenshot(page: Path, binary: str) -> tuple[bytes, list[dict[str, Any]]]:
    """Open ``page`` in headless Chromium; return a full-page PNG and every protocol event."""
    with tempfile.TemporaryDirectory(prefix="fundmatch-chromium-") as profile_dir:
        browser = Browser(binary, profile_dir)
        try:
            target = browser.send("Target.createTarget", url="about:blank")["targetId"]
            session = browser.send("Target.attachToTarget", targetId=target, flatten=True)
            sid = session["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                browser.send(f"{domain}.enable", sid)
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                sid,
                width=1200,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            browser.send("Page.navigate", sid, url=page.as_uri())
            browser.wait_for("Page.loadEventFired")
            size = browser.send("Page.getLayoutMetrics", sid)["cssContentSize"]
            shot = browser.send(
                "Page.captureScreenshot",
                sid,
                format="png",
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": 1200, "height": size["height"], "scale": 1},
            )
            return base64.b64decode(shot["data"]), browser.events
        finally:
            browser.close()


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the raw RGB(A) rows of an 8-bit PNG (enough to count colours)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + pred) & 0xFF
        rows.append(bytes(row))
        previous = row
    return width, height, rows


def sample_report(tmp_path: Path) -> Path:
    brussels = "Europe/Brussels"
    calls = [
        fm.Call(
            id="HORIZON-CL5-2024-D4-02-01",
            title="Open data for smart cities",
            programme="Horizon Europe",
            url="https://ec.europa.eu/x",
            opening=datetime(2024, 5, 2, tzinfo=UTC),
            deadlines=[
                fm.Deadline(at=datetime(2024, 9, 17, 17), timezone=brussels),
                fm.Deadline(at=datetime(2025, 2, 18, 17), timezone=brussels),
            ],
            deadline_model="two-stage",
        ),
        fm.Call(id="LIFE-X", title="A call with no known deadline <b>sic</b>", programme="LIFE"),
    ]
    matches = [
        fm.Match(call=calls[0], score=80, reasons=(fm.Reason(factor="keyword", points=80),)),
        fm.Match(
            call=calls[1],
            score=20,
            blockers=(fm.Check(gate="geography", outcome="blocked", message="not in FR"),),
        ),
    ]
    profile = fm.Profile(name="Volos open data", description="Open data for cities", region="EL613")
    shown = fm.Matches(
        matches,
        now=NOW,
        profile=profile,
        data_date=date(2024, 5, 20),
        left_out=fm.LeftOut(shown=1, min_score=12.5, under=31, closed=4, ruled_out=2),
    )
    page = tmp_path / "report.html"
    page.write_text(fm.render_report(shown, profile=profile, now=NOW), encoding="utf-8")
    return page


def test_report_loads_cleanly_in_headless_chromium(tmp_path: Path) -> None:
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium: .ci/run installs it")
        pytest.skip("no Chromium binary on this machine")
    page = sample_report(tmp_path)
    png, events = load_and_screenshot(page, binary)
    (tmp_path / "report.png").write_bytes(png)

    errors = [
        e
        for e in events
        if e.get("method") in ("Runtime.exceptionThrown",)
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requests = [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests == [page.as_uri()]  # the page itself, nothing else

    width, height, rows = png_pixels(png)
    assert width == 1200 and height > 600
    colours = {
        row[i : i + 3] for row in rows[:: max(1, height // 200)] for i in range(0, len(row), 12)
    }
    assert len(colours) > 20  # text, bars, the today line: not a blank page
    white = sum(row.count(b"\xff") for row in rows) / sum(len(row) for row in rows)
    assert white < 0.99
