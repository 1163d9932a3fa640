"""Warm-cache resolution against the real PyPI: pipkey vs uv (issue 20.5).

    python bench/resolve.py [--runs 5] [jupyterlab 'fastapi[standard]' ...]

Each tool resolves the request for a fresh, empty venv without installing anything
(``pipkey install --dry-run``, ``uv pip install --dry-run``), once to warm its caches, then
``--runs`` times. Prints median and min wall seconds per tool and request. uv keeps a page
cache (HTTP revalidation); pipkey keeps none (docs: "why no page cache"), so pipkey's numbers
include fetching every index page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUESTS = ("jupyterlab", "fastapi[standard]")


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        raise SystemExit("uv is not installed (pip install uv)")
    return found


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_FIND_LINKS": "",
        "UV_CACHE_DIR": str(work / "uv-cache"),
        "UV_PYTHON_DOWNLOADS": "never",
    }


def _commands(tool: str, request: str, venv: Path, work: Path) -> list[str]:
    if tool == "pipkey":
        return [sys.executable, "-m", "pipkey", "install", "--dry-run", "--no-progress",
                "--python", str(venv), "--cache-dir", str(work / "pipkey-cache"),
                "--index-url", "https://pypi.org/simple/", request]  # fmt: skip
    return [_uv(), "pip", "install", "--dry-run", "--python", str(venv),
            "--index-url", "https://pypi.org/simple/", request]  # fmt: skip


def _time(cmd: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("requests", nargs="*", default=list(REQUESTS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pipkey-bench-") as tmp:
        work = Path(tmp)
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        env = _env(work)
        print("| request | tool | median s | min s |")
        print("|---|---|---|---|")
        for request in args.requests:
            for tool in ("uv", "pipkey"):
                cmd = _commands(tool, request, venv, work)
                _time(cmd, env)  # warm the caches
                runs = []
                for _ in range(args.runs):  # alternate nothing: one tool's runs back to back
                    runs.append(_time(cmd, env))
                print(f"| {request} | {tool} | {statistics.median(runs):.2f} | {min(runs):.2f} |")


if __name__ == "__main__":
    main()
