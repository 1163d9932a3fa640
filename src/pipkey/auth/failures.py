"""The typed errors of failed exchanges: what was tried, who supplied what, and a hint that
names the sources that would have worked (apart from the engine, which keeps the run's state)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pipkey.auth.credentials import Credentials
from pipkey.auth.errors import Attempt, AuthError, CredentialsMissing, CredentialsRejected
from pipkey.auth.keyrings import DisabledProvider, KeyringProvider
from pipkey.auth.policy import Fail, Failure
from pipkey.auth.query import Target
from pipkey.auth.registry import identify


def auth_error(
    target: Target,
    fail: Fail,
    *,
    attempts: tuple[Attempt, ...],
    earlier: frozenset[Credentials],
    provider: KeyringProvider | None,
) -> AuthError:
    """The typed error for a failed exchange: what was tried (``attempts``), who supplied
    what, a hint. ``earlier``: credentials the server refused before in this run."""
    what = target.display
    status = f"{fail.status} {_reason(fail.status)}" if fail.status else None
    kwargs: dict[str, Any] = {
        "url": target.clean_url,
        "index_url": target.index_url,
        "status": fail.status,
        "attempts": attempts,
    }
    registry = identify(target.index_url or target.url)
    if fail.failure is Failure.MISSING and fail.status is not None and earlier:
        fail = Fail(Failure.REJECTED, fail.status, next(iter(earlier)))
    if fail.failure is Failure.DISABLED:
        return CredentialsMissing(
            f"{what} answered {status} and authentication is disabled for it "
            "(authenticate = never)",
            hint='set authenticate = "auto" for this index',
            **kwargs,
        )
    if fail.failure is Failure.MISSING:
        said = f"answered {status}" if status else "requires authentication (authenticate = always)"
        return CredentialsMissing(
            f"{what} {said}: no credentials found for it",
            hint=_missing_hint(target, provider),
            **kwargs,
        )
    assert fail.rejected is not None
    hint = (
        registry.token_hint
        if registry
        else (
            f"the credentials from {fail.rejected.source.detail} are wrong or expired; "
            f"check them with `pipkey auth doctor {what}`"
        )
    )
    return CredentialsRejected(
        f"{what} rejected {fail.rejected.describe()} ({status})",
        rejected_by=fail.rejected.source.detail,
        hint=hint,
        **kwargs,
    )


def _missing_hint(target: Target, provider: KeyringProvider | None) -> str:
    where = target.index_url or str(target.origin)
    options = [f"`pipkey auth login {where}`"]
    env = target.env_name
    if env:
        options.append(f"PIPKEY_INDEX_{env}_USERNAME/_PASSWORD")
    options.append(f"`keyring set {where} USERNAME`")
    if isinstance(provider, DisabledProvider):
        options.append(f"(keyring was not used: {provider.reason})")
    return "provide credentials with " + ", ".join(options)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
