"""The library functions behind ``pipkey install / download / uninstall / list``.

The CLI parses flags into these requests and renders what they return or raise; nothing here
prints except through the Reporter.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from pipkey.auth.errors import PipkeyError
from pipkey.install.env.environment import Environment, TargetError, rescan
from pipkey.install.report import Reporter
from pipkey.install.request import InstallOptions, Request
from pipkey.install.session import Session
from pipkey.resolve.inputs import index_project
from pipkey.text import count

if TYPE_CHECKING:
    from pipkey.config import Settings
    from pipkey.index.target import Target
    from pipkey.install.commit.plan import Plan
    from pipkey.install.store.unpacked import Unpacked
    from pipkey.resolve.candidates import Candidate, Installed, Req

# Resolving, building and committing (resolvelib, pyproject-hooks, installer, the journal) are
# imported by the functions below once the first index requests are in flight: the imports
# then overlap the network instead of delaying the first request (tests/unit/test_startup.py).


class ExternallyManaged(PipkeyError):
    exit_code = 2
    hint = (
        "create a virtual environment (python -m venv .venv), or pass --break-system-packages "
        "if you really mean to change this interpreter"
    )


@dataclass
class Outcome:
    plan: Plan
    resolved: int
    seconds: float
    downloaded: int = 0
    keyring_calls: int = 0
    wheels: dict[Candidate, Unpacked] = field(default_factory=dict)


def install(
    settings: Settings,
    request: Request,
    env: Environment | Future[Environment],
    reporter: Reporter,
    *,
    use_cache: bool = True,
    dry_run: bool = False,
    break_system_packages: bool = False,
    options: InstallOptions | None = None,
) -> Outcome:
    """``env`` may still be being introspected (a Future): the session is built and the root
    projects' pages are requested meanwhile; errors about the target still come first."""
    session = None
    if isinstance(env, Future):
        session, env = _overlapped_session(settings, request, env, reporter, use_cache)
    from pipkey.install.build_env import attach_builder
    from pipkey.install.commit.lock import environment_lock
    from pipkey.install.commit.repair import has_leftover, repaired, repaired_first, still_installed
    from pipkey.install.pipeline import resolve_for, roots_and_constraints, stage

    try:
        env = repaired_first(env, reporter)
        if env.externally_managed and not break_system_packages:
            raise ExternallyManaged(
                f"{env.executable} is externally managed (PEP 668): pipkey will not install into it"
            )
        roots, constraints, hashes = roots_and_constraints(request, env.markers)
        if not roots:
            raise TargetError("nothing to install: give a package, a wheel, or -r FILE")
        if session is None:
            session = Session(
                settings,
                reporter,
                use_cache=use_cache,
                required_hashes=hashes,
                build_options=request.build,
            )
        else:
            session.require(hashes)
    except BaseException:
        if session is not None:
            session.close()
        raise
    with session:
        attach_builder(session, env.executable)
        chosen, seconds = resolve_for(
            session, request, env.target, env.installed, roots, constraints
        )
        options = options or InstallOptions()
        resolution_plan = _planned(chosen, env, request, options)
        reporter.line(f"Resolved {count(len(chosen), 'package')} in {seconds:.2f}s")
        outcome = Outcome(resolution_plan, len(chosen), seconds)
        if options.report is not None:
            _write_report(session, resolution_plan, roots, env, options.report)
        if dry_run:
            _report_plan(reporter, resolution_plan, dry_run=True)
            return outcome
        from pipkey.install.commit.transaction import Commit

        staged = time.monotonic()
        outcome.wheels = stage(session, resolution_plan.install)
        reporter.detail(
            f"prepared {count(len(outcome.wheels), 'wheel')} in {time.monotonic() - staged:.2f}s"
        )
        outcome.downloaded = len(session.artifacts.downloaded)
        if resolution_plan.install or resolution_plan.remove or has_leftover(env):
            with environment_lock(
                env.lock_path, lambda: reporter.line("Waiting for another pipkey run…")
            ):
                if repaired(env, reporter):
                    still_installed(resolution_plan, rescan(env))
                current = rescan(env)
                fresh = _planned(chosen, current, request, options)
                if fresh != resolution_plan:
                    resolution_plan = outcome.plan = fresh
                requested = frozenset(r.name for r in roots)
                commit = Commit(current, link_mode=options.link_mode, requested=requested)
                commit.run(resolution_plan, outcome.wheels, reporter.detail, reporter.warn)
        _report_plan(reporter, resolution_plan, dry_run=False)
        outcome.keyring_calls = session.keyring_calls
    _after_commit(env, resolution_plan, options, reporter)
    return outcome


def _planned(
    chosen: Sequence[Candidate], env: Environment, request: Request, options: InstallOptions
) -> Plan:
    """``--exact`` (uv): also remove what the resolution left out (pip, setuptools and wheel
    stay, as ``sync`` keeps them)."""
    if options.exact:
        from pipkey.install.sync import exact_plan

        return exact_plan(chosen, env)
    from pipkey.install.commit.plan import make_plan

    return make_plan(chosen, env, reinstall=request.policy.reinstalls)


