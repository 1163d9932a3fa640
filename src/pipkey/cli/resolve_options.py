"""Resolver flags shared by ``install``, ``download`` and ``lock`` — uv's spellings and
variables (``UV_PRERELEASE``, ``UV_RESOLUTION``, ``UV_EXCLUDE_NEWER``, ``UV_OVERRIDE``,
``UV_NO_BUILD``; ``PIP_PRE`` for ``--pre``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from packaging.utils import canonicalize_name

from pipkey.config import Settings
from pipkey.config.env_flags import env_vars
from pipkey.resolve.policy import PRERELEASE_MODES, RESOLUTIONS, Policy

F = TypeVar("F", bound=Callable[..., Any])


def _cutoff(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    from pipkey.resolve.choice import parse_cutoff

    try:
        return None if not value else parse_cutoff(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def offline_option() -> Callable[[F], F]:
    """``--offline`` and ``--refresh``: how far the page cache may answer for the index."""

    def decorate(func: F) -> F:
        func = click.option(
            "--refresh",
            is_flag=True,
            envvar=env_vars("refresh"),
            help="Ask the index about every cached page, even one still fresh (pip always does).",
        )(func)
        return click.option(
            "--offline",
            is_flag=True,
            envvar=env_vars("offline"),
            help="No network: cached wheels, find-links directories and file:// indexes only.",
        )(func)

    return decorate


def offline(settings: Settings, kw: dict[str, Any]) -> Settings:
    """``settings`` with ``--offline`` / ``--refresh`` applied."""
    if kw.get("refresh"):
        settings = replace(settings, refresh=True)
    return replace(settings, offline=True) if kw.get("offline") else settings


def resolve_options(*, upgrade_package: bool = True) -> Callable[[F], F]:
    """``upgrade_package``: add ``-P/--upgrade-package`` (``lock`` has its own)."""

    def decorate(func: F) -> F:
        options = [
            click.option(
                "--prerelease",
                type=click.Choice(PRERELEASE_MODES),
                envvar=env_vars("prerelease"),
                help="Pre-releases: uv's modes (default if-necessary-or-explicit).",
            ),
            click.option(
                "--resolution",
                type=click.Choice(RESOLUTIONS),
                envvar=env_vars("resolution"),
                help="Newest versions (highest), oldest (lowest), or oldest direct ones.",
            ),
            click.option(
                "--exclude-newer",
                metavar="DATE",
                callback=_cutoff,
                envvar=env_vars("exclude-newer"),
                help="Only files uploaded before DATE (RFC 3339 or YYYY-MM-DD, UTC).",
            ),
            click.option(
                "--override",
                "override_files",
                multiple=True,
                type=click.Path(path_type=Path),
                envvar=env_vars("override"),
                help="Requirements that replace every other on their project. Repeatable.",
            ),
            offline_option(),
            click.option(
                "--no-build",
                is_flag=True,
                envvar=env_vars("no-build"),
                help="Never build a source distribution (wheels only).",
            ),
        ]
        if upgrade_package:
            options.append(
                click.option(
                    "-P",
                    "--upgrade-package",
                    "upgrade_packages",
                    multiple=True,
                    metavar="P",
                    envvar=env_vars("upgrade-package"),
                    help="Let P move to its newest allowed version. Repeatable.",
                )
            )
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def with_resolve_options(policy: Policy, kw: dict[str, Any]) -> Policy:
    """``policy`` with the resolver flags of ``kw`` applied."""
    from pipkey.resolve.reqfile import RequirementsFiles

    overrides: list[str] = []
    for path in kw.get("override_files") or ():
        files = RequirementsFiles()
        files.read(path)
        overrides += [line.text for line in files.lines]
    only_binary = policy.only_binary | ({":all:"} if kw.get("no_build") else set())
    return replace(
        policy,
        prerelease=kw.get("prerelease") or policy.prerelease,
        resolution=kw.get("resolution") or policy.resolution,
        exclude_newer=kw.get("exclude_newer") or policy.exclude_newer,
        overrides=(*policy.overrides, *overrides),
        only_binary=frozenset(only_binary),
        upgrade_packages=policy.upgrade_packages
        | frozenset(canonicalize_name(p) for p in kw.get("upgrade_packages") or ()),
    )
