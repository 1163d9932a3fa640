"""A keyring backend that tests can read and steer through environment variables.

The store is a JSON file (``{service: {username: password}}``) re-read on every call, so a
test can rewrite it mid-run to play a token refresh. Every call appends one JSON line to a
log, so a test can count lookups across processes. ``PIPKEY_TEST_KEYRING_SLEEP`` makes it
hang, ``PIPKEY_TEST_KEYRING_RAISE`` makes it crash. With neither the file nor the log
configured its priority is negative: installed somewhere, it never takes over a keyring.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.credentials import SimpleCredential
from keyring.errors import PasswordDeleteError

FILE_VAR = "PIPKEY_TEST_KEYRING_FILE"
LOG_VAR = "PIPKEY_TEST_KEYRING_LOG"
SLEEP_VAR = "PIPKEY_TEST_KEYRING_SLEEP"
RAISE_VAR = "PIPKEY_TEST_KEYRING_RAISE"

Store = dict[str, dict[str, str]]


def _enter(op: str, service: str, username: str | None) -> None:
    """What every call does first: log, hang when asked, crash when asked."""
    log = os.environ.get(LOG_VAR)
    if log:
        entry = {"op": op, "service": service, "username": username, "pid": os.getpid()}
        descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, (json.dumps(entry) + "\n").encode())
        finally:
            os.close(descriptor)
    delay = os.environ.get(SLEEP_VAR)
    if delay:
        time.sleep(float(delay))
    if os.environ.get(RAISE_VAR):
        raise RuntimeError("pipkey test keyring: crash requested by PIPKEY_TEST_KEYRING_RAISE")


def _store_path() -> Path:
    path = os.environ.get(FILE_VAR)
    if not path:
        raise RuntimeError(f"pipkey test keyring: {FILE_VAR} is not set")
    return Path(path)


def _load() -> Store:
    path = _store_path()
    if not path.exists():
        return {}
    data: Store = json.loads(path.read_text() or "{}")
    return data


def _save(store: Store) -> None:
    path = _store_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(store, indent=2, sort_keys=True))
    temporary.replace(path)


class JsonKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        return 20 if os.environ.get(FILE_VAR) or os.environ.get(LOG_VAR) else -1

    def get_password(self, service: str, username: str) -> str | None:
        _enter("get_password", service, username)
        return _load().get(service, {}).get(username)

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        _enter("get_credential", service, username)
        users = _load().get(service, {})
        if username is None:
            username = next(iter(users), None)
        if username is None or username not in users:
            return None
        return SimpleCredential(username, users[username])

    def set_password(self, service: str, username: str, password: str) -> None:
        _enter("set_password", service, username)
        store = _load()
        store.setdefault(service, {})[username] = password
        _save(store)

    def delete_password(self, service: str, username: str) -> None:
        _enter("delete_password", service, username)
        store = _load()
        if username not in store.get(service, {}):
            raise PasswordDeleteError("Password not found")
        del store[service][username]
        if not store[service]:
            del store[service]
        _save(store)
