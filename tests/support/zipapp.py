"""The single-file pipkey (``scripts/build-zipapp``), built once per test run across workers."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build-zipapp"


def build_zipapp(
    output: Path,
    installer_env: Mapping[str, str],
    extras: Sequence[str] = (),
    python: str | Path = sys.executable,
) -> Path:
    """``scripts/build-zipapp -o OUTPUT [--with EXTRAS]`` with this checkout.

    ``installer_env`` is the machine's own environment: pip needs its registry settings to fetch
    pipkey's dependencies, which the tests themselves must never see.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    with (output.parent / f".{output.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not output.exists():
            command = [str(python), str(SCRIPT), "-o", str(output)]
            uv = _uv()
            if uv is not None:
                command += ["--uv", uv]
            if extras:
                command += ["--with", ",".join(extras)]
            env = {k: v for k, v in installer_env.items() if k != "VIRTUAL_ENV"}
            proc = subprocess.run(command, env=env, capture_output=True, text=True)
            # (pip would do too: uv only resolves faster)
            if proc.returncode != 0:
                raise RuntimeError(f"build-zipapp failed:\n{proc.stdout}{proc.stderr}")
    return output


def _uv() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:
        return None
    return str(find_uv_bin())
