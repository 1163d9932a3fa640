"""The per-request authentication decisions, as a state machine with no I/O.

An :class:`Exchange` is fed events (start, credentials found, response status) and answers with
the next :data:`Action`. The httpx flow carries the actions out; tests drive every path directly.

    start(known)           auto: send known creds, else send anonymously
                           always: send known creds, else look up first
                           never: send anonymously, never look up
    response(challenge)    anonymous → look up; sent creds → refresh once; refreshed → give up
    credentials(found)     send them, or fail (missing / rejected)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pipkey.auth.credentials import Credentials
from pipkey.auth.settings import Authenticate


@dataclass(frozen=True)
class Send:
    credentials: Credentials | None


@dataclass(frozen=True)
class Lookup:
    """Run the credential chain (served from the run cache when already answered)."""


@dataclass(frozen=True)
class Refresh:
    """Drop ``rejected`` and query the sources once more."""

    rejected: Credentials


class Failure(enum.Enum):
    MISSING = "missing"
    REJECTED = "rejected"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Fail:
    failure: Failure
    status: int | None
    rejected: Credentials | None = None


@dataclass(frozen=True)
class Done:
    """Hand the response to the caller as it is."""


Action = Send | Lookup | Refresh | Fail | Done


class State(enum.Enum):
    IDLE = "idle"
    SENT_ANONYMOUS = "sent anonymous"
    SENT_NEVER = "sent (authenticate = never)"
    LOOKING_UP = "looking up"
    SENT_CREDENTIALS = "sent credentials"
    REFRESHING = "refreshing"
    SENT_REFRESHED = "sent refreshed credentials"
    FINISHED = "finished"


class ProtocolError(RuntimeError):
    """An event arrived that the current state does not accept (a bug in the caller)."""


class Exchange:
    """Decisions for one logical request (one URL, possibly sent up to three times)."""

    def __init__(self, authenticate: Authenticate, challenges: frozenset[int]) -> None:
        self.authenticate = authenticate
        self.challenges = challenges
        self.state = State.IDLE
        self._sent: Credentials | None = None
        self._status: int | None = None
        # 404 is a challenge only for registries that hide 401 behind it; when refreshed
        # credentials come back unchanged, a 404 is an honest "not found", not a rejection.
        self._soft_status = False

    def _expect(self, *states: State) -> None:
        if self.state not in states:
            raise ProtocolError(f"event not valid in state {self.state.value!r}")

    def _send(self, credentials: Credentials | None, state: State) -> Send:
        self._sent = credentials
        self.state = state
        return Send(credentials)

    def _finish(self, action: Fail | Done) -> Fail | Done:
        self.state = State.FINISHED
        return action

    def start(self, known: Credentials | None) -> Action:
        self._expect(State.IDLE)
        if self.authenticate == "never":
            return self._send(None, State.SENT_NEVER)
        if known is not None and known.complete:
            return self._send(known, State.SENT_CREDENTIALS)
        if self.authenticate == "always":
            self.state = State.LOOKING_UP
            return Lookup()
        return self._send(None, State.SENT_ANONYMOUS)

    def response(self, status: int) -> Action:
        self._expect(
            State.SENT_ANONYMOUS, State.SENT_NEVER, State.SENT_CREDENTIALS, State.SENT_REFRESHED
        )
        if status not in self.challenges:
            return self._finish(Done())
        self._status = status
        self._soft_status = status == 404
        if self.state is State.SENT_NEVER:
            return self._finish(Fail(Failure.DISABLED, status))
        if self.state is State.SENT_ANONYMOUS:
            self.state = State.LOOKING_UP
            return Lookup()
        assert self._sent is not None
        if self.state is State.SENT_CREDENTIALS:
            self.state = State.REFRESHING
            return Refresh(self._sent)
        if self._soft_status:
            return self._finish(Done())
        return self._finish(Fail(Failure.REJECTED, status, self._sent))

    def credentials(self, found: Credentials | None) -> Action:
        self._expect(State.LOOKING_UP, State.REFRESHING)
        usable = found if found is not None and found.complete else None
        if self.state is State.LOOKING_UP:
            if usable is None:
                if self._soft_status:
                    return self._finish(Done())
                return self._finish(Fail(Failure.MISSING, self._status))
            return self._send(usable, State.SENT_CREDENTIALS)
        if usable is None or _same_secret(usable, self._sent):
            if self._soft_status:
                return self._finish(Done())
            return self._finish(Fail(Failure.REJECTED, self._status, self._sent))
        return self._send(usable, State.SENT_REFRESHED)


def _same_secret(a: Credentials, b: Credentials | None) -> bool:
    return b is not None and (a.username, a.password, a.token) == (b.username, b.password, b.token)
