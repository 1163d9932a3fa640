"""The real uv as a peer in tests: where its binary is, an environment that keeps it offline
(no Python downloads, this interpreter, a cache under the test's HOME), and what a venv holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def uv_bin() -> str:
    import uv

    return str(uv.find_uv_bin())


def uv_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": sys.executable,
        "UV_CACHE_DIR": str(Path(os.environ["HOME"]) / "uv-cache"),
        **(extra or {}),
    }


def installed(venv: Path) -> set[str]:
    """Names of the distributions in ``venv`` (from their dist-info directories)."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {p.name.split("-")[0] for p in site.glob("*.dist-info")}


def module_value(venv: Path, module: str) -> str:
    """``module.VALUE`` as ``venv``'s interpreter imports it."""
    code = f"import {module}; print({module}.VALUE)"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout.strip()


def uv_lock(project: Path, home: Path, username: str, password: str) -> None:
    """The real uv writes ``project/uv.lock``; the index named ``private`` gets its
    credentials from uv's own variables (uv is the peer here, not the system under test)."""
    env = uv_env({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                  "UV_INDEX_PRIVATE_USERNAME": username,
                  "UV_INDEX_PRIVATE_PASSWORD": password})  # fmt: skip
    proc = subprocess.run([uv_bin(), "lock"], cwd=project, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def seed_env(keyring_cli: Path, username: str) -> dict[str, str]:
    """The seed's Docker set-up for the ``private`` index: the keyring CLI (not on PATH) for the
    password, the username from ``UV_INDEX_PRIVATE_USERNAME``."""
    return {
        **os.environ,
        "UV_KEYRING_PROVIDER": "subprocess",
        "UV_INDEX_PRIVATE_USERNAME": username,
        "PIPKEY_KEYRING_PATH": str(keyring_cli),
    }
