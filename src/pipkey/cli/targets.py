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

from pipkey.cli.workdir import project_dir
from pipkey.config.env_flags import env_vars
from pipkey.install.env import Environment, TargetError, find_interpreter, introspect
from pipkey.install.env.environment import VERSION_REQUEST
from pipkey.install.store import default_cache_dir

F = TypeVar("F", bound=Callable[..., Any])


def interpreter_for(
    python: str | None, target: Path | None, system: bool = False
) -> tuple[str, Path | None]:
    if system and not python:
        python = system_interpreter()
    elif system and python and VERSION_REQUEST.match(python) and not Path(python).exists():
        from pipkey.install.env.venv import base_interpreter

        python = base_interpreter(python)  # --system --python 3.12: python3.12 on PATH
    if target is not None:
        try:
            interpreter = find_interpreter(python, dict(os.environ), project_dir())
        except TargetError:
            interpreter = sys.executable
        target.mkdir(parents=True, exist_ok=True)
        return interpreter, target.resolve()
    return find_interpreter(python, dict(os.environ), project_dir()), None


def system_interpreter() -> str:
    """uv's ``--system``: the first ``python3``/``python`` on PATH that is not a virtual
    environment's (PEP 668's refusal still applies to it)."""
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or (Path(directory).parent / "pyvenv.cfg").is_file():
            continue
        for name in ("python3", "python", "python.exe"):
            candidate = Path(directory) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    raise TargetError("--system: no Python interpreter on PATH (outside virtual environments)")


def environment_for(python: str | None, target: Path | None, system: bool = False) -> Environment:
    interpreter, target_dir = interpreter_for(python, target, system)
    return introspect(interpreter, target_dir=target_dir, cache_dir=default_cache_dir())


def target_options(func: F) -> F:
    func = click.option(
        "--system",
        is_flag=True,
        envvar=env_vars("system"),
        help="Act on the first Python on PATH instead of a virtual environment (as uv).",
    )(func)
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
