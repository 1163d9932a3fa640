"""The flags that choose what a project command takes (uv's spelling): extras, dependency
groups, workspace members, and what is left out; turned into a :class:`Selection`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from packaging.utils import canonicalize_name

from pipkey.config.env_flags import env_vars
from pipkey.project import GroupFlags, Selection

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option("--extra", "extras", multiple=True, metavar="E", help="Include an extra."),
    click.option("--all-extras", is_flag=True, help="Include every extra."),
    click.option("--group", "groups", multiple=True, metavar="G", help="Include a group."),
    click.option("--only-group", "only_groups", multiple=True, metavar="G",
                 help="Only these groups (not the project itself nor its dependencies)."),
    click.option("--no-group", "no_groups", multiple=True, metavar="G",
                 help="Leave out a group (wins over every other flag)."),
    click.option("--all-groups", is_flag=True, help="Include every group."),
    click.option("--no-default-groups", is_flag=True, envvar=env_vars("no-default-groups"),
                 help="Leave out [tool.uv] default-groups (dev when unset)."),
    click.option("--dev", is_flag=True, help="Include the dev group (the default)."),
    click.option("--no-dev", is_flag=True, envvar=env_vars("no-dev"),
                 help="Leave out the dev group."),
    click.option("--only-dev", is_flag=True, help="Only the dev group."),
    click.option("--package", "packages", multiple=True, metavar="P",
                 help="Sync this workspace member (and what it needs)."),
    click.option("--all-packages", is_flag=True, help="Sync every workspace member."),
    click.option("--no-install-project", is_flag=True, envvar=env_vars("no-install-project"),
                 help="Do not install the project itself."),
    click.option("--no-install-workspace", is_flag=True,
                 help="Do not install workspace members (their dependencies stay)."),
    click.option("--no-install-package", "skip", multiple=True, metavar="P", help="Leave P out."),
    click.option("--no-editable", is_flag=True, envvar=env_vars("no-editable"),
                 help="Install the project and workspace members as regular wheels."),
]  # fmt: skip


_DEV = {"include": "dev", "exclude": "no_dev", "only": "only_dev"}


def selection_options(func: F) -> F:
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def selection_from(kw: dict[str, Any]) -> Selection:
    dev_flags = [m for m in ("include", "exclude", "only") if kw[_DEV[m]]]
    if len(dev_flags) > 1:
        raise click.UsageError("--dev, --no-dev and --only-dev exclude each other")
    dev = dev_flags[0] if dev_flags else None
    if kw["all_groups"] and (kw["only_groups"] or dev == "only"):
        raise click.UsageError("--all-groups cannot be combined with --only-group/--only-dev")
    if kw["packages"] and kw["all_packages"]:
        raise click.UsageError("--package and --all-packages exclude each other")
    return Selection(
        extras=frozenset(kw["extras"]),
        all_extras=kw["all_extras"],
        groups=GroupFlags(
            group=tuple(kw["groups"]),
            only_group=tuple(kw["only_groups"]),
            no_group=tuple(kw["no_groups"]),
            all_groups=kw["all_groups"],
            no_default_groups=kw["no_default_groups"],
            dev=dev,
        ),
        packages=tuple(kw["packages"]),
        all_packages=kw["all_packages"],
        no_install_project=kw["no_install_project"],
        no_install_workspace=kw["no_install_workspace"],
        no_install=frozenset(canonicalize_name(p) for p in kw["skip"]),
        no_editable=kw["no_editable"],
    )
