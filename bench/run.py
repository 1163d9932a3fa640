"""pipkey vs pip vs uv on one private index: cold and warm cache, medians, keyring lookups.

Run from the repository root (needs nginx, network access to fetch the wheels once, and uv —
``pip install uv`` when it is missing):

    .venv/bin/python bench/run.py  # 5 runs per cell; --runs N, --packages "a b c"

pipkey runs under the interpreter that runs this script: use the project venv, whose
site-packages hold only pipkey's dependencies, as a user's would.

About 30 real wheels (a real dependency tree, fetched once with ``pip download`` into
``bench/.work/``) are served by pypiserver behind nginx ``auth_basic``. Every tool gets the same
index URL with the username in it and the password from a keyring: the ``keyring`` CLI (in its
own venv, holding the test backend that logs every lookup) for pip, uv and pipkey, plus pipkey
with its in-process keyring as a fourth row. Each run installs into a fresh ``venv
--without-pip``; "cold" uses an empty cache, "warm" a cache filled by an untimed earlier run.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
sys.path.insert(0, str(ROOT))

from tests.support.keyrings import PLUGIN_DIR  # noqa: E402
from tests.support.servers import NginxAuth, free_port  # noqa: E402

PACKAGES = "requests rich httpx flask pydantic pyyaml"
USER, PASSWORD = "bench", "bench-s3cret"


@dataclass(frozen=True)
class Tool:
    name: str
    command: list[str]  # {venv} and {cache} are substituted
    env: dict[str, str]


def sh(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, check=False
    )


def fetch_wheels(packages: str) -> Path:
    wheels = WORK / "wheels"
    stamp = WORK / "wheels.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == packages:
        return wheels
    shutil.rmtree(wheels, ignore_errors=True)
    proc = sh(sys.executable, "-m", "pip", "download", "--only-binary=:all:", "-d", wheels,
              *packages.split())  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"pip download failed:\n{proc.stderr}")
    stamp.write_text(json.dumps(packages))
    return wheels


def keyring_venv() -> Path:
    venv = WORK / "keyring-venv"
    if not (venv / "bin" / "keyring").exists():
        sh(sys.executable, "-m", "venv", venv)
        proc = sh(venv / "bin" / "pip", "install", "-q", "keyring", PLUGIN_DIR)
        if proc.returncode != 0:
            sys.exit(f"installing the keyring CLI failed:\n{proc.stderr}")
    return venv


def server_venv() -> Path:
    """pypiserver with a threaded WSGI server (paste): its default, wsgiref, serves one request
    at a time with a listen backlog of 5, so parallel clients stall on 1 s SYN retries — a
    benchmark of the server, not of the installers."""
    venv = WORK / "server-venv"
    if not (venv / "bin" / "pypi-server").exists():
        sh(sys.executable, "-m", "venv", venv)
        proc = sh(venv / "bin" / "pip", "install", "-q", "pypiserver", "passlib", "paste")
        if proc.returncode != 0:
            sys.exit(f"installing pypiserver failed:\n{proc.stderr}")
    return venv


@contextmanager
def upstream_index(wheels: Path) -> Iterator[str]:
    port = free_port()
    log = (WORK / "pypiserver.log").open("w")
    proc = subprocess.Popen(
        [server_venv() / "bin" / "pypi-server", "run", "-i", "127.0.0.1", "-p", str(port),
         "-a", ".", "-P", ".", "--disable-fallback", "--server", "paste", str(wheels)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(root + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("pypiserver did not start; see bench/.work/pypiserver.log")
        yield root
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def find_uv() -> str:
    """The real uv binary from the ``uv`` package of this interpreter (installed on demand).

    Not ``shutil.which``: a pyenv shim runs ``pyenv exec``, which puts the global Python's bin
    directory first on PATH — and uv would then call *that* ``keyring``, not the bench's.
    """
    code = "import uv; print(uv.find_uv_bin())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        sh(sys.executable, "-m", "pip", "install", "-q", "uv")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"uv is not available: {proc.stderr.strip()}")
    return proc.stdout.strip()


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "PIPKEY_", "KEYRING_", "VIRTUAL_ENV"))
        and k not in ("PYTHON_KEYRING_BACKEND", "PYTHONPATH")
    }
    env.update(PIP_CONFIG_FILE="/dev/null", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def tools(url: str, keyring_bin: Path, store: Path, log: Path, reqs: Path) -> list[Tool]:
    keyring_env = {
        "PIPKEY_TEST_KEYRING_FILE": str(store),
        "PIPKEY_TEST_KEYRING_LOG": str(log),
        "PYTHON_KEYRING_BACKEND": "pipkey_test_keyring.JsonKeyring",
        "HOME": str(WORK / "home"),
    }
    cli_env = clean_env({**keyring_env, "PATH": f"{keyring_bin.parent}:{os.environ['PATH']}"})
    inproc_env = clean_env({**keyring_env, "PYTHONPATH": str(PLUGIN_DIR)})
    pipkey = [sys.executable, "-m", "pipkey", "install", "--isolated", "--python", "{venv}",
              "--cache-dir", "{cache}", "--index-url", url, "-r", str(reqs)]  # fmt: skip
    return [
        Tool(
            "pip",
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                "{venv}",
                "install",
                "-q",
                "--cache-dir",
                "{cache}",
                "--index-url",
                url,
                "--keyring-provider",
                "subprocess",
                "-r",
                str(reqs),
            ],
            cli_env,
        ),
        Tool(
            "uv",
            [
                find_uv(),
                "pip",
                "install",
                "--no-config",
                "-q",
                "--python",
                "{venv}",
                "--cache-dir",
                "{cache}",
                "--index-url",
                url,
                "--keyring-provider",
                "subprocess",
                "-r",
                str(reqs),
            ],
            cli_env,
        ),
        Tool(
            "pipkey (keyring CLI)",
            [*pipkey, "--keyring-provider", "subprocess"],
            {**cli_env, "PIPKEY_KEYRING_PATH": str(keyring_bin)},
        ),
        Tool("pipkey (in-process keyring)", [*pipkey, "--keyring-provider", "import"], inproc_env),
    ]


def run_once(tool: Tool, cache: Path, log: Path, n: int) -> tuple[float, int]:
    venv = WORK / "venvs" / f"{n}"
    shutil.rmtree(venv, ignore_errors=True)
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    log.write_text("")
    cmd = [c.replace("{venv}", str(venv)).replace("{cache}", str(cache)) for c in tool.command]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=tool.env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{tool.name} failed:\n{proc.stdout}\n{proc.stderr}")
    check = sh(venv / "bin" / "python", "-c", "import requests, rich, httpx, flask, pydantic, yaml")
    if check.returncode != 0:
        sys.exit(f"{tool.name} left a broken environment:\n{check.stderr}")
    lookups = len([line for line in log.read_text().splitlines() if line.strip()])
    return elapsed, lookups


def measure(tool: Tool, runs: int, log: Path) -> dict[str, float]:
    caches = WORK / "caches"
    cold, warm, lookups = [], [], []
    for i in range(runs):
        cache = caches / f"{tool.name}-cold-{i}"
        shutil.rmtree(cache, ignore_errors=True)
        seconds, calls = run_once(tool, cache, log, i)
        cold.append(seconds)
        lookups.append(calls)
        shutil.rmtree(cache, ignore_errors=True)
    warm_cache = caches / f"{tool.name}-warm"
    shutil.rmtree(warm_cache, ignore_errors=True)
    run_once(tool, warm_cache, log, 0)  # fill the cache, untimed
    for i in range(runs):
        seconds, calls = run_once(tool, warm_cache, log, i)
        warm.append(seconds)
        lookups.append(calls)
    shutil.rmtree(warm_cache, ignore_errors=True)
    return {
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
        "lookups": statistics.median(lookups),
    }


def table(results: dict[str, dict[str, float]], wheels: int, runs: int) -> str:
    pip, uv = results["pip"], results["uv"]
    lines = [
        f"{wheels} wheels from pypiserver behind nginx auth_basic; medians of {runs} runs; "
        "fresh venv per run",
        "",
        "| tool | cold (s) | cold ÷ pip | cold ÷ uv | warm (s) | warm ÷ pip | warm ÷ uv "
        "| keyring lookups/run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['cold']:.2f} | {r['cold'] / pip['cold']:.2f} | "
            f"{r['cold'] / uv['cold']:.2f} | {r['warm']:.2f} | {r['warm'] / pip['warm']:.2f} | "
            f"{r['warm'] / uv['warm']:.2f} | {r['lookups']:g} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--packages", default=PACKAGES)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    wheels = fetch_wheels(args.packages)
    reqs = WORK / "requirements.txt"
    reqs.write_text("\n".join(args.packages.split()) + "\n")
    kr = keyring_venv()
    store, log = WORK / "keyring.json", WORK / "keyring.log"
    with (
        upstream_index(wheels) as upstream,
        NginxAuth(upstream, {USER: PASSWORD}, workdir=WORK / "nginx") as proxy,
    ):
        url = proxy.url.replace("http://", f"http://{USER}@")
        store.write_text(json.dumps({s: {USER: PASSWORD} for s in (proxy.url, url,
                         f"127.0.0.1:{proxy.port}", proxy.root)}))  # fmt: skip
        results = {}
        for tool in tools(url, kr / "bin" / "keyring", store, log, reqs):
            print(f"running {tool.name} …", file=sys.stderr)
            results[tool.name] = measure(tool, args.runs, log)
    print(table(results, len(list(wheels.glob("*.whl"))), args.runs))


if __name__ == "__main__":
    main()
