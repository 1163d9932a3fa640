"""pipkey sync vs uv sync from the same uv.lock: cold and warm cache, medians, one run.

    .venv/bin/python bench/sync.py              # 5 runs per cell
    .venv/bin/python bench/sync.py --runs 3

The bench wheel set (bench/run.py's) is served as a static PEP 658 index behind nginx
``auth_basic``; a project depending on it is locked once by the real uv, then each round syncs a
fresh ``.venv`` with ``uv sync --frozen --no-install-project`` and ``pipkey sync --frozen
--no-install-project`` in turn (credentials from ``UV_INDEX_BENCH_USERNAME`` / ``_PASSWORD`` for
both). "cold" starts from an empty cache, "warm" from one filled by an untimed earlier sync.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PACKAGES, PASSWORD, USER, WORK, clean_env, fetch_wheels, find_uv, static_index
from tests.support.servers import NginxAuth


def project(url: str, packages: list[str], env: dict[str, str]) -> Path:
    template = WORK / "sync-project"
    shutil.rmtree(template, ignore_errors=True)
    template.mkdir(parents=True)
    deps = ", ".join(f'"{p}"' for p in packages)
    (template / "pyproject.toml").write_text(
        f'[project]\nname = "bench"\nversion = "0"\nrequires-python = "==3.11.*"\n'
        f'dependencies = [{deps}]\n\n[[tool.uv.index]]\nname = "bench"\nurl = "{url}"\n'
        'default = true\nauthenticate = "always"\n\n'
        # The bench's wheels are this machine's (pip download): lock for Linux only.
        "[tool.uv]\nenvironments = [\"sys_platform == 'linux'\"]\n"
    )
    proc = subprocess.run(
        [find_uv(), "lock"], cwd=template, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.exit(f"uv lock failed:\n{proc.stderr}")
    return template


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    shutil.rmtree(cwd / ".venv", ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    packages = PACKAGES.split()
    wheels = fetch_wheels(PACKAGES)
    with (
        static_index(wheels) as root,
        NginxAuth(root, {USER: PASSWORD}, workdir=WORK / "nginx-sync") as ng,
    ):
        env = clean_env({"UV_INDEX_BENCH_USERNAME": USER, "UV_INDEX_BENCH_PASSWORD": PASSWORD,
                         "UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never",
                         "HOME": str(WORK / "home")})  # fmt: skip
        proj = project(ng.url, packages, env)
        caches = WORK / "sync-caches"
        tools = {
            "uv sync": lambda c: [find_uv(), "sync", "--frozen", "--no-install-project",
                                  "--cache-dir", str(c), "-q"],
            "pipkey sync": lambda c: [sys.executable, "-m", "pipkey", "sync", "--frozen",
                                      "--no-install-project", "--cache-dir", str(c), "-q"],
        }  # fmt: skip
        results: dict[str, dict[str, list[float]]] = {n: {"cold": [], "warm": []} for n in tools}
        for _ in range(args.runs):
            for name, cmd in tools.items():
                shutil.rmtree(caches / "cold", ignore_errors=True)
                results[name]["cold"].append(timed(cmd(caches / "cold"), proj, env))
        for name, cmd in tools.items():
            timed(cmd(caches / name), proj, env)  # fill the warm cache, untimed
        for _ in range(args.runs):
            for name, cmd in tools.items():
                results[name]["warm"].append(timed(cmd(caches / name), proj, env))
        shutil.rmtree(caches, ignore_errors=True)
    uv = {k: statistics.median(v) for k, v in results["uv sync"].items()}
    print(f"sync of {len(list(wheels.glob('*.whl')))} wheels from one uv.lock; medians of "
          f"{args.runs} runs; fresh .venv per run\n")  # fmt: skip
    print("| tool | cold (s) | cold ÷ uv | warm (s) | warm ÷ uv |\n|---|---:|---:|---:|---:|")
    for name, cells in results.items():
        cold, warm = statistics.median(cells["cold"]), statistics.median(cells["warm"])
        ratios = f"{cold / uv['cold']:.2f} | {warm:.2f} | {warm / uv['warm']:.2f}"
        print(f"| {name} | {cold:.2f} | {ratios} |")


if __name__ == "__main__":
    main()
