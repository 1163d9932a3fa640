"""Repairing what a killed run left, before a command resolves or commits (issue 10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipkey.auth.errors import PipkeyError
from pipkey.install.commit.lock import environment_lock
from pipkey.install.env.environment import Environment, rescan
from pipkey.install.report import Reporter

if TYPE_CHECKING:
    from pipkey.install.commit.plan import Plan


def has_leftover(env: Environment) -> bool:
    """A journal left by a run that did not finish (the commit layer loads only then)."""
    return env.journal_path.exists()


def repaired(env: Environment, reporter: Reporter) -> bool:
    """Repair what a killed run left (environment lock held), saying so in one line."""
    from pipkey.install.commit.transaction import repair

    recovery = repair(env)
    if recovery is not None:
        reporter.warn(recovery.describe())
    return recovery is not None


def repaired_first(env: Environment, reporter: Reporter) -> Environment:
    """Before resolving: what a killed run half-installed must not count as installed."""
    if not has_leftover(env):
        return env
    with environment_lock(env.lock_path, lambda: reporter.line("Waiting for another pipkey run…")):
        return rescan(env) if repaired(env, reporter) else env


class EnvironmentChanged(PipkeyError):
    hint = "run the command again: it will resolve against the repaired environment"


def still_installed(plan: Plan, current: Environment) -> None:
    """A run killed while this one resolved was rolled back just now: what this run counted
    as already installed may be gone."""
    gone = [
        f"{c.name}=={c.version}"
        for c in plan.keep
        if c.installed is not None and c.name not in current.installed
    ]
    if gone:
        raise EnvironmentChanged(
            "another pipkey run was killed while this one resolved, and its changes were rolled "
            f"back: {', '.join(gone)} no longer installed"
        )
