"""pipkey vs pip 26.3 vs uv on one private index: cold and warm cache, medians, keyring lookups.

Run from the repository root (needs nginx, access to the package registry to fetch the wheels,
pip 26.3 and uv once):

    .venv/bin/python bench/run.py            # static nginx index, 5 runs per cell
    .venv/bin/python bench/run.py --index pypiserver --runs 3 --packages "a b c"
    .venv/bin/python bench/run.py --real     # the real PyPI, no private index (needs internet)

pipkey runs under the interpreter that runs this script: use the project venv, whose
site-packages hold only pipkey's dependencies, as a user's would. pip is pinned to 26.3 in its
own venv (not a venv's bundled pip); uv is the ``uv`` package's binary.

The real wheels of a dependency tree (fetched once with ``pip download`` into ``bench/.work/``)
are served behind nginx ``auth_basic`` either as a **static index with PEP 658 metadata files**
(``--index static``, the default: as fast as real registries and CDNs answer) or by pypiserver
(``--index pypiserver``, slow enough to hide differences). Every tool gets the same index URL with
the username in it and the password from a keyring: the ``keyring`` CLI (in its own venv, holding
the test backend that logs every lookup) for pip, uv and pipkey, plus pipkey with its in-process
keyring. Each run installs into a fresh ``venv --without-pip`` (the previous one is moved aside
and deleted when the bench ends: ``bench/aside.py``); "cold" uses an empty cache,
"warm" a cache filled by an untimed earlier run; the tools take turns run by run, so a noisy
moment hits all of them. Prints a markdown table with ratios to pip and uv.
"""

from __future__ import annotations

import argparse
import compileall
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

from bench.aside import empty, set_aside  # noqa: E402
from tests.support.keyrings import PLUGIN_DIR  # noqa: E402
from tests.support.servers import NginxAuth, free_port  # noqa: E402

PACKAGES = "sphinx requests rich click"
PIP_VERSION = "26.3"
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


def pip_venv() -> Path:
    """pip pinned to the version the issue compares with, in a venv of its own."""
    venv = WORK / f"pip-{PIP_VERSION}-venv"
    if not (venv / "bin" / "pip").exists():
        sh(sys.executable, "-m", "venv", venv)
        proc = sh(venv / "bin" / "python", "-m", "pip", "install", "-q", f"pip=={PIP_VERSION}")
        if proc.returncode != 0:
            sys.exit(f"installing pip {PIP_VERSION} failed:\n{proc.stderr}")
    return venv


@contextmanager
def static_index(wheels: Path) -> Iterator[str]:
    from bench.static_index import build

    yield "static:" + str(build(wheels, WORK / "static"))


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


def tools(
    url: str | None,
    keyring_bin: Path,
    store: Path,
    log: Path,
    reqs: Path,
    baseline: Path | None = None,
    src: Path | None = None,
) -> list[Tool]:
    """The rows of the table. ``url`` None: the real PyPI, no keyring. ``baseline``: another
    checkout's ``src`` run as one more pipkey row (before/after in one alternating run)."""
    keyring_env = {
        "PIPKEY_TEST_KEYRING_FILE": str(store),
        "PIPKEY_TEST_KEYRING_LOG": str(log),
        "PYTHON_KEYRING_BACKEND": "pipkey_test_keyring.JsonKeyring",
        "HOME": str(WORK / "home"),
    }
    cli_env = clean_env({**keyring_env, "PATH": f"{keyring_bin.parent}:{os.environ['PATH']}"})
    inproc_env = clean_env({**keyring_env, "PYTHONPATH": str(PLUGIN_DIR)})
    if src is not None:  # pipkey's rows run that checkout, not this one
        cli_env["PYTHONPATH"] = str(src)
        inproc_env["PYTHONPATH"] = f"{src}:{PLUGIN_DIR}"
    index = ["--index-url", url] if url else []
    provider = (lambda mode: ["--keyring-provider", mode]) if url else (lambda mode: [])
    pipkey = [sys.executable, "-m", "pipkey", "install", "-q", "--isolated", "--python", "{venv}",
              "--cache-dir", "{cache}", *index, "-r", str(reqs)]  # fmt: skip
    pip = [str(pip_venv() / "bin" / "python"), "-m", "pip", "--python", "{venv}", "install", "-q",
           "--cache-dir", "{cache}", *index, *provider("subprocess"), "-r", str(reqs)]  # fmt: skip
    uv = [find_uv(), "pip", "install", "--no-config", "-q", "--python", "{venv}", "--cache-dir",
          "{cache}", *index, *provider("subprocess"), "-r", str(reqs)]  # fmt: skip
    rows = [
        Tool(f"pip {PIP_VERSION}", pip, cli_env),
        Tool("uv", uv, cli_env),
        Tool(
            "pipkey (keyring CLI)",
            [*pipkey, *provider("subprocess")],
            {**cli_env, "PIPKEY_KEYRING_PATH": str(keyring_bin)},
        ),
    ]
    if baseline is not None:
        base_env = {**cli_env, "PIPKEY_KEYRING_PATH": str(keyring_bin), "PYTHONPATH": str(baseline)}
        rows.append(
            Tool("pipkey baseline (keyring CLI)", [*pipkey, *provider("subprocess")], base_env)
        )
    if url:
        rows.append(
            Tool(
                "pipkey (in-process keyring)", [*pipkey, "--keyring-provider", "import"], inproc_env
            )
        )
    return rows


