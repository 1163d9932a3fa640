"""Real keyrings for tests: a keyring CLI in its own venv, a JSON backend that logs its calls,
keyrings.alt's plaintext file, and a headless GNOME Secret Service on a private D-Bus."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

import keyring.backend
import keyring.core

from tests.support.lifecycle import Lifecycle

PLUGIN_DIR = Path(__file__).with_name("keyring_plugin")
JSON_BACKEND = "pipkey_test_keyring.JsonKeyring"
PLAINTEXT_BACKEND = "keyrings.alt.file.PlaintextKeyring"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
FAIL_BACKEND = "keyring.backends.fail.Keyring"


def load_backend(name: str) -> keyring.backend.KeyringBackend:
    """A fresh backend instance, so paths and env are read now, not when keyring first ran."""
    return keyring.core.load_keyring(name)


# --- keyring CLI in its own venv -------------------------------------------------------------


@dataclass(frozen=True)
class KeyringCLI:
    """A ``keyring`` executable that is not on PATH, as in a Docker image that lacks it."""

    path: Path
    version: str
    venv: Path

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.path), *args],
            env=dict(os.environ if env is None else env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )


def _uv(env: Mapping[str, str]) -> str | None:
    """uv builds these venvs in about a second; pip takes several."""
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv", path=env.get("PATH"))
    return find_uv_bin()


def build_keyring_cli(
    venv: Path, keyring_spec: str, installer_env: Mapping[str, str]
) -> KeyringCLI:
    """Create ``venv`` with ``keyring_spec`` and the test plugin (once per run across workers).

    ``installer_env`` is the machine's own environment: installing needs its registry
    settings, which the tests themselves must never see.
    """
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f".{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = venv / ".pipkey-complete"
        if not done.exists():
            shutil.rmtree(venv, ignore_errors=True)
            _install(venv, [keyring_spec, str(PLUGIN_DIR)], installer_env)
            done.touch()
    python = venv / "bin" / "python"
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('keyring'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return KeyringCLI(path=venv / "bin" / "keyring", version=version, venv=venv)


def _install(venv: Path, requirements: list[str], env: Mapping[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "VIRTUAL_ENV"}
    python = venv / "bin" / "python"
    uv = _uv(env)
    if uv is not None:
        commands = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "--quiet", "--python", str(python), *requirements],
        ]
    else:
        commands = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", *requirements],
        ]
    for command in commands:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


# --- JSON test backend -----------------------------------------------------------------------


@dataclass
class JsonKeyring:
    """Steers the ``pipkey_test_keyring`` backend: its store, its call log, its env."""

    file: Path
    log: Path
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        pythonpath = os.pathsep.join(
            p for p in (str(PLUGIN_DIR), os.environ.get("PYTHONPATH", "")) if p
        )
        self.env = {
            "PIPKEY_TEST_KEYRING_FILE": str(self.file),
            "PIPKEY_TEST_KEYRING_LOG": str(self.log),
            "PYTHON_KEYRING_BACKEND": JSON_BACKEND,
            "PYTHONPATH": pythonpath,
        }
        if not self.file.exists():
            self.file.write_text("{}")

    def _store(self) -> dict[str, dict[str, str]]:
        data: dict[str, dict[str, str]] = json.loads(self.file.read_text() or "{}")
        return data

    def _write(self, store: dict[str, dict[str, str]]) -> None:
        temporary = self.file.with_name(f".{self.file.name}.tmp")
        temporary.write_text(json.dumps(store, indent=2, sort_keys=True))
        temporary.replace(self.file)

    def set(self, service: str, username: str, password: str) -> None:
        """Write straight to the file (not through the backend), so no call is logged."""
        store = self._store()
        store.setdefault(service, {})[username] = password
        self._write(store)

    def remove(self, service: str, username: str) -> None:
        store = self._store()
        store.get(service, {}).pop(username, None)
        self._write({service: users for service, users in store.items() if users})

    def calls(self, op: str | None = None) -> list[dict[str, object]]:
        if not self.log.exists():
            return []
        entries = [json.loads(line) for line in self.log.read_text().splitlines() if line]
        return [entry for entry in entries if op is None or entry["op"] == op]

    def clear_calls(self) -> None:
        self.log.write_text("")


# --- keyrings.alt plaintext file -------------------------------------------------------------


@dataclass(frozen=True)
class PlaintextKeyring:
    """keyrings.alt's file backend; its file lives under the test's XDG_DATA_HOME."""

    def set(self, service: str, username: str, password: str) -> None:
        load_backend(PLAINTEXT_BACKEND).set_password(service, username, password)

    @property
    def file(self) -> Path:
        return Path(load_backend(PLAINTEXT_BACKEND).file_path)  # type: ignore[attr-defined]


# --- GNOME Secret Service on a private session bus -------------------------------------------

_BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
SECRETS_BUS_NAME = "org.freedesktop.secrets"
SECRET_SERVICE_TOOLS = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon", "secret-tool")
_secret_tool_checked = False


class SecretService(Lifecycle):
    """dbus-daemon + ``gnome-keyring-daemon --unlock``, as on a headless Linux box.

    The bus config lists no service directories, so nothing gets auto-activated behind the
    test's back: every process here is one this object started and will stop.
    """

    def __init__(self, runtime_dir: Path, env: Mapping[str, str]) -> None:
        self.runtime_dir = runtime_dir
        self.base_env = dict(env)
        self.address = ""
        self.log_path = runtime_dir / "secret-service.log"
        self._processes: list[subprocess.Popen[str]] = []

    @property
    def env(self) -> dict[str, str]:
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND,
        }

    def start(self) -> Self:
        config = self.runtime_dir / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=self.runtime_dir / "bus"))
        with self.log_path.open("a") as log:
            bus = self._spawn(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile",
                 "--print-address=1"],
                stdout=subprocess.PIPE, stderr=log,
            )  # fmt: skip
            assert bus.stdout is not None
            self.address = bus.stdout.readline().strip()
            if not self.address:
                self.stop()
                raise RuntimeError(f"dbus-daemon did not start: {self.log_path.read_text()}")
            daemon = self._spawn(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=log, stderr=log,
            )  # fmt: skip
        assert daemon.stdin is not None
        daemon.stdin.write("pipkey-test-login")
        daemon.stdin.close()
        self._wait_for_secrets()
        self._check_with_secret_tool()
        return self

    def _spawn(
        self,
        command: list[str],
        *,
        stdin: int | None = None,
        stdout: int | IO[str],
        stderr: IO[str],
    ) -> subprocess.Popen[str]:
        env = {**self.base_env, "DBUS_SESSION_BUS_ADDRESS": self.address}
        process = subprocess.Popen(
            command, env=env, text=True, stdin=stdin, stdout=stdout, stderr=stderr
        )
        self._processes.append(process)
        return process

    def _wait_for_secrets(self) -> None:
        query = [
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
            f"string:{SECRETS_BUS_NAME}",
        ]  # fmt: skip
        env = {**self.base_env, "DBUS_SESSION_BUS_ADDRESS": self.address}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            reply = subprocess.run(query, env=env, capture_output=True, text=True, check=False)
            if "boolean true" in reply.stdout:
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"gnome-keyring-daemon never took {SECRETS_BUS_NAME}")

    def _check_with_secret_tool(self) -> None:
        """Once per process: libsecret's own client can store and read back an item."""
        global _secret_tool_checked
        if _secret_tool_checked:
            return
        env = {**self.base_env, **self.env}
        attributes = ["pipkey-fixture-check", "1"]
        steps = [
            (["secret-tool", "store", "--label=pipkey check", *attributes], "ok"),
            (["secret-tool", "lookup", *attributes], None),
            (["secret-tool", "clear", *attributes], None),
        ]
        outputs = [
            subprocess.run(cmd, input=stdin, env=env, capture_output=True, text=True, check=True)
            for cmd, stdin in steps
        ]
        if outputs[1].stdout != "ok":
            self.stop()
            raise RuntimeError(f"secret-tool lookup returned {outputs[1].stdout!r}, not 'ok'")
        _secret_tool_checked = True

    def set(self, service: str, username: str, password: str) -> None:
        load_backend(SECRET_SERVICE_BACKEND).set_password(service, username, password)

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
            for stream in (process.stdin, process.stdout):
                if stream is not None and not stream.closed:
                    stream.close()
        self._processes.clear()
