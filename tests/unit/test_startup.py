"""What a non-interactive run imports: start-up is paid on every CI step and Docker layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def imported_modules(*args: str, cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipkey", *args],
        capture_output=True, text=True, cwd=cwd,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_a_command_that_talks_http_loads_neither_rich_nor_httpx_s_own_cli(tmp_path: Path) -> None:
    """`config show` builds the network layer (httpx). httpx would import its command line —
    rich's console, progress and syntax highlighting — whenever rich is installed; pipkey
    shows progress with rich only on a terminal, so a piped run loads none of it."""
    modules = imported_modules("config", "show", cwd=tmp_path)
    assert "httpx" in modules
    assert not {m for m in modules if m.split(".")[0] in ("rich", "pygments")}