def _write_report(
    session: Session, plan: Plan, roots: Sequence[Req], env: Environment, path: Path
) -> None:
    from pipkey.install import installation_report

    installs = [(c, session.artifacts.metadata(c.link).result())
                for c in plan.install if c.link is not None]  # fmt: skip
    installation_report.write(installation_report.build(installs, roots, env.markers), path)


def _after_commit(
    env: Environment, plan: Plan, options: InstallOptions, reporter: Reporter
) -> None:
    if not (options.compile_bytecode or options.strict):
        return
    current = rescan(env)
    if options.compile_bytecode and plan.install:
        from pipkey.install.bytecode import compile_installed

        names = {c.name for c in plan.install}
        compiled = compile_installed(env, [d for n, d in current.installed.items() if n in names])
        reporter.detail(f"byte-compiled {count(compiled, 'file')}")
    if options.strict:
        from pipkey.install.env.check import check

        problems = check(current)
        if problems.missing_requirements or problems.conflicts:
            lines = [line for line in problems.lines() if " requires " in line]
            raise InconsistentEnvironment(
                "the environment is not consistent after the install:\n  "
                + "\n  ".join(lines or problems.lines())
            )


class InconsistentEnvironment(PipkeyError):
    """``--strict``: a requirement of an installed distribution is missing or mismatched."""

    hint = "install the missing requirements, or run without --strict"


def _overlapped_session(
    settings: Settings,
    request: Request,
    pending: Future[Environment],
    reporter: Reporter,
    use_cache: bool,
) -> tuple[Session, Environment]:
    try:
        session = Session(settings, reporter, use_cache=use_cache, build_options=request.build)
    except BaseException:
        pending.result()  # an unusable target is reported first, as without the overlap
        raise
    try:
        session.look_ahead()
        if not session.may_prompt():  # never ask for a password before the target is accepted
            names = [index_project(text) for text in request.inputs]
            names += [index_project(line.text) for line in request.lines if not line.constraint]
            session.finder.prefetch([name for name in names if name])
        env = pending.result()
    except BaseException:
        session.close()
        raise
    reporter.detail(f"target interpreter: {env.executable}")
    return session, env


def _report_plan(reporter: Reporter, plan: Plan, *, dry_run: bool) -> None:
    if not plan.install and not plan.remove:
        reporter.line("Nothing to do: every requirement is already satisfied")
        return
    removed, added = (
        ("Would uninstall", "Would install") if dry_run else ("Uninstalled", "Installed")
    )
    if plan.remove:
        reporter.line(f"{removed} {count(len(plan.remove), 'package')}")
    reporter.line(f"{added} {count(len(plan.install), 'package')}")
    for dist in plan.remove:
        reporter.line(f" - {dist.raw_name or dist.name}=={dist.version}")
    for cand in plan.install:
        reporter.line(f" + {cand.name}=={cand.version}")


def download(
    settings: Settings,
    request: Request,
    target: Target,
    dest: Path,
    reporter: Reporter,
    *,
    use_cache: bool = True,
) -> list[Path]:
    from pipkey.install.build_env import attach_builder
    from pipkey.install.pipeline import resolve_for, roots_and_constraints, stage_wheels

    roots, constraints, hashes = roots_and_constraints(request, target.markers)
    if not roots:
        raise TargetError("nothing to download: give a package, a wheel, or -r FILE")
    with Session(settings, reporter, use_cache=use_cache, required_hashes=hashes) as session:
        attach_builder(session, sys.executable)
        chosen, seconds = resolve_for(session, request, target, {}, roots, constraints)
        reporter.line(f"Resolved {count(len(chosen), 'package')} in {seconds:.2f}s")
        wheels = stage_wheels(session, chosen)
        dest.mkdir(parents=True, exist_ok=True)
        saved = []
        for cand, path in wheels.items():
            assert cand.link is not None
            out = dest / cand.link.filename
            if path.resolve() != out.resolve():
                shutil.copyfile(path, out)
            saved.append(out)
            reporter.line(f"Saved {out}")
    return saved


def uninstall(names: Sequence[str], env: Environment, reporter: Reporter) -> list[Installed]:
    """Through the same journaled commit as install: a killed uninstall is repaired too."""
    from pipkey.install.commit.lock import environment_lock
    from pipkey.install.commit.plan import Plan
    from pipkey.install.commit.repair import repaired
    from pipkey.install.commit.transaction import Commit

    wanted = [canonicalize_name(n) for n in names]
    for name in wanted:
        if name not in env.installed:
            reporter.warn(f"{name} is not installed")
    with environment_lock(env.lock_path):
        repaired(env, reporter)
        current = rescan(env)
        dists = [current.installed[n] for n in wanted if n in current.installed]
        if dists:
            Commit(current).run(Plan((), tuple(dists), ()), {}, reporter.detail, reporter.warn)
    for dist in dists:
        reporter.line(f" - {dist.raw_name or dist.name}=={dist.version}")
    return dists
