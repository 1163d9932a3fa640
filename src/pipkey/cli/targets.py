"""Which environment a command acts on: ``--python`` (an interpreter or a venv), the active
venv or ``.venv``, or a ``--target`` directory — shared by install, download, uninstall, list,
check and sync."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipkey.config.env_flags import env_vars
from pipkey.install.env import Environment, TargetError, find_interpreter, introspect
from pipkey.install.store import default_cache_dir

F = TypeVar("F", bound=Callable[..., Any])


def interpreter_for(python: str | None, target: Path | None) -> tuple[str, Path | None]:
    if target is not None:
        try:
            interpreter = find_interpreter(python, dict(os.environ), Path.cwd())
        except TargetError:
            interpreter = sys.executable
        target.mkdir(parents=True, exist_ok=True)
        return interpreter, target.resolve()
    return find_interpreter(python, dict(os.environ), Path.cwd()), None


def environment_for(python: str | None, target: Path | None) -> Environment:
    interpreter, target_dir = interpreter_for(python, target)
    return introspect(interpreter, target_dir=target_dir, cache_dir=default_cache_dir())


def target_options(func: F) -> F:
    func = click.option(
        "-p",
        "--python",
        "python",
        metavar="PATH",
        envvar=env_vars("python"),
        help="Interpreter (or venv) to act on; default: the active venv, else .venv.",
    )(func)
    return func


def existing_target_options(func: F) -> F:
    """--python, or -t for a directory an earlier ``install --target`` filled."""
    func = click.option(
        "-t",
        "--target",
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        help="Act on this --target directory.",
    )(func)
    return target_options(func)
