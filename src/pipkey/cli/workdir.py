"""uv's ``--directory DIR`` (change into DIR first: relative paths then start there) and
``--project DIR`` (find the project, its config and its ``.venv`` from DIR; relative paths in
the command line stay relative to where it was typed). Global: before or after the command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from pipkey.config.env_flags import env_vars

_project: Path | None = None


def project_dir() -> Path:
    """Where configuration and the environment are looked for: ``--project``, else the cwd."""
    return _project if _project is not None else Path.cwd()


def _directory(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if not value:
        return
    try:
        os.chdir(value)
    except OSError as exc:
        raise click.BadParameter(f"cannot change into {value}: {exc.strerror}") from None


def _project_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    global _project
    if not value:
        return
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise click.BadParameter(f"{value} is not a directory")
    _project = path


def workdir_options() -> list[click.Option]:
    common: dict[str, Any] = {"expose_value": False, "is_eager": True, "metavar": "DIR"}
    return [
        click.Option(["--directory", "workdir_directory"], callback=_directory,
                     envvar=env_vars("directory"),
                     help="Change into DIR before running the command.", **common),
        click.Option(["--project", "workdir_project"], callback=_project_option,
                     envvar=env_vars("project"),
                     help="Look for the project, its config and .venv from DIR.", **common),
    ]  # fmt: skip
