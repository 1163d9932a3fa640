"""Small futures glue for the store: answers already known, work run here, cheap follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")


def ready(value: T) -> Future[T]:
    """A future already holding ``value`` (a cache hit answers like a fetch would)."""
    out: Future[T] = Future()
    out.set_result(value)
    return out


def ran(fn: Callable[[], T]) -> Future[T]:
    """``fn`` run in the calling thread, its result or exception held as a future's."""
    out: Future[T] = Future()
    try:
        out.set_result(fn())
    except BaseException as exc:
        out.set_exception(exc)
    return out


def then(fut: Future[T], fn: Callable[[T], U]) -> Future[U]:
    """Chain cheap work onto a future without parking a pool thread on it."""
    out: Future[U] = Future()

    def done(f: Future[T]) -> None:
        try:
            out.set_result(fn(f.result()))
        except BaseException as exc:
            out.set_exception(exc)

    fut.add_done_callback(done)
    return out
