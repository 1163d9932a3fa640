"""Bound the time of a call that may hang (a locked keyring, a backend waiting on a dialog)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Timeout(Exception):
    pass


def call_with_timeout(fn: Callable[[], T], seconds: float, name: str) -> T:
    """Run ``fn`` in a daemon thread and give up after ``seconds``.

    A hung call cannot be interrupted in Python; its thread is abandoned (daemon, so it never
    blocks interpreter exit) and the caller stops using that provider for the run.
    """
    box: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=run, name=f"pipkey-{name}", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise Timeout(f"{name} did not answer within {seconds:g} s")
    if error:
        raise error[0]
    return box[0]
