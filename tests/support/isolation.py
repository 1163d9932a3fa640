"""The environment a test process sees: this machine's env minus everything that configures
pip, uv, keyring or a desktop session, with HOME and the XDG dirs pointing at a fresh dir."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

MACHINE_ENV: Mapping[str, str] = dict(os.environ)
"""The env pytest started with, before any test touched it; tool installs use it."""

DROPPED_PREFIXES = ("PIP_", "UV_", "PIPKEY_", "KEYRING_")
# Trust and proxy variables too: the machine's CA bundle and proxies are not the test's.
TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
_PROXIES = tuple(
    spelling
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    for spelling in (name, name.upper())
)
DROPPED_NAMES = frozenset(
    {
        "PYTHON_KEYRING_BACKEND",
        "NETRC",
        "DBUS_SESSION_BUS_ADDRESS",
        "VIRTUAL_ENV",
        *TRUST_VARIABLES,
        *_PROXIES,
    }
)
KEPT_PATH_DIRS = frozenset({"/usr/sbin", "/usr/bin", "/bin"})
XDG_DIRS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_CACHE_HOME": ".cache",
    "XDG_STATE_HOME": ".local/state",
    "XDG_RUNTIME_DIR": ".run",
}


def _has_keyring_executable(directory: str) -> bool:
    candidate = Path(directory) / "keyring"
    return candidate.is_file() and os.access(candidate, os.X_OK)


def isolated_path(path: str) -> str:
    """PATH without any directory that holds a ``keyring`` executable (system dirs kept)."""
    kept = [
        entry
        for entry in path.split(os.pathsep)
        if entry and (entry in KEPT_PATH_DIRS or not _has_keyring_executable(entry))
    ]
    return os.pathsep.join(kept)


def isolated_environ(base: Mapping[str, str], home: Path) -> dict[str, str]:
    """``base`` cleaned as described in the module docstring; creates the XDG dirs."""
    env = {
        key: value
        for key, value in base.items()
        if not key.startswith(DROPPED_PREFIXES) and key not in DROPPED_NAMES
    }
    env["HOME"] = str(home)
    for key, relative in XDG_DIRS.items():
        directory = home / relative
        directory.mkdir(parents=True, exist_ok=True)
        env[key] = str(directory)
    (home / XDG_DIRS["XDG_RUNTIME_DIR"]).chmod(0o700)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_FIND_LINKS"] = ""
    env["PATH"] = isolated_path(base.get("PATH", os.defpath))
    return env
