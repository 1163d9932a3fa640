"""One pipkey run at a time per environment: an advisory lock file next to the environment."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipkey.auth.errors import PipkeyError


class NotWritable(PipkeyError):
    hint = "nothing was changed; install into an environment you can write to (--python PATH)"


@contextmanager
def environment_lock(path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only mount or image layer, a directory owned by another user
        if exc.errno == errno.EROFS:
            why = "is on a read-only file system"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            why = "is not writable"
        else:
            why = f"cannot be locked ({exc})"
        raise NotWritable(f"the environment {path.parent} {why}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
