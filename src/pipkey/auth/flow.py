"""The httpx integration: one generator per request that asks the engine what to do.

The flow follows redirects itself (the client is created with ``follow_redirects=False``): every
hop gets a fresh Authorization decision for its own origin, so credentials never cross a change
of scheme, host or port — not even httpx's allowed http→https upgrade — and a file host with its
own credentials still gets them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx

from pipkey.auth.credentials import Credentials
from pipkey.auth.engine import Authenticator
from pipkey.auth.policy import Done, Exchange, Fail, Lookup, Refresh, Send
from pipkey.auth.redact import redact_url
from pipkey.auth.registry import challenge_statuses
from pipkey.auth.urls import origin, split_credentials

log = logging.getLogger("pipkey.auth")
MAX_REDIRECTS = 20
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class _Call:
    """Blocking work (a lookup) the driver runs inline (sync) or in a worker thread (async)."""

    fn: Callable[[], Any]


Step = httpx.Request | _Call


class EngineAuth(httpx.Auth):
    def __init__(self, engine: Authenticator) -> None:
        self.engine = engine

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        steps = self._flow(request)
        value: Any = None
        while True:
            try:
                step = steps.send(value)
            except StopIteration:
                return
            value = step.fn() if isinstance(step, _Call) else (yield step)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        steps = self._flow(request)
        value: Any = None
        while True:
            try:
                step = steps.send(value)
            except StopIteration:
                return
            if isinstance(step, _Call):
                import anyio.to_thread  # only async clients come here: not at start-up

                value = await anyio.to_thread.run_sync(step.fn)
            else:
                value = yield step

    def _flow(self, request: httpx.Request) -> Generator[Step, Any, None]:
        for _hop in range(MAX_REDIRECTS + 1):
            response = yield from self._exchange(request)
            if response.status_code not in REDIRECT_STATUSES or "location" not in response.headers:
                return
            request = _follow(request, response)
            if request.url.userinfo:
                self.engine.learn_location(str(request.url))
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)

    def _exchange(self, request: httpx.Request) -> Generator[Step, Any, httpx.Response]:
        engine = self.engine
        url = str(request.url)
        target = engine.target(url)
        authenticate = target.index.authenticate if target.index is not None else "auto"
        exchange = Exchange(authenticate, challenge_statuses(target.index_url or url))
        known = None if authenticate == "never" else (yield _Call(lambda: engine.known(target)))
        action = exchange.start(known)
        sent: Credentials | None = None
        response: httpx.Response | None = None
        while True:
            if isinstance(action, Send):
                sent = action.credentials
                _decided(url, f"sending {sent.describe()}" if sent else "sending no credentials")
                _authorize(request, sent)
                response = yield request
                action = exchange.response(response.status_code)
            elif isinstance(action, Lookup):
                status = response.status_code if response is not None else None
                _decided(
                    url,
                    f"answered {status}: looking up credentials"
                    if status
                    else f"authenticate = {authenticate}: looking up credentials first",
                )
                found = yield _Call(lambda: engine.lookup(target))
                _decided(url, f"found {found.describe()}" if found else "no credentials found")
                action = exchange.credentials(found)
            elif isinstance(action, Refresh):
                rejected = action.rejected
                _decided(url, f"{rejected.describe()} refused: asking the sources once more")
                found = yield _Call(partial(engine.refresh, target, rejected))
                action = exchange.credentials(found)
            elif isinstance(action, Done):
                assert response is not None
                if sent is not None and response.status_code not in exchange.challenges:
                    ok = response.is_success or response.status_code == 304  # a revalidated page
                    yield _Call(partial(engine.accepted, target, sent, success=ok))
                return response
            else:
                assert isinstance(action, Fail)
                raise engine.error(target, action)


def _decided(url: str, what: str) -> None:
    """``-v``: each authentication decision, per request (never a secret: sources and
    usernames are described, URLs redacted)."""
    if log.isEnabledFor(logging.INFO):
        log.info("auth %s: %s", redact_url(url), what)


def _authorize(request: httpx.Request, credentials: Credentials | None) -> None:
    """Credentials travel only in the header: the URL that goes on (and into httpx's request
    log) carries none."""
    if request.url.userinfo:
        request.url = request.url.copy_with(userinfo=b"")
    if credentials is None:
        request.headers.pop("Authorization", None)
    else:
        request.headers["Authorization"] = credentials.authorization()


def _follow(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    location = response.headers["location"]
    next_url = request.url.join(location)
    method = request.method
    if response.status_code == 303 and method != "HEAD":
        method = "GET"
    headers = httpx.Headers(request.headers)
    headers.pop("Authorization", None)  # decided afresh for the new URL, by its own origin
    headers.pop("Host", None)
    if origin(str(next_url)) != origin(split_credentials(str(request.url))[0]):
        headers.pop("Cookie", None)
    return httpx.Request(method, next_url, headers=headers, extensions=request.extensions)
