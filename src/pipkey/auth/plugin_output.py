"""What in-process keyring plugins write straight to ``sys.stderr``, kept out of the user's way.

``artifacts-keyring`` copies its credential provider's stderr onto ``sys.stderr`` line by line
("[Warning] [CredentialProvider]Warning: Cannot persist Microsoft authentication token cache
securely!"), in the middle of pipkey's own output. While a lookup runs, :func:`captured` routes
that thread's writes to ``sys.stderr`` into a list (other threads, pipkey's progress included,
write through unchanged). The lines are then logged under ``pipkey.plugin_output`` at info level
(shown with ``-v``), and an ``[Error]`` line, if any, becomes part of the failure's reason.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from pipkey.auth.redact import redact_text

log = logging.getLogger("pipkey.plugin_output")
_install_lock = threading.Lock()


class _ThreadRouter:
    """A ``sys.stderr`` stand-in: writes from capturing threads are kept, others pass through.

    Everything else is the real stream's — ``isatty()`` and ``fileno()`` above all: the prompt
    asks ``sys.stderr.isatty()`` after a keyring lookup installed this router, and a stand-in
    saying "not a terminal" would switch the prompt off for the rest of the process. (Not an
    ``io.TextIOBase``: its own ``isatty``/``fileno``/``encoding`` would shadow the real ones.)
    """

    def __init__(self, real: TextIO) -> None:
        self.real = real
        self.captures: dict[int, list[str]] = {}

    def write(self, text: str) -> int:
        buffer = self.captures.get(threading.get_ident())
        if buffer is None:
            return self.real.write(text)
        buffer.append(text)
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return self.real.isatty()

    def fileno(self) -> int:
        return self.real.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _router() -> _ThreadRouter:
    with _install_lock:
        current = sys.stderr
        if not isinstance(current, _ThreadRouter):
            current = _ThreadRouter(current)
            sys.stderr = current
        return current


@contextmanager
def captured(lines: list[str]) -> Iterator[None]:
    """Collect this thread's ``sys.stderr`` output into ``lines`` (redacted), logged at info
    level."""
    router, buffer = _router(), list[str]()
    ident = threading.get_ident()
    router.captures[ident] = buffer
    try:
        yield
    finally:
        router.captures.pop(ident, None)
        for line in "".join(buffer).splitlines():
            if line.strip():
                lines.append(redact_text(line.rstrip()))
                log.info("keyring plugin: %s", lines[-1])


def error_line(lines: list[str]) -> str | None:
    """The last line a plugin marked as an error, for the one-line reason."""
    for line in reversed(lines):
        if "[Error]" in line or line.lstrip().lower().startswith("error"):
            return line.strip()[:300]
    return None


@contextmanager
def fd_captured(lines: list[str]) -> Iterator[None]:
    """Collect what anything writes to file descriptor 2 — a plugin's own subprocess included
    (gcloud's ``ERROR: (gcloud.config.config-helper) …`` when google-auth asks it) — into
    ``lines`` (redacted), logged at info level: shown with ``-v`` only.

    The whole process's fd 2 is redirected while this runs: for sequential diagnostics
    (``auth doctor``), never around concurrent work."""
    import os
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read().decode("utf-8", "replace").splitlines():
                if line.strip():
                    shown = redact_text(line.rstrip())
                    lines.append(shown)
                    log.info("plugin output: %s", shown)
