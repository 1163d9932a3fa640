"""What one keyring lookup costs with each provider: in-process vs the keyring CLI.

    python bench/lookup.py [--runs 20]

Same backend for both (keyrings.alt's PlaintextKeyring in a temp dir), same service and user;
the CLI lives in its own venv under bench/.work/ (built once with uv). Prints a markdown table
of median and p90 milliseconds per lookup, plus the cold first in-process lookup (backend
start-up included).
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
WORK = HERE / ".work"
SERVICE = "https://pkgs.example.com/simple/"
BACKEND = "keyrings.alt.file.PlaintextKeyring"


def cli_venv() -> Path:
    venv = WORK / "keyring-cli"
    exe = venv / "bin" / "keyring"
    if not exe.exists():
        uv = shutil.which("uv")
        if uv:
            subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
            subprocess.run(
                [
                    uv,
                    "pip",
                    "install",
                    "-q",
                    "-p",
                    str(venv / "bin" / "python"),
                    "keyring",
                    "keyrings.alt",
                ],
                check=True,
            )
        else:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", "keyring", "keyrings.alt"], check=True
            )
    return exe


def ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.9 * (len(ordered) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    exe = cli_venv()
    with tempfile.TemporaryDirectory() as data:
        os.environ.update(PYTHON_KEYRING_BACKEND=BACKEND, XDG_DATA_HOME=data)
        env = dict(os.environ)
        started = time.perf_counter()
        import keyring

        from pipkey.auth.keyrings import ImportProvider, SubprocessProvider, real_backend

        backend = real_backend()
        keyring.set_password(SERVICE, "alice", "pw")
        cold = time.perf_counter() - started

        def noop(_message: str) -> None:
            pass

        providers = {
            "import (in-process)": ImportProvider(30, noop, backend),
            f"subprocess ({exe})": SubprocessProvider(str(exe), 30, noop, env),
        }
        rows = []
        for name, provider in providers.items():
            for username in ("alice", None):
                samples = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    answer = provider.get(SERVICE, username)
                    samples.append(time.perf_counter() - t)
                    assert answer.outcome in ("hit", "miss"), answer
                median, p90 = ms(samples)
                mode = "with username" if username else "username-less"
                rows.append(f"| {name} | {mode} | {median:.2f} | {p90:.2f} |")
    print("| provider | lookup | median ms | p90 ms |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nin-process backend start-up + first store: {cold * 1000:.0f} ms (once per run)")


if __name__ == "__main__":
    main()
