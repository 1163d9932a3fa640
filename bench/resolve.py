"""Warm-cache resolution against the real PyPI: pipkey vs uv (issue 20.5).

    python bench/resolve.py [--runs 5] [jupyterlab 'fastapi[standard]' ...]
    python bench/resolve.py --lock fastapi+fastapi      # a universal lock of a real project

Each tool resolves the request for a fresh, empty venv without installing anything
(``pipkey install --dry-run``, ``uv pip install --dry-run``: the same work — pages, metadata,
resolution, no download of a wheel), once untimed to fill its caches, then ``--runs`` rounds
that alternate the tools (uv, pipkey, uv, pipkey, ...) so that load and network drift hit both.
With ``--lock MIRROR`` both lock a real project (``uv lock`` vs ``pipkey lock``, universal,
each in its own copy of the checkout from /work/.mirror; see bench/real_projects.py).

What "warm" means for both: each keeps its page cache between runs and honours the index's
``Cache-Control`` (PyPI sends ``max-age=600``): a page still fresh is used with no request, a
stale one is revalidated (a ``304`` costs no body). Both keep core metadata of a release
(uv: its metadata cache; pipkey: the metadata cache) and need no request for it.
Prints medians and minima, and the load average before and after.
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
    for found in (str(Path(sys.executable).parent / "uv"), shutil.which("uv")):
        if found and Path(found).exists():
            return found
    raise SystemExit("uv is not installed (pip install uv)")


def _env(work: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("PIP_", "UV_", "PIPKEY_", "VIRTUAL_ENV"))}  # fmt: skip
    return {
        **keep,
        "PIP_CONFIG_FILE": os.devnull,
        "UV_CACHE_DIR": str(work / "uv-cache"),
        "PIPKEY_CACHE_DIR": str(work / "pipkey-cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
    }


def _pipkey() -> list[str]:
    return [sys.executable, "-m", "pipkey"]


BEFORE = "pipkey@before"  # --before SRC: another pipkey source tree (PYTHONPATH), alternated too


def _commands(tool: str, request: str, venv: Path) -> list[str]:
    if tool in ("pipkey", BEFORE):
        return [*_pipkey(), "install", "--dry-run", "--no-progress", "--python", str(venv),
                "--index-url", "https://pypi.org/simple/", request]  # fmt: skip
    return [_uv(), "pip", "install", "--dry-run", "--python", str(venv),
            "--index-url", "https://pypi.org/simple/", request]  # fmt: skip


def _lock_commands(tool: str) -> list[str]:
    if tool in ("pipkey", BEFORE):
        return [*_pipkey(), "lock", "--no-progress"]
    return [_uv(), "lock"]


def _time(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    if cwd is not None:  # a lock from scratch each time: no pins kept from the last run
        for name in ("uv.lock", "pylock.toml"):
            (cwd / name).unlink(missing_ok=True)
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=cwd)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return seconds


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rounds(label: str, cmds: dict[str, tuple[list[str], Path | None]], env: dict[str, str],
            runs: int, before: str | None = None) -> None:  # fmt: skip
    envs = {tool: env for tool in cmds}
    if before is not None:
        cmds = {**cmds, BEFORE: cmds["pipkey"]}
        envs[BEFORE] = {**env, "PYTHONPATH": before,
                        "PIPKEY_CACHE_DIR": env["PIPKEY_CACHE_DIR"] + "-before"}  # fmt: skip
    for tool, (cmd, cwd) in cmds.items():
        _time(cmd, envs[tool], cwd)  # fill the caches (untimed)
    times: dict[str, list[float]] = {tool: [] for tool in cmds}
    for _ in range(runs):
        for tool, (cmd, cwd) in cmds.items():
            times[tool].append(_time(cmd, envs[tool], cwd))
    uv_median = statistics.median(times["uv"])
    for tool, runs_ in times.items():
        median = statistics.median(runs_)
        print(f"| {label} | {tool} | {median:.2f} | {min(runs_):.2f} | "
              f"{median / uv_median:.2f} |", flush=True)  # fmt: skip


def _lock_tree(mirror: str, dest: Path) -> Path:
    sys.path.insert(0, str(HERE))
    from real_projects import Project, checkout

    root = checkout(Project(mirror, mirror, ""), dest)
    (root / ".python-version").unlink(missing_ok=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lock", action="append", default=[], metavar="MIRROR",
                        help="owner+name under /work/.mirror: lock that project")  # fmt: skip
    parser.add_argument("--before", metavar="SRC", help="also time pipkey from this src/ tree")
    parser.add_argument("requests", nargs="*")
    args = parser.parse_args()
    requests = args.requests or ([] if args.lock else list(REQUESTS))
    with tempfile.TemporaryDirectory(prefix="pipkey-bench-") as tmp:
        work = Path(tmp)
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        env = _env(work)
        print(f"load before: {_load()}")
        print("| work | tool | median s | min s | ÷ uv |")
        print("|---|---|---|---|---|")
        for request in requests:
            cmds = {tool: (_commands(tool, request, venv), None) for tool in ("uv", "pipkey")}
            _rounds(request, cmds, env, args.runs, args.before)
        for mirror in args.lock:
            cmds = {
                tool: (_lock_commands(tool), _lock_tree(mirror, work / f"{tool}-{mirror}"))
                for tool in ("uv", "pipkey")
            }
            lock_env = {**env, "UV_PYTHON": "/usr/bin/python3.11"}
            _rounds(f"lock {mirror}", cmds, lock_env, args.runs, args.before)
        print(f"load after: {_load()}")


if __name__ == "__main__":
    main()
