"""``pipkey install / download``: flags in, one library call, result out."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from packaging.version import Version

from pipkey.cli.build_options import BuildFlags, build_options, config_names
from pipkey.cli.install_flags import InstallFlags, install_flags
from pipkey.cli.options import ConfigFlags, index_options
from pipkey.cli.reporting import reporter_for
from pipkey.cli.reqfiles import index_overrides, read_requirements
from pipkey.cli.resolve_options import offline, resolve_options, with_resolve_options
from pipkey.cli.targets import interpreter_for, target_options
from pipkey.cli.workdir import project_dir
from pipkey.config import INDEX_STRATEGIES, Settings
from pipkey.config.env_flags import env_vars
from pipkey.index.target import parse_python_version, synthetic_target
from pipkey.install.env import (
    Environment,
    facts,
    find_interpreter,
    introspect,
    introspect_in_background,
)
from pipkey.install.report import Reporter
from pipkey.install.request import BuildOptions, Request
from pipkey.install.store import default_cache_dir
from pipkey.resolve.policy import Policy
from pipkey.text import count

F = TypeVar("F", bound=Callable[..., Any])


def _resolution_options(func: F) -> F:
    options = [
        click.argument("packages", nargs=-1),
        click.option(
            "-r",
            "--requirement",
            "requirement_files",
            multiple=True,
            type=click.Path(),
            envvar=env_vars("requirement"),
            help="Install from a requirements file (a path or an http(s) URL). Repeatable.",
        ),
        click.option(
            "-c",
            "--constraint",
            "constraint_files",
            multiple=True,
            type=click.Path(),
            envvar=env_vars("constraint"),
            help="Constrain versions with a constraints file. Repeatable.",
        ),
        click.option(
            "--pre", is_flag=True, envvar=env_vars("pre"), help="Allow pre-release versions."
        ),
        click.option(
            "--no-deps",
            is_flag=True,
            envvar=env_vars("no-deps"),
            help="Do not install dependencies.",
        ),
        click.option(
            "--require-hashes",
            is_flag=True,
            envvar=env_vars("require-hashes"),
            help="Every package must have a --hash.",
        ),
        click.option(
            "-f",
            "--find-links",
            "find_links",
            multiple=True,
            metavar="DIR|URL",
            help="Also look for wheels in this directory or page.",
        ),
        click.option("--no-index", is_flag=True, help="Ignore every index (use --find-links)."),
        click.option(
            "--no-input", is_flag=True, default=None, help="Never prompt for credentials."
        ),
        click.option(
            "--index-strategy",
            type=click.Choice(INDEX_STRATEGIES),
            help="first-index (default, dependency-confusion safe) or unsafe-best-match.",
        ),
        click.option(
            "--no-cache",
            "--no-cache-dir",
            "no_cache",
            is_flag=True,
            envvar=env_vars("no-cache"),
            help="Neither read nor write the wheel cache.",
        ),
        click.option("--cache-dir", type=click.Path(path_type=Path), help="Wheel cache directory."),
    ]
    for option in reversed(options):
        func = option(func)
    return index_options(func)


def _prepare(
    config_flags: ConfigFlags, kw: dict[str, Any], policy: Policy
) -> tuple[Settings, Request, bool]:
    """Read requirements files first: their index lines are settings like flags are."""
    constraints = list(kw["constraint_files"])
    if not constraints:  # pip.conf's `constraint` key, as pip reads it (below -c and PIP_*)
        from pipkey.config.pip_config import pip_constraints

        constraints = pip_constraints(os.environ, isolated=config_flags.isolated)
    files = read_requirements(
        config_flags, kw["requirement_files"], constraints, no_input=kw["no_input"]
    )
    overrides = index_overrides(config_flags.overrides, files, find_links=kw["find_links"])
    overrides["no_index"] = kw["no_index"] or files.no_index
    overrides["no_input"] = kw["no_input"]
    overrides["index_strategy"] = kw["index_strategy"]
    overrides["cache_dir"] = str(kw["cache_dir"]) if kw["cache_dir"] else None
    settings = ConfigFlags(overrides, config_flags.isolated).load(
        cwd=project_dir(), environ=os.environ
    )
    settings = offline(settings, kw)
    build: BuildFlags | None = kw.get("build")
    policy = replace(
        policy,
        pre=policy.pre or files.pre,
        only_binary=frozenset(files.only_binary)
        | (build.only_binary if build else frozenset())
        | config_names(settings.only_binary),
        no_binary=frozenset(files.no_binary)
        | (build.no_binary if build else frozenset())
        | config_names(settings.no_binary),
    )
    policy = with_resolve_options(policy, kw)
    request = Request(
        inputs=kw["packages"],
        lines=files.lines,
        policy=policy,
        require_hashes=kw["require_hashes"] or files.require_hashes,
        editables=build.editables if build else (),
        build=build.options if build else BuildOptions(),
    )
    return settings, request, not kw["no_cache"]


@click.command("install")
@install_flags
@build_options
@_resolution_options
@resolve_options()
@target_options
@click.option(
    "-U",
    "--upgrade",
    is_flag=True,
    envvar=env_vars("upgrade"),
    help="Upgrade packages to the newest allowed versions.",
)
@click.option(
    "--reinstall",
    "--force-reinstall",
    "reinstall",
    is_flag=True,
    envvar=env_vars("reinstall"),
    help="Reinstall even if already satisfied.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    envvar=env_vars("dry-run"),
    help="Resolve and show what would change; change nothing.",
)
@click.option(
    "-t",
    "--target",
    type=click.Path(path_type=Path),
    envvar=env_vars("target"),
    help="Install into this directory instead of an environment.",
)
@click.option(
    "--break-system-packages",
    is_flag=True,
    envvar=env_vars("break-system-packages"),
    help="Allow installing into an externally managed (PEP 668) interpreter.",
)
@click.pass_context
def install(ctx: click.Context, config_flags: ConfigFlags, **kw: Any) -> None:
    """Install packages (specifiers, wheel paths or URLs, -r files) into an environment."""
    reporter = reporter_for(ctx)
    flags: InstallFlags = kw["flags"]
    policy = Policy(
        upgrade=kw["upgrade"],
        reinstall=kw["reinstall"],
        pre=kw["pre"],
        no_deps=kw["no_deps"],
        reinstall_packages=flags.reinstall_packages,
        builds=not flags.other_target,  # a build here would be for this Python, not that one
    )
    kw["requirement_files"], project_lines = flags.split_pyprojects(kw["requirement_files"])
    settings, request, use_cache = _prepare(config_flags, kw, policy)
    if project_lines:
        request = replace(request, lines=[*request.lines, *project_lines])
    interpreter, target_dir = interpreter_for(kw["python"], kw["target"], kw["system"])
    cache_dir = Path(settings.cache_dir or default_cache_dir()) if use_cache else None
    env: Environment | Future[Environment]
    plain = flags.layout.default and not flags.other_target
    if plain and not flags.values["require_virtualenv"]:
        env = introspect_in_background(interpreter, target_dir=target_dir, cache_dir=cache_dir)
    else:
        from pipkey.install.env.layout import apply

        found = introspect(interpreter, target_dir=target_dir, cache_dir=cache_dir)
        env = flags.check_environment(apply(found, flags.layout), target_dir)
    # The audit waits for the target's facts: worth it only when they are cached (no
    # subprocess); otherwise introspection overlaps building the session, as before.
    audit = (
        isinstance(env, Future)
        and cache_dir is not None
        and not (kw["dry_run"] or flags.values["exact"] or flags.values["report"])
        and facts.known(cache_dir, interpreter, target_dir)
    )
    if audit and isinstance(env, Future) and _already_satisfied(request, env, reporter, kw):
        return
    from pipkey.install import commands  # the HTTP client, resolver and installer: only now

    commands.install(
        settings,
        request,
        env,
        reporter,
        use_cache=use_cache,
        dry_run=kw["dry_run"],
        break_system_packages=kw["break_system_packages"],
        options=flags.options,
    )


def _already_satisfied(
    request: Request, env: Future[Environment], reporter: Reporter, kw: dict[str, Any]
) -> bool:
    """Everything asked for is installed (pip's "already satisfied", uv's "Audited"): said
    from the environment's dist-info, with no client, credentials or index."""
    import time

    from pipkey.install.env.audit import audit_environment

    started = time.monotonic()
    try:
        found = audit_environment(
            request, env.result(), break_system_packages=kw["break_system_packages"]
        )
    except Exception:  # the normal path reports a broken target properly
        return False
    if found is None:
        return False
    seconds = time.monotonic() - started
    reporter.line(f"Audited {count(len(found), 'package')} in {seconds:.2f}s")
    reporter.line("Nothing to do: every requirement is already satisfied")
    return True


