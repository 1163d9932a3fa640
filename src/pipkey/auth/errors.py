"""Typed failures a user can meet, each able to say what was tried and what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from pipkey.auth.redact import redact_url


@dataclass(frozen=True)
class Attempt:
    """One source consulted during a lookup, and what it answered (never the secret)."""

    source: str
    detail: str
    outcome: str  # "hit", "miss", "error", "timeout", "skipped", "username"

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.outcome} ({self.detail})"
            if self.detail
            else (f"{self.source}: {self.outcome}")
        )


class PipkeyError(Exception):
    """Base for every error a user can hit; the CLI renders these without a traceback."""

    hint: str | None = None
    exit_code: int = 1

    def render(self) -> str:
        text = str(self)
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class AuthError(PipkeyError):
    """Authentication to an index failed."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        index_url: str | None = None,
        status: int | None = None,
        attempts: tuple[Attempt, ...] = (),
        hint: str | None = None,
    ) -> None:
        self.url = redact_url(url)
        self.index_url = redact_url(index_url) if index_url else None
        self.status = status
        self.attempts = attempts
        self.hint = hint
        super().__init__(message)

    def render(self) -> str:
        lines = [str(self)]
        if self.attempts:
            lines.append("sources tried:")
            lines.extend(f"  - {a}" for a in self.attempts)
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class CredentialsMissing(AuthError):
    """The server wants credentials and no source had any."""


class CredentialsRejected(AuthError):
    """Credentials were sent, refreshed once, and still refused."""

    def __init__(self, message: str, *, rejected_by: str, **kwargs: object) -> None:
        self.rejected_by = rejected_by
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
