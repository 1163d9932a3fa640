"""Asking the user, only on a terminal and never under ``--no-input``."""

from __future__ import annotations

import getpass
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Prompter(Protocol):
    def available(self) -> bool: ...

    def ask(self, what: str, username: str | None) -> tuple[str, str] | None:
        """Ask for a username (pre-filled with ``username``) and a password for ``what``."""
        ...

    def confirm_save(self, where: str) -> bool: ...


class TerminalPrompter:
    """Prompts on stdin/stderr, one at a time.

    ``pause`` lets the caller's UI step aside (stop a progress display) while the user types;
    requests run in worker threads, so prompts for two indexes are serialized by a lock.
    """

    _lock = threading.Lock()

    def __init__(self, pause: Callable[[], AbstractContextManager[object]] | None = None) -> None:
        self._pause = pause or nullcontext

    def available(self) -> bool:
        try:
            return sys.stdin.isatty() and sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False

    def ask(self, what: str, username: str | None) -> tuple[str, str] | None:
        with self._lock, self._pause():
            return self._ask(what, username)

    def _ask(self, what: str, username: str | None) -> tuple[str, str] | None:
        try:
            sys.stderr.write(f"{what} needs credentials.\n")
            if username is None:
                sys.stderr.write("Username: ")
                sys.stderr.flush()
                username = sys.stdin.readline().strip()
            else:
                sys.stderr.write(f"Username: {username}\n")
            password = getpass.getpass("Password: ", stream=sys.stderr)
        except (EOFError, KeyboardInterrupt):
            return None
        if not username or not password:
            return None
        return username, password

    def confirm_save(self, where: str) -> bool:
        with self._lock, self._pause():
            return self._confirm(where)

    def _confirm(self, where: str) -> bool:
        sys.stderr.write(f"Save these credentials to {where}? [y/N] ")
        sys.stderr.flush()
        try:
            return sys.stdin.readline().strip().lower() in ("y", "yes")
        except (EOFError, KeyboardInterrupt):
            return False
