"""The per-request decision machine, driven through every path (no I/O)."""

from __future__ import annotations

import itertools

import pytest

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.policy import (
    Done,
    Exchange,
    Fail,
    Failure,
    Lookup,
    ProtocolError,
    Refresh,
    Send,
    State,
)

CH = frozenset({401, 403})
CH404 = frozenset({401, 403, 404})
ALICE = Credentials("alice", "pw1", source=Source("keyring", "k"))
ALICE2 = Credentials("alice", "pw2", source=Source("keyring", "k"))
USER_ONLY = Credentials("alice", None)


def test_auto_sends_known_credentials_up_front() -> None:
    assert Exchange("auto", CH).start(ALICE) == Send(ALICE)


def test_auto_without_credentials_tries_anonymously() -> None:
    assert Exchange("auto", CH).start(None) == Send(None)


def test_a_username_alone_is_never_sent() -> None:
    """pypiserver answers `user:` with an empty password with 403 (pip 26.3 stops there)."""
    assert Exchange("auto", CH).start(USER_ONLY) == Send(None)


def test_always_looks_up_before_the_first_request() -> None:
    assert Exchange("always", CH).start(None) == Lookup()


def test_always_fails_before_sending_when_nothing_is_found() -> None:
    ex = Exchange("always", CH)
    ex.start(None)
    assert ex.credentials(None) == Fail(Failure.MISSING, None)


def test_never_sends_nothing_even_when_credentials_are_known() -> None:
    assert Exchange("never", CH).start(ALICE) == Send(None)


@pytest.mark.parametrize("status", [401, 403])
def test_never_reports_a_challenge_as_disabled(status: int) -> None:
    ex = Exchange("never", CH)
    ex.start(None)
    assert ex.response(status) == Fail(Failure.DISABLED, status)


@pytest.mark.parametrize("status", [401, 403])
def test_anonymous_challenge_triggers_a_lookup_then_sends(status: int) -> None:
    ex = Exchange("auto", CH)
    ex.start(None)
    assert ex.response(status) == Lookup()
    assert ex.credentials(ALICE) == Send(ALICE)
    assert ex.response(200) == Done()


def test_anonymous_challenge_without_credentials_is_missing() -> None:
    ex = Exchange("auto", CH)
    ex.start(None)
    ex.response(401)
    assert ex.credentials(None) == Fail(Failure.MISSING, 401)


def test_rejected_credentials_are_refreshed_once() -> None:
    ex = Exchange("auto", CH)
    ex.start(ALICE)
    assert ex.response(401) == Refresh(ALICE)
    assert ex.credentials(ALICE2) == Send(ALICE2)
    assert ex.response(200) == Done()


def test_refresh_returning_the_same_secret_gives_up_as_rejected() -> None:
    ex = Exchange("auto", CH)
    ex.start(ALICE)
    ex.response(403)
    same = Credentials("alice", "pw1", source=Source("netrc", "other source"))
    assert ex.credentials(same) == Fail(Failure.REJECTED, 403, ALICE)


def test_refreshed_credentials_rejected_again_give_up() -> None:
    ex = Exchange("auto", CH)
    ex.start(ALICE)
    ex.response(401)
    ex.credentials(ALICE2)
    assert ex.response(401) == Fail(Failure.REJECTED, 401, ALICE2)


def test_404_is_a_challenge_only_where_the_registry_says_so() -> None:
    assert Exchange("auto", CH).start(ALICE) == Send(ALICE)
    ex = Exchange("auto", CH)
    ex.start(ALICE)
    assert ex.response(404) == Done()
    ex = Exchange("auto", CH404)
    ex.start(ALICE)
    assert ex.response(404) == Refresh(ALICE)


def test_codeartifact_style_404_with_unchanged_token_is_an_honest_not_found() -> None:
    """A missing package on CodeArtifact is also a 404: never call that a rejection."""
    ex = Exchange("auto", CH404)
    ex.start(ALICE)
    ex.response(404)
    assert ex.credentials(ALICE) == Done()


def test_codeartifact_style_404_anonymous_with_nothing_found_passes_through() -> None:
    ex = Exchange("auto", CH404)
    ex.start(None)
    assert ex.response(404) == Lookup()
    assert ex.credentials(None) == Done()


def test_incomplete_credentials_from_a_lookup_count_as_none() -> None:
    ex = Exchange("auto", CH)
    ex.start(None)
    ex.response(401)
    assert ex.credentials(USER_ONLY) == Fail(Failure.MISSING, 401)


def test_events_out_of_order_are_protocol_errors() -> None:
    ex = Exchange("auto", CH)
    with pytest.raises(ProtocolError):
        ex.response(200)
    ex.start(None)
    with pytest.raises(ProtocolError):
        ex.start(None)
    with pytest.raises(ProtocolError):
        ex.credentials(ALICE)


EVENTS = ["200", "401", "403", "404", "creds", "creds2", "none"]


def _feed(ex: Exchange, event: str) -> object:
    if event in ("creds", "creds2", "none"):
        return ex.credentials({"creds": ALICE, "creds2": ALICE2, "none": None}[event])
    return ex.response(int(event))


@pytest.mark.parametrize(
    ("authenticate", "known", "challenges"),
    list(itertools.product(["auto", "always", "never"], [None, ALICE], [CH, CH404])),
)
def test_every_event_sequence_terminates_within_three_sends(
    authenticate: str, known: Credentials | None, challenges: frozenset[int]
) -> None:
    """Exhaustive over sequences of up to 5 events: the machine never sends more than three
    times, never loops, and only ever sends complete credentials or none."""
    for seq in itertools.product(EVENTS, repeat=5):
        ex = Exchange(authenticate, challenges)  # type: ignore[arg-type]
        action: object = ex.start(known)
        sends = 1 if isinstance(action, Send) else 0
        for event in seq:
            if ex.state is State.FINISHED:
                break
            try:
                action = _feed(ex, event)
            except ProtocolError:
                continue
            if isinstance(action, Send):
                sends += 1
                assert action.credentials is None or action.credentials.complete
                if authenticate == "never":
                    assert action.credentials is None
        assert sends <= 3
