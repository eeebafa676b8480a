"""Open a report page in headless Chromium: screenshot plus the page's console messages.

Used by the tests (and handy by hand) to check the report really renders in a browser.
Chromium prints page console output to stderr with ``--enable-logging=stderr`` as lines like
``[pid:tid:time:INFO:CONSOLE:1] "Uncaught Error: x", source: file:///... (1)`` (older builds:
``CONSOLE(1)``). Every such line is logged at INFO whatever its console level, so any console
message counts: the report has no script, so a clean page prints none.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Flags for headless use on a closed network (no sandbox as root, no background fetches).
HEADLESS_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_CONSOLE = re.compile(r":CONSOLE(?::\d+|\(\d+\))\]\s*(.*)$")


def find_chromium() -> Path | None:
    """/usr/bin/chromium, else `chromium` (or chromium-browser) on PATH, else None."""
    default = Path("/usr/bin/chromium")
    if default.exists():
        return default
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def console_messages(stderr: str) -> list[str]:
    """The page console messages (including uncaught exceptions) in Chromium's log output."""
    out = []
    for line in stderr.splitlines():
        match = _CONSOLE.search(line)
        if match:
            out.append(match.group(1))
        elif "Uncaught" in line:
            out.append(line.strip())
    return out


@dataclass(frozen=True)
class BrowserRun:
    screenshot: Path
    console: list[str]
    stderr: str
    returncode: int


def screenshot_page(
    page: Path,
    screenshot: Path,
    *,
    chromium: Path | None = None,
    window_size: tuple[int, int] = (1280, 2400),
    timeout: float = 90.0,
) -> BrowserRun:
    """Load ``page`` (a local HTML file), write a PNG screenshot, collect console messages."""
    exe = chromium or find_chromium()
    if exe is None:
        raise FileNotFoundError("Chromium not installed: apt-get install chromium")
    screenshot = Path(screenshot).resolve()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leadscore-chromium-") as profile:
        proc = subprocess.run(
            [
                str(exe),
                *HEADLESS_FLAGS,
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--hide-scrollbars",
                "--virtual-time-budget=5000",
                f"--window-size={window_size[0]},{window_size[1]}",
                f"--screenshot={screenshot}",
                Path(page).resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return BrowserRun(
        screenshot=screenshot,
        console=console_messages(proc.stderr),
        stderr=proc.stderr,
        returncode=proc.returncode,
    )
