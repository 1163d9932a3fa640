"""``pipkey venv``: create a virtual environment (uv's flags, uv's pyvenv.cfg)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from pipkey.cli.options import ConfigFlags, index_options
from pipkey.cli.workdir import project_dir
from pipkey.config.env_flags import env_vars


@click.command("venv")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("-p", "--python", metavar="PYTHON", envvar=env_vars("python"),
              help="Base interpreter: a path, a name on PATH, or a version.")  # fmt: skip
@click.option("--seed", is_flag=True, envvar=env_vars("seed"),
              help="Install pip (and setuptools, wheel before Python 3.12) into it.")  # fmt: skip
@click.option("--prompt", metavar="PROMPT", help="Prompt shown when activated ('.': this dir).")
@click.option("--system-site-packages", is_flag=True, help="Let it see the base's packages.")
@click.option("--clear", is_flag=True, envvar=env_vars("clear"),
              help="Replace an existing virtual environment.")  # fmt: skip
@click.option("--allow-existing", is_flag=True, help="Write into an existing directory.")
@click.option("--no-input", is_flag=True, default=None, help="Never prompt for credentials.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Wheel cache (for --seed).")
@index_options
@click.pass_context
def venv(ctx: click.Context, /, config_flags: ConfigFlags, **kw: Any) -> None:
    """Create a virtual environment at PATH (default .venv), without pip unless --seed."""
    from pipkey.install.env.venv import VenvRequest, create
    from pipkey.install.report import Reporter

    reporter = Reporter.for_flags(ctx.find_root().obj or {})
    path: Path = kw["path"] or Path(".venv")
    request = VenvRequest(
        path,
        python=kw["python"],
        prompt=kw["prompt"],
        system_site_packages=kw["system_site_packages"],
        clear=kw["clear"],
        allow_existing=kw["allow_existing"],
    )
    python = create(request)
    reporter.line(f"Created virtual environment at {path} ({python})")
    if kw["seed"]:
        _seed(config_flags, kw, python, reporter)
    shown = path if path.is_absolute() else Path(os.curdir) / path
    activate = shown / ("Scripts" if (path / "Scripts").is_dir() else "bin") / "activate"
    reporter.line(f"Activate with: source {activate}")


def _seed(config_flags: ConfigFlags, kw: dict[str, Any], python: Path, reporter: Any) -> None:
    """uv's seed packages, from the configured indexes (with their credentials)."""
    from pipkey.install import commands
    from pipkey.install.env import introspect
    from pipkey.install.request import Request
    from pipkey.resolve.policy import Policy

    env = introspect(str(python))
    seeds = ["pip"] if (env.version.major, env.version.minor) >= (3, 12) else [
        "pip", "setuptools", "wheel"]  # fmt: skip
    overrides = {**config_flags.overrides, "no_input": kw["no_input"],
                 "cache_dir": str(kw["cache_dir"]) if kw["cache_dir"] else None}  # fmt: skip
    settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir())
    # the seed set only: pip vendors what it needs (wheel's own dependency is left to the user)
    request = Request(inputs=tuple(seeds), policy=Policy(no_deps=True))
    commands.install(settings, request, env, reporter)


COMMANDS = [venv]
