"""Keyring providers: the keyring library in-process, or the keyring CLI as a subprocess.

Every call is bounded in time; a provider that hangs, crashes or reports a broken backend says so
once and is skipped for the rest of the run.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from pipkey.auth import plugin_output
from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.deadline import Timeout, call_with_timeout
from pipkey.auth.discovery import Discovery, find_keyring
from pipkey.auth.redact import redact_text
from pipkey.auth.settings import KeyringProviderName

Warn = Callable[[str], None]
_LEGACY_USAGE = re.compile(r"unrecognized arguments|invalid choice")

log = logging.getLogger("pipkey.auth.keyring")


@dataclass(frozen=True)
class KeyringAnswer:
    credentials: Credentials | None
    outcome: str  # "hit", "miss", "error", "timeout", "needs username", "skipped", "refused"
    detail: str = ""


class KeyringProvider(Protocol):
    kind: str

    @property
    def label(self) -> str: ...

    @property
    def usernameless(self) -> bool:
        """Whether a lookup without a username can be answered at all."""
        ...

    def get(self, service: str, username: str | None) -> KeyringAnswer: ...


class _Base:
    kind = "keyring"

    def __init__(self, timeout: float, warn: Warn) -> None:
        self.timeout = timeout
        self._warn = warn
        self._broken: str | None = None
        self._lock = threading.Lock()
        self.calls = 0
        self.seconds = 0.0

    @property
    def broken(self) -> str | None:
        """Why keyring was switched off for this run (a crash, a timeout), if it was."""
        return self._broken

    def _disable(self, reason: str) -> None:
        """Remember why keyring is unusable; said only with -v here. The user sees the reason
        where it matters: in the error of a request that needed credentials and got none (the
        attempt's detail) — not on a run that never needed keyring, or got credentials from
        another source (issue 21: the broken-backend warning only when keyring was needed)."""
        with self._lock:
            if self._broken is None:
                self._broken = reason
                log.info("%s; keyring is skipped for the rest of this run", reason)

    def _answer(self, service: str, username: str, password: str) -> KeyringAnswer:
        user = f", user {username}" if username else ""
        source = Source("keyring", f"{self.label}, service {service}{user}")
        return KeyringAnswer(Credentials(username, password, source=source), "hit")

    @property
    def label(self) -> str:
        raise NotImplementedError

    def _lookup(self, service: str, username: str | None) -> KeyringAnswer:
        raise NotImplementedError

    def get(self, service: str, username: str | None) -> KeyringAnswer:
        if self._broken is not None:
            return KeyringAnswer(None, "skipped", self._broken)
        started = time.perf_counter()
        try:
            return self._lookup(service, username)
        finally:
            with self._lock:
                self.calls += 1
                self.seconds += time.perf_counter() - started


class DisabledProvider:
    kind = "keyring"
    label = "keyring disabled"
    usernameless = False

    def __init__(self, reason: str = "keyring provider is disabled") -> None:
        self.reason = reason

    def get(self, service: str, username: str | None) -> KeyringAnswer:
        return KeyringAnswer(None, "skipped", self.reason)


class ChainProvider:
    """``auto`` when both exist: the in-process keyring first, then the keyring CLI.

    A keyring tool installed apart (``uv tool install keyring --with
    keyrings.google-artifactregistry-auth``) often holds the cloud plugin pipkey's own environment
    lacks; asking it after an in-process miss is what makes that set-up work without flags."""

    kind = "keyring"

    def __init__(self, first: ImportProvider, second: SubprocessProvider) -> None:
        self.first = first
        self.second = second

    @property
    def label(self) -> str:
        return f"{self.first.label}, then {self.second.label}"

    @property
    def usernameless(self) -> bool:
        return self.first.usernameless or self.second.usernameless

    @property
    def calls(self) -> int:
        return self.first.calls + self.second.calls

    def get(self, service: str, username: str | None) -> KeyringAnswer:
        answer = self.first.get(service, username)
        if answer.credentials is not None:
            return answer
        other = self.second.get(service, username)
        return other if other.credentials is not None or answer.outcome == "miss" else answer


def import_keyring() -> ModuleType:
    """The keyring library, minus a cost it pays off macOS: its macOS backend module calls
    ``ctypes.util.find_library`` at import, which on Linux runs ldconfig and gcc (~90 ms of every
    backend start-up) for a backend that then reports "macOS required". A None entry makes that
    import fail at once; the backend is left out exactly as before."""
    if sys.platform != "darwin":
        sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]
    import keyring

    return keyring


def real_backend() -> Any | None:
    """The active keyring backend, or ``None`` when it is ``fail``, ``null`` or an empty chain."""
    keyring = import_keyring()
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class ImportProvider(_Base):
    """The keyring library in this process: no subprocess, no PATH, plugins included."""

    usernameless = True

    def __init__(self, timeout: float, warn: Warn, backend: Any | None = None) -> None:
        super().__init__(timeout, warn)
        self._backend = backend

    @property
    def label(self) -> str:
        name = backend_name(self._backend) if self._backend is not None else "default backend"
        return f"keyring (in-process, {name})"

    def _lookup(self, service: str, username: str | None) -> KeyringAnswer:
        keyring = import_keyring()

        said: list[str] = []  # filled with what the plugin wrote to stderr, once it returns

        def call() -> tuple[str | None, str | None]:
            with plugin_output.captured(said):
                if username is None:
                    cred = keyring.get_credential(service, None)
                    return (cred.username, cred.password) if cred else (None, None)
                return username, keyring.get_password(service, username)

        try:
            found_user, password = call_with_timeout(call, self.timeout, "keyring lookup")
        except Timeout:
            self._disable(
                f"keyring backend did not answer within {self.timeout:g} s for service "
                f"{service} (locked or waiting for a dialog?)"
            )
            return KeyringAnswer(None, "timeout", f"no answer within {self.timeout:g} s")
        except Exception as exc:
            # Plugins raise rather than return None (GAR: "Failed to find credentials, …"):
            # their own first line is the reason the user needs, once.
            reason = redact_text(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
            reason = f"{type(exc).__name__}: {reason[:300]}" if reason else type(exc).__name__
            if (plugin_error := plugin_output.error_line(said)) is not None:
                reason = f"{reason} (plugin said: {plugin_error})"
            self._disable(f"keyring backend failed: {reason}")
            return KeyringAnswer(None, "error", reason)
        if password is None:
            return KeyringAnswer(None, "miss")
        return self._answer(service, found_user or "", password)


class SubprocessProvider(_Base):
    """The ``keyring`` CLI: ``keyring --mode creds --output json get SERVICE [USER]``.

    CLIs older than 25.2.1 reject ``--mode`` with an argparse usage error (exit 2; "unrecognized
    arguments", or, measured with keyring 25.1.0, "invalid choice: 'creds'"); they are then asked
    ``keyring get SERVICE USER``, which needs a username.
    """

    def __init__(
        self, executable: str, timeout: float, warn: Warn, environ: Mapping[str, str]
    ) -> None:
        super().__init__(timeout, warn)
        self.executable = executable
        self._env = {**environ, "PYTHONIOENCODING": "utf-8"}
        self.legacy = False

    @property
    def label(self) -> str:
        return f"keyring CLI {self.executable}"

    @property
    def usernameless(self) -> bool:
        return not self.legacy

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.executable, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=self.timeout,
            env=self._env,
            check=False,
        )

    def save(self, service: str, username: str, password: str) -> str | None:
        """``keyring set SERVICE USER`` with the password on stdin (the CLI reads a pipe), as pip
        saves prompted credentials; None when saved, else why not."""
        if username.startswith("-"):
            return f"username {username!r} starts with '-'"
        try:
            proc = subprocess.run(
                [self.executable, "--", "set", service, username],
                input=password + "\n",
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=self.timeout,
                env=self._env,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{self.label} could not be run: {type(exc).__name__}"
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            return redact_text(lines[-1] if lines else f"exit status {proc.returncode}")
        return None

    def _lookup(self, service: str, username: str | None) -> KeyringAnswer:
        if username is not None and username.startswith("-"):
            # A URL-derived username (``http://--disable@host/``) must never become an option of
            # someone else's program; ``--`` below already prevents it, this says so plainly.
            return KeyringAnswer(
                None,
                "refused",
                f"username {username!r} starts with '-' and is not passed to the keyring CLI",
            )
        try:
            if not self.legacy:
                # ``--`` ends the options: a service or username can never become one
                # (``--disable`` would turn keyring off for every tool on the machine).
                args = ["--mode", "creds", "--output", "json", "--", "get", service]
                proc = self._run([*args, username] if username else args)
                if proc.returncode == 2 and _LEGACY_USAGE.search(proc.stderr):
                    self.legacy = True
                else:
                    return self._creds_answer(service, proc)
            if username is None:
                return KeyringAnswer(
                    None,
                    "needs username",
                    "keyring CLI older than 25.2.1 needs a username: put it in the index URL "
                    "or the index's `username` setting",
                )
            proc = self._run(["--", "get", service, username])
        except subprocess.TimeoutExpired:
            self._disable(
                f"{self.label} did not answer within {self.timeout:g} s for service {service}"
            )
            return KeyringAnswer(None, "timeout", f"no answer within {self.timeout:g} s")
        except OSError as exc:
            self._disable(f"{self.label} could not be run: {exc.strerror or exc}")
            return KeyringAnswer(None, "error", "could not be run")
        if proc.returncode == 0:
            return self._answer(service, username, proc.stdout.rstrip("\r\n"))
        return self._failure(proc)

    def _creds_answer(self, service: str, proc: subprocess.CompletedProcess[str]) -> KeyringAnswer:
        if proc.returncode != 0:
            return self._failure(proc)
        try:
            data = json.loads(proc.stdout)
            user, password = data.get("username") or "", data["password"]
        except (ValueError, KeyError, TypeError, AttributeError):
            self._disable(f"{self.label} printed something that is not creds JSON")
            return KeyringAnswer(None, "error", "unreadable output")
        if not isinstance(password, str):
            return KeyringAnswer(None, "miss")
        return self._answer(service, str(user), password)

    def _failure(self, proc: subprocess.CompletedProcess[str]) -> KeyringAnswer:
        stderr = proc.stderr.strip()
        if proc.returncode == 1 and not stderr:
            return KeyringAnswer(None, "miss")
        last = redact_text(stderr.splitlines()[-1]) if stderr else f"exit status {proc.returncode}"
        self._disable(f"{self.label} reports a broken backend: {last}")
        return KeyringAnswer(None, "error", f"reports a broken backend: {last}")


def select_provider(
    name: KeyringProviderName,
    *,
    keyring_path: str | None,
    timeout: float,
    environ: Mapping[str, str],
    warn: Warn,
) -> tuple[KeyringProvider, Discovery | None]:
    """Choose the provider for ``name``; ``auto`` prefers in-process, then the CLI, then none."""
    if name == "disabled":
        return DisabledProvider(), None
    if name in ("import", "auto"):
        try:
            backend = call_with_timeout(real_backend, timeout, "keyring backend start-up")
        except Timeout:
            warn(f"the keyring backend did not start within {timeout:g} s; keyring is skipped")
            return DisabledProvider("keyring backend start-up timed out"), None
        except Exception as exc:
            backend = None
            if name == "import":
                warn(f"the keyring library failed to start: {type(exc).__name__}: {exc}")
        if backend is not None:
            in_process = ImportProvider(timeout, warn, backend)
            if name == "auto":
                discovery = find_keyring(
                    keyring_path or environ.get("PIPKEY_KEYRING_PATH"), environ
                )
                if discovery.path is not None:
                    cli = SubprocessProvider(discovery.path, timeout, warn, environ)
                    return ChainProvider(in_process, cli), discovery
            return in_process, None
        if name == "import":
            return DisabledProvider("no usable keyring backend in this process"), None
    discovery = find_keyring(keyring_path or environ.get("PIPKEY_KEYRING_PATH"), environ)
    if discovery.path is not None:
        return SubprocessProvider(discovery.path, timeout, warn, environ), discovery
    if name == "subprocess":
        warn(
            "--keyring-provider subprocess was requested but no `keyring` executable was found "
            f"(searched: {', '.join(discovery.searched)}). Fix: `uv tool install keyring` or "
            "`pipx install keyring` and put its bin directory on PATH, set PIPKEY_KEYRING_PATH "
            "to the executable, or use --keyring-provider import"
        )
    return DisabledProvider("no keyring backend or executable found"), discovery
