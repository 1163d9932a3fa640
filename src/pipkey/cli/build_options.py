"""Flags about building from source, shared by ``install`` (and anything that builds):
``-e/--editable``, ``--no-build-isolation``, ``--only-binary``, ``--no-binary``,
``-C/--config-settings`` — spelled as pip and uv spell them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from packaging.utils import canonicalize_name

from pipkey.config.env_flags import env_vars
from pipkey.install.request import BuildOptions

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class BuildFlags:
    editables: tuple[str, ...]
    options: BuildOptions
    only_binary: frozenset[str]
    no_binary: frozenset[str]


def _names(values: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item and item != ":none:":
                out.add(item if item == ":all:" else canonicalize_name(item))
    return frozenset(out)


def config_names(values: tuple[str, ...]) -> frozenset[str]:
    """``no-binary`` / ``only-binary`` names from configuration (pip.conf), as the flags'."""
    return _names(values)


def _settings(values: tuple[str, ...]) -> dict[str, str | list[str]]:
    settings: dict[str, str | list[str]] = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--config-settings")
        previous = settings.get(key)
        if previous is None:
            settings[key] = val
        else:  # repeated keys become a list, as pip passes them
            settings[key] = [*(previous if isinstance(previous, list) else [previous]), val]
    return settings


def build_options(func: F) -> F:
    """Adds the flags; the command gets them as ``kw["build"]`` (a :class:`BuildFlags`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["build"] = BuildFlags(
            tuple(kwargs.pop("editables")),
            BuildOptions(
                isolation=not kwargs.pop("no_build_isolation"),
                config_settings=_settings(kwargs.pop("config_settings")),
            ),
            _names(kwargs.pop("only_binary")),
            _names(kwargs.pop("no_binary")),
        )
        return func(*args, **kwargs)

    options = [
        click.option("-e", "--editable", "editables", multiple=True, metavar="PATH",
                     help="Install a local project in editable mode (PEP 660)."),
        click.option("--no-build-isolation", is_flag=True, envvar=env_vars("no-build-isolation"),
                     help="Build in the target environment, with what is installed there."),
        click.option("--only-binary", multiple=True, metavar=":all:|PKG",
                     envvar=env_vars("only-binary"),
                     help="Never build these from source."),
        click.option("--no-binary", multiple=True, metavar=":all:|PKG",
                     envvar=env_vars("no-binary"),
                     help="Build these from source even when wheels exist."),
        click.option("-C", "--config-settings", "config_settings", multiple=True,
                     metavar="KEY=VALUE", help="Passed to the build backend."),
    ]  # fmt: skip
    decorated: Callable[..., Any] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]
