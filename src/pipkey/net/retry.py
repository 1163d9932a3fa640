"""When to try a request again, and how long to wait — a pure policy, then the transport using it.

pip retries 5 times, uv 3; pipkey defaults to 3 (``--retries``, ``PIP_RETRIES``,
``UV_HTTP_RETRIES``). What is retried is what a flaky registry or proxy produces and a second try
can fix: connection failures, resets, read timeouts and the statuses 408/429/500/502/503/504.
A certificate the client does not trust or a 407 from a proxy is never retried: asking again
cannot change the answer.
"""

from __future__ import annotations

import email.utils
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from pipkey.net.bounds import BoundExceeded, read_bounded
from pipkey.net.settings import DEFAULT_RETRIES

log = logging.getLogger("pipkey.net")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Retry-After is honoured up to this many seconds; a server asking for more is not worth waiting
# for inside one install (the final error says what it asked).
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (``base * 2**n``, capped), Retry-After first."""

    retries: int = DEFAULT_RETRIES
    base: float = 0.25
    cap: float = 8.0

    def delay(self, attempt: int, retry_after: str | None, rng: Callable[[], float]) -> float:
        """Seconds to wait before try number ``attempt + 1`` (``attempt`` counts from 1)."""
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER)
        return rng() * min(self.cap, self.base * 2.0 ** (attempt - 1))

    def may_retry(self, attempt: int) -> bool:
        return attempt <= self.retries


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retryable_error(exc: Exception) -> bool:
    """A transport failure a second try may fix (not TLS trust, not a proxy refusal)."""
    if isinstance(exc, httpx.ProxyError | httpx.UnsupportedProtocol | BoundExceeded):
        return False
    if _tls_refusal(exc):
        return False
    return isinstance(exc, httpx.TransportError)


def _tls_refusal(exc: BaseException) -> bool:
    """An untrusted certificate, or the server's TLS alert (e.g. it wants a client certificate)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if isinstance(seen, ssl.SSLError) and "ALERT" in str(seen.reason or ""):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc) or "ALERT_" in str(exc)


class RetriesExhausted(httpx.TransportError):
    """Every try failed at the transport level; the message lists what each one answered."""

    def __init__(self, answers: list[str], last: Exception, request: httpx.Request) -> None:
        tries = f"{len(answers)} tr{'y' if len(answers) == 1 else 'ies'}"
        super().__init__(
            f"{last} (gave up after {tries}: {', '.join(answers)})",
            request=request,
        )
        self.answers = answers
        self.last = last


ATTEMPTS = "pipkey.attempts"  # response extension: what each try answered, when there were several
STREAM = "pipkey.stream"  # request extension: leave the body unread (downloads stream to disk)


@dataclass
class RetryTransport(httpx.BaseTransport):
    """Retries around another transport. Bodies of non-streaming requests are read here, so a
    connection cut mid-body is retried like any other; streaming downloads retry in the caller
    (:func:`pipkey.net.client.download_with_retries`)."""

    inner: httpx.BaseTransport
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = random.random

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answers: list[str] = []
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                response = self.inner.handle_request(request)
                if not request.extensions.get(STREAM):
                    response = read_bounded(response, request)
            except Exception as exc:
                _trace(request, _exc_label(exc), started, attempt)
                if not retryable_error(exc):
                    raise
                answers.append(_exc_label(exc))
                if not self.policy.may_retry(attempt):
                    if attempt == 1:
                        raise
                    raise RetriesExhausted(answers, exc, request) from exc
                self.sleep(self.policy.delay(attempt, None, self.rng))
                continue
            answers.append(str(response.status_code))
            _trace(request, str(response.status_code), started, attempt)
            if response.status_code in RETRY_STATUSES and self.policy.may_retry(attempt):
                retry_after = response.headers.get("retry-after")
                response.close()
                self.sleep(self.policy.delay(attempt, retry_after, self.rng))
                continue
            if len(answers) > 1:
                response.extensions[ATTEMPTS] = list(answers)
            return response

    def close(self) -> None:
        self.inner.close()


def _trace(request: httpx.Request, outcome: str, started: float, attempt: int) -> None:
    """``-v``: every request with its answer and time, URL credentials masked (like uv -v)."""
    if not log.isEnabledFor(logging.INFO):
        return
    from pipkey.auth.redact import redact_url

    ms = (time.perf_counter() - started) * 1000
    again = f" (attempt {attempt})" if attempt > 1 else ""
    body = " headers" if request.extensions.get(STREAM) else ""
    log.info("%s %s -> %s in %.0f ms%s%s", request.method, redact_url(str(request.url)),
             outcome, ms, body, again)  # fmt: skip


def _exc_label(exc: Exception) -> str:
    text = str(exc).lower()
    if "reset" in text:
        return "connection reset"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed early"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return type(exc).__name__
