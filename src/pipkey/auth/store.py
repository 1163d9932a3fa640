"""pipkey's own credential store (written by ``pipkey auth login``).

The secret goes to the OS keyring when a real backend exists, under the index URL as service name
— the first name pip and uv ask for too. Otherwise it goes into a TOML file with mode 0600 under
the platformdirs data dir. Either way the TOML file lists every login (URL, username, where the
secret lives), so pipkey knows which username to ask the keyring for.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.deadline import Timeout, call_with_timeout
from pipkey.auth.query import Query
from pipkey.auth.urls import is_under, strip_credentials

Storage = Literal["file", "keyring"]
TOKEN_USERNAME = "__pipkey_token__"
FILENAME = "credentials.toml"


class StoreError(Exception):
    pass


@dataclass(frozen=True)
class StoredEntry:
    url: str
    username: str | None
    storage: Storage
    kind: Literal["basic", "token"] = "basic"
    password: str | None = None  # only for storage == "file"

    def __repr__(self) -> str:
        return (
            f"StoredEntry(url={self.url!r}, username={self.username!r}, storage={self.storage!r})"
        )


def default_store_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("pipkey", appauthor=False))


def os_keyring_available() -> bool:
    """A keyring worth storing in: real, and not a plaintext file (a 0600 file is no worse)."""
    from pipkey.auth.keyrings import backend_name, real_backend

    try:
        backend = call_with_timeout(real_backend, 10, "keyring backend start-up")
    except Exception:
        return False
    return backend is not None and "Plaintext" not in backend_name(backend)


class CredentialStore:
    kind = "store"

    def __init__(
        self,
        directory: Path | None = None,
        *,
        timeout: float = 30.0,
        warn: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.directory = directory or default_store_dir()
        self.path = self.directory / FILENAME
        self.timeout = timeout
        self._warn = warn
        self._cache: list[StoredEntry] | None = None

    # -- reading -------------------------------------------------------------------------
    def entries(self) -> list[StoredEntry]:
        if self._cache is None:
            self._cache = self._read()
        return list(self._cache)

    def _read(self) -> list[StoredEntry]:
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise StoreError(f"credential store {self.path} is unreadable: {exc}") from exc
        out: list[StoredEntry] = []
        for raw in data.get("credential", []):
            if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
                continue
            out.append(
                StoredEntry(
                    url=raw["url"],
                    username=raw.get("username"),
                    storage="keyring" if raw.get("storage") == "keyring" else "file",
                    kind="token" if raw.get("kind") == "token" else "basic",
                    password=raw.get("password"),
                )
            )
        return out

    def find(self, url: str, username: str | None = None) -> StoredEntry | None:
        """The login for the longest stored URL ``url`` falls under; with ``username``, the
        longest one for that user — a shorter prefix stored for them beats a longer one
        stored for someone else (uv's ``test_username_prefix_url_match``)."""
        clean = strip_credentials(url)
        under = [e for e in self.entries() if is_under(clean, e.url)]
        if username is not None:
            mine = [e for e in under if e.kind == "token" or e.username == username]
            under = mine or under
        if not under:
            return None
        return max(under, key=lambda e: len(e.url.rstrip("/")))

    def secret(self, entry: StoredEntry) -> str | None:
        if entry.storage == "file":
            return entry.password
        from pipkey.auth.keyrings import import_keyring

        keyring = import_keyring()

        user = (entry.username or "") if entry.kind == "basic" else TOKEN_USERNAME
        result: str | None = call_with_timeout(
            lambda: keyring.get_password(entry.url, user), self.timeout, "keyring lookup"
        )
        return result

    def credentials(self, entry: StoredEntry) -> Credentials | None:
        secret = self.secret(entry)
        if secret is None:
            return None
        where = "OS keyring" if entry.storage == "keyring" else str(self.path)
        source = Source("store", f"pipkey credential store ({where}), {entry.url}")
        if entry.kind == "token":
            return Credentials(token=secret, source=source)
        return Credentials(entry.username, secret, source=source)

    def __call__(self, query: Query) -> Credentials | None:
        try:
            entry = self.find(query.target.index_url or query.target.url, query.username)
        except StoreError as exc:
            query.note(self.kind, "error", str(exc))
            self._warn(str(exc))  # every other login is off until it is fixed: say so, once
            return None
        if entry is None:
            return None
        if (
            query.username is not None
            and entry.kind == "basic"
            and entry.username != query.username
        ):
            query.note(self.kind, "skipped", f"{entry.url}: stored for user {entry.username!r}")
            return None
        try:
            creds = self.credentials(entry)
        except Timeout:
            query.note(self.kind, "timeout", f"OS keyring, {entry.url}")
            return None
        except Exception as exc:
            query.note(self.kind, "error", f"OS keyring, {entry.url}: {type(exc).__name__}")
            return None
        if creds is None:
            query.note(self.kind, "miss", f"{entry.url}: secret missing from the OS keyring")
            return None
        return query.offer(creds)

    # -- writing -------------------------------------------------------------------------
    def save(
        self, url: str, credentials: Credentials, *, storage: Storage | None = None
    ) -> StoredEntry:
        url = strip_credentials(url)
        if storage is None:
            storage = "keyring" if os_keyring_available() else "file"
        kind: Literal["basic", "token"] = "token" if credentials.token is not None else "basic"
        secret = credentials.token if kind == "token" else credentials.password
        if secret is None:
            raise StoreError("nothing to store: no password or token given")
        if storage == "keyring":
            from pipkey.auth.keyrings import import_keyring

            keyring = import_keyring()

            user = (credentials.username or "") if kind == "basic" else TOKEN_USERNAME
            call_with_timeout(
                lambda: keyring.set_password(url, user, secret), self.timeout, "keyring store"
            )
        entry = StoredEntry(
            url,
            credentials.username if kind == "basic" else None,
            storage,
            kind,
            secret if storage == "file" else None,
        )
        # One login per URL and user: a second user's login keeps the first one's.
        kept = [e for e in self.entries() if (e.url, e.username) != (url, entry.username)]
        self._write([*kept, entry])
        return entry

    def delete(self, url: str, username: str | None = None) -> StoredEntry | None:
        """Forget the login for ``url`` (``username``'s, when several users logged in)."""
        url = strip_credentials(url)
        entry = next(
            (
                e
                for e in self.entries()
                if e.url == url and (username is None or e.username == username)
            ),
            None,
        )
        if entry is None:
            return None
        if entry.storage == "keyring":
            from pipkey.auth.keyrings import import_keyring

            keyring = import_keyring()
            from keyring.errors import PasswordDeleteError

            user = (entry.username or "") if entry.kind == "basic" else TOKEN_USERNAME
            with contextlib.suppress(PasswordDeleteError):
                call_with_timeout(
                    lambda: keyring.delete_password(entry.url, user), self.timeout, "keyring delete"
                )
        self._write([e for e in self.entries() if e is not entry and e != entry])
        return entry

    def _write(self, entries: list[StoredEntry]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "# pipkey credential store: written by `pipkey auth login`; mode 0600\n\n"
        text += serialize(entries)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".credentials-", suffix=".toml")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._cache = entries


def serialize(entries: list[StoredEntry]) -> str:
    """The store's TOML, written by a TOML library: any password survives the round trip
    (``json.dumps`` wrote a non-BMP character as a surrogate pair, which TOML refuses, and the
    whole file — every login — became unreadable)."""
    import tomli_w

    tables: list[dict[str, Any]] = []
    for e in entries:
        fields: dict[str, Any] = {"url": e.url, "username": e.username, "storage": e.storage}
        fields["kind"] = e.kind
        if e.storage == "file":
            fields["password"] = e.password
        for key, value in fields.items():
            if isinstance(value, str) and not _encodable(value):
                raise StoreError(
                    f"the {key} for {e.url} holds characters that are not text "
                    "(invalid UTF-8); nothing was saved"
                )
        tables.append({k: v for k, v in fields.items() if v is not None})
    text = tomli_w.dumps({"credential": tables})
    tomllib.loads(text)  # proof before the old file is replaced
    return text


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
