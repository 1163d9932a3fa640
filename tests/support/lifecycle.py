"""The start/stop/with shape every test server shares, so none can forget to stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self, TypeVar


class Lifecycle:
    """Started by ``start()`` or ``with``; ``stop()`` is safe to call twice."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Service(Lifecycle):
    """A server on 127.0.0.1 whose index lives at ``url``."""

    port: int
    root: str
    url: str

    def _set_port(self, port: int) -> None:
        self.port = port
        self.root = f"http://127.0.0.1:{port}"
        self.url = f"{self.root}/simple/"


S = TypeVar("S", bound=Service)


@contextmanager
def stopping_all(make: Callable[..., S]) -> Iterator[Callable[..., S]]:
    """Wrap a constructor into a factory that starts services and stops them all at exit."""
    started: list[S] = []

    def start(*args: object, **kwargs: object) -> S:
        service = make(*args, **kwargs)
        started.append(service)
        return service.start()

    try:
        yield start
    finally:
        for service in reversed(started):
            service.stop()
