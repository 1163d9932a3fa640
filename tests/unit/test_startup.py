"""What a non-interactive run imports: start-up is paid on every CI step and Docker layer."""

from __future__ import annotations

import json
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


_FIRST_REQUEST_PROBE = r"""
import json, runpy, sys
sys.modules["httpx._main"] = None  # as pipkey/__main__.py does before anything imports httpx
from pipkey.index import client

original = client.IndexClient.fetch_page
snapshot = sys.argv[1]
seen = []

def fetch_page(self, url):
    if not seen:
        seen.append(sorted(sys.modules))
        with open(snapshot, "w") as out:
            json.dump(seen[0], out)
    return original(self, url)

client.IndexClient.fetch_page = fetch_page
sys.argv = ["pipkey", *sys.argv[2:]]
runpy.run_module("pipkey", run_name="__main__")
"""


def test_an_install_sends_its_first_request_before_loading_resolver_installer_or_builds(
    tmp_path: Path,
) -> None:
    """Start-up is paid before the first request: the resolver (resolvelib), the commit layer
    (installer, the journal) and build hooks (pyproject-hooks) load after the first index page
    is requested, overlapping the network. The HTTP stack itself (httpcore) is ready by then,
    so the first request goes out at once instead of waiting on those imports for the GIL."""
    snapshot = tmp_path / "modules.json"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_REQUEST_PROBE, str(snapshot), "install", "--python",
         str(venv), "--cache-dir", str(tmp_path / "cache"), "--retries", "0",
         "--index-url", "http://127.0.0.1:9/simple/", "somepkg"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0, proc.stderr  # nothing listens on port 9: start-up only
    assert snapshot.is_file(), proc.stderr
    loaded = set(json.loads(snapshot.read_text()))
    assert "httpcore" in loaded
    late = ("resolvelib", "installer", "pyproject_hooks", "tarfile", "rich")
    assert not {m for m in loaded if m.split(".")[0] in late}
    heavy_rooms = ("pipkey.install.commit", "pipkey.build", "pipkey.resolve.provider")
    assert not {m for m in loaded if m.startswith(heavy_rooms)}
