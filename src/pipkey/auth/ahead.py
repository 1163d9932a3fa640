"""Credentials looked up ahead of the challenge, for an index whose keyring answered last time.

pip and uv ask the keyring only once a server answers 401, and so does pipkey's flow. On a
private index that is every run: the keyring CLI (a Python start-up and a backend: ~0.17 s on the
bench machine; a cloud plugin minting a token: seconds) starts only when the first page request
comes back refused, and every request to the index waits for it.

So an index whose credentials came from the keyring and were accepted is remembered, in
``<cache>/auth-hints-v1/``: one empty file named by the sha256 of the index URL without userinfo
(no password, no username, no token). When the next run's engine exists and the caller is about
to send requests (``Authenticator.look_ahead``), the credential chain for each remembered index
starts in a background thread, while the rest of pipkey is still starting; the keyring answers
on the other core. Nothing else changes:

- the requests, and what each sends, are the ones the run would make without it: the first
  request still goes out as the index's policy says (anonymously under ``authenticate = auto``),
  and the answer is used only when the server asks (the look-ahead replaces the chain walk the
  challenge would start, with the same sources in the same order);
- a look-ahead never prompts; when it found nothing (or credentials were refused meanwhile), the
  challenge walks the chain as before;
- an index that no longer asks — it was sent requests, answered them without a challenge, and
  the look-ahead's answer went unused — is forgotten, so a public index costs no keyring call
  the run after;
- ``--no-cache`` keeps no hints (and so looks nothing up ahead).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipkey.auth.urls import split_credentials

if TYPE_CHECKING:
    from pipkey.auth.chain import Found

log = logging.getLogger("pipkey.auth")


class Hints:
    """Which indexes answered with keyring credentials last time (best effort: a read-only or
    missing cache only costs the look-ahead)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._remembered: set[str] = set()  # every accepted response says so: ask the disk once

    def _path(self, index_url: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / hashlib.sha256(index_url.encode()).hexdigest()

    def needed(self, index_url: str) -> bool:
        """``index_url`` as configured (userinfo is dropped before it is hashed)."""
        path = self._path(split_credentials(index_url)[0])
        return path is not None and path.is_file()

    def remember(self, index_url: str) -> None:
        if index_url in self._remembered:
            return
        self._remembered.add(index_url)
        path = self._path(index_url)
        if path is None or path.is_file():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        except OSError:
            return

    def forget(self, index_url: str) -> None:
        path = self._path(index_url)
        if path is None:
            return
        try:
            path.unlink(missing_ok=True)
        except OSError:
            return


class Ahead:
    """One look-ahead: ``run()`` in a daemon thread, its answer when it is ready; a run that
    never used it waits for it at the end (:meth:`finish`)."""

    def __init__(self, run: Callable[[], Found], label: str) -> None:
        self._done = threading.Event()
        self._value: Found | None = None
        self.used = False
        self._thread = threading.Thread(
            target=self._run, args=(run, label), name="pipkey-auth-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, run: Callable[[], Found], label: str) -> None:
        try:
            self._value = run()
        except Exception as exc:  # the challenge walks the chain again and reports it
            log.info("looking up credentials ahead for %s failed: %s", label, type(exc).__name__)
            self._value = None
        finally:
            self._done.set()

    def finish(self, timeout: float) -> None:
        """Wait for an unused look-ahead at the end of the run (bounded: the keyring CLI has its
        own timeout), so no keyring process outlives the run that started it."""
        self._thread.join(timeout)

    def ready(self) -> Found | None:
        """The answer if it is in, without waiting (for the run's list of known secrets)."""
        return self._value if self._done.is_set() else None

    def result(self, timeout: float) -> Found | None:
        """The answer, or None when there is none within ``timeout`` seconds."""
        self.used = True
        if not self._done.wait(timeout):
            return None
        return self._value