def _python_version(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> Version | None:
    try:
        return None if value is None else parse_python_version(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("download")
@_resolution_options
@resolve_options(upgrade_package=False)
@target_options
@click.option(
    "-d",
    "--dest",
    "dest",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory to save wheels in.",
)
@click.option(
    "--python-version",
    metavar="X.Y",
    envvar=env_vars("python-version"),
    callback=_python_version,
    help="Resolve for this Python version's tags and markers.",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    envvar=env_vars("platform"),
    metavar="TAG",
    help="Platform tag to accept (e.g. manylinux2014_x86_64). Repeatable.",
)
@click.option(
    "--implementation",
    default="cp",
    show_default=True,
    help="Python implementation tag (cp, pp, py).",
)
@click.option("--abi", "abis", multiple=True, metavar="ABI", help="ABI tag to accept. Repeatable.")
@click.pass_context
def download(ctx: click.Context, config_flags: ConfigFlags, **kw: Any) -> None:
    """Resolve and save wheels to a directory, for this or another interpreter."""
    reporter = reporter_for(ctx)
    policy = Policy(pre=kw["pre"], no_deps=kw["no_deps"])
    settings, request, use_cache = _prepare(config_flags, kw, policy)
    interpreter = kw["python"] and find_interpreter(kw["python"], dict(os.environ), project_dir())
    base = introspect(interpreter or sys.executable).target
    target = synthetic_target(
        base,
        python_version=kw["python_version"],
        platforms=kw["platforms"],
        implementation=kw["implementation"],
        abis=kw["abis"],
    )
    from pipkey.install import commands

    commands.download(settings, request, target, kw["dest"], reporter, use_cache=use_cache)


COMMANDS = [install, download]