def run_once(tool: Tool, cache: Path, log: Path, packages: list[str]) -> tuple[float, int]:
    venv = WORK / "venvs" / "target"
    set_aside(venv, WORK / "venvs" / "trash")  # not deleted before a timed run: bench/aside.py
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    log.write_text("")
    cmd = [c.replace("{venv}", str(venv)).replace("{cache}", str(cache)) for c in tool.command]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=tool.env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{tool.name} failed:\n{proc.stdout}\n{proc.stderr}")
    code = "import importlib.metadata as m, sys; [m.distribution(p) for p in sys.argv[1:]]"
    check = sh(venv / "bin" / "python", "-c", code, *packages)
    if check.returncode != 0:
        sys.exit(f"{tool.name} left an incomplete environment:\n{check.stderr}")
    lookups = len([line for line in log.read_text().splitlines() if line.strip()])
    return elapsed, lookups


def measure(
    rows: list[Tool], runs: int, log: Path, packages: list[str], *, warm: bool = True
) -> dict[str, dict[str, float]]:
    """Cold then warm; in each round every tool runs once, in turn."""
    caches = WORK / "caches"
    shutil.rmtree(caches, ignore_errors=True)
    samples: dict[str, dict[str, list[float]]] = {
        t.name: {"cold": [], "warm": [], "lookups": []} for t in rows
    }
    for round_ in range(runs):
        for tool in rows:
            cache = caches / f"cold-{round_}"
            seconds, calls = run_once(tool, cache, log, packages)
            samples[tool.name]["cold"].append(seconds)
            samples[tool.name]["lookups"].append(calls)
            set_aside(cache, WORK / "venvs" / "trash")
    for tool in rows if warm else ():
        run_once(tool, caches / f"warm-{tool.name}", log, packages)  # fill, untimed
    for _round in range(runs if warm else 0):
        for tool in rows:
            seconds, calls = run_once(tool, caches / f"warm-{tool.name}", log, packages)
            samples[tool.name]["warm"].append(seconds)
            samples[tool.name]["lookups"].append(calls)
    shutil.rmtree(caches, ignore_errors=True)
    empty(WORK / "venvs" / "trash")
    (WORK / "samples.json").write_text(json.dumps(samples, indent=1))  # every run, in order
    return {
        name: {
            key: statistics.median(values) if values else float("nan")
            for key, values in cells.items()
        }
        for name, cells in samples.items()
    }


def table(results: dict[str, dict[str, float]], where: str, runs: int) -> str:
    pip, uv = results[f"pip {PIP_VERSION}"], results["uv"]
    lines = [
        f"{where}; medians of {runs} runs; fresh venv per run",
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
    parser.add_argument("--index", choices=["static", "pypiserver"], default="static")
    parser.add_argument("--real", action="store_true", help="install from the real PyPI")
    parser.add_argument("--cold-only", action="store_true", help="skip the warm rounds")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout's src/: one more pipkey row, before/after"
    )
    parser.add_argument("--src", type=Path, help="the src/ pipkey's own rows run (default: this)")
    args = parser.parse_args()
    for other in (args.baseline, args.src):
        if other is not None:
            compileall.compile_dir(other / "pipkey", quiet=1)
    WORK.mkdir(parents=True, exist_ok=True)
    # An installed pipkey has byte code beside its modules; this checkout may have none (this
    # machine sets PYTHONDONTWRITEBYTECODE), which would time compiling pipkey, not running it.
    compileall.compile_dir(ROOT / "src" / "pipkey", quiet=1)
    packages = args.packages.split()
    reqs = WORK / "requirements.txt"
    reqs.write_text("\n".join(packages) + "\n")
    kr = keyring_venv()
    store, log = WORK / "keyring.json", WORK / "keyring.log"
    if args.real:
        rows = tools(None, kr / "bin" / "keyring", store, log, reqs, args.baseline, args.src)
        results = measure(rows, args.runs, log, packages, warm=not args.cold_only)
        print(table(results, f"the real PyPI: {args.packages}", args.runs))
        return
    wheels = fetch_wheels(args.packages)
    upstream_cm = static_index(wheels) if args.index == "static" else upstream_index(wheels)
    with (
        upstream_cm as upstream,
        NginxAuth(upstream, {USER: PASSWORD}, workdir=WORK / "nginx") as proxy,
    ):
        url = proxy.url.replace("http://", f"http://{USER}@")
        store.write_text(json.dumps({s: {USER: PASSWORD} for s in (proxy.url, url,
                         f"127.0.0.1:{proxy.port}", proxy.root)}))  # fmt: skip
        rows = tools(url, kr / "bin" / "keyring", store, log, reqs, args.baseline, args.src)
        results = measure(rows, args.runs, log, packages, warm=not args.cold_only)
    what = "static nginx index with PEP 658 metadata" if args.index == "static" else "pypiserver"
    count = len(list(wheels.glob("*.whl")))
    print(
        table(
            results,
            f"{count} wheels ({args.packages}) from a {what} behind nginx auth_basic",
            args.runs,
        )
    )


if __name__ == "__main__":
    main()
