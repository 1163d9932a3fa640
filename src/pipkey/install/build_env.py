"""How a build gets its build requirements: pipkey installs them itself, into the build's
isolated environment, through the run's own session — same indexes, same credentials, same
caches, one keyring lookup per index for the whole run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipkey.auth.credentials import Credentials
from pipkey.install.env.environment import introspect
from pipkey.install.pipeline import resolve_for, roots_and_constraints, stage
from pipkey.install.request import Request
from pipkey.install.session import Session

if TYPE_CHECKING:
    from pipkey.build import Builder, InstallRequirements


def installer_for(session: Session) -> InstallRequirements:
    def install(python: str, requirements: Sequence[str]) -> None:

        env = introspect(python)
        request = Request(inputs=list(requirements))
        roots, constraints, _hashes = roots_and_constraints(request, env.markers)
        if not roots:
            return
        session.reporter.detail(f"installing build requirements: {', '.join(requirements)}")
        chosen, _seconds = resolve_for(
            session, request, env.target, env.installed, roots, constraints
        )
        from pipkey.install.commit.plan import make_plan
        from pipkey.install.commit.transaction import Commit  # only when building

        plan = make_plan(chosen, env)
        Commit(env).run(plan, stage(session, plan.install))

    return install


def attach_builder(session: Session, python: str) -> None:
    """Give the session's artifacts a builder for ``python`` (the target interpreter), and the
    auth engine's answer for git hosts (VCS requirements)."""

    def git_credentials(url: str) -> Credentials | None:
        if not url.startswith(("https://", "http://")):  # ssh and file: git's own business
            return None
        creds = session.auth.credentials_for(url)
        return creds if creds is not None and creds.complete else None

    session.artifacts.credentials_for = git_credentials
    options = session.build_options

    def make() -> Builder:  # on the first source build (pyproject-hooks loads then)
        from pipkey.build import Builder

        return Builder(
            python,
            installer_for(session),
            isolation=options.isolation,
            config_settings=options.config_settings,
            verbose=session.reporter.verbose > 0,
            note=session.reporter.detail,
            secrets=lambda: session.auth.known_secrets(),  # the auth engine loads if a build runs
        )

    session.artifacts.make_builder = make
