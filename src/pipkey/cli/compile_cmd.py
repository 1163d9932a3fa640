"""``pipkey compile X.in -o X.txt``: uv's ``pip compile`` spelling of ``pipkey lock -r``."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from packaging.utils import canonicalize_name

from pipkey.cli.options import ConfigFlags, index_options
from pipkey.cli.reqfiles import index_overrides, read_requirements
from pipkey.cli.workdir import project_dir
from pipkey.config.env_flags import env_vars


@click.command("compile")
@click.argument("sources", nargs=-1, required=True)  # paths or https:// URLs
@click.option("-o", "--output-file", "output", type=click.Path(path_type=Path),
              help="requirements.txt (hashed) or pylock.toml; default: stdout.")  # fmt: skip
@click.option("-p", "--python", metavar="PATH", envvar=env_vars("python"),
              help="Interpreter (or venv) to resolve for.")  # fmt: skip
@click.option("--extra", "extras", multiple=True, metavar="E",
              help="Include an extra (pyproject.toml sources).")  # fmt: skip
@click.option("--group", "groups", multiple=True, metavar="G",
              help="Include a dependency group (pyproject.toml sources).")  # fmt: skip
@click.option("-U", "--upgrade", is_flag=True, envvar=env_vars("upgrade"),
              help="Ignore the pins already in the output.")  # fmt: skip
@click.option("-P", "--upgrade-package", "upgrade_packages", multiple=True, metavar="P",
              envvar=env_vars("upgrade-package"), help="Let P move off its pin.")  # fmt: skip
@click.option("--no-input", is_flag=True, default=None, help="Never prompt for credentials.")
@index_options
@click.pass_context
def compile_(ctx: click.Context, /, config_flags: ConfigFlags, **kw: Any) -> None:
    """Resolve requirements.in files (or pyproject.toml) into pinned, hashed requirements."""
    from pipkey.install.compile import LockRequest, lock, project_requirements
    from pipkey.install.env import find_interpreter, introspect
    from pipkey.install.env.environment import TargetError
    from pipkey.install.report import Reporter

    project_files = [Path(s) for s in kw["sources"] if Path(s).name == "pyproject.toml"]
    lines = []
    requires_python = None
    for source in project_files:
        found, requires_python = project_requirements(source, kw["extras"], kw["groups"])
        lines += found
    # Local or remote (-r https://… with the index's credentials) files, read as lock -r does.
    others = [s for s in kw["sources"] if Path(s) not in project_files]
    files = read_requirements(config_flags, others, no_input=kw["no_input"])
    lines += [line for line in files.lines if not line.constraint]
    overrides = index_overrides(config_flags.overrides, files)
    overrides["no_input"] = kw["no_input"]
    settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir())
    try:
        interpreter = find_interpreter(kw["python"], dict(os.environ), project_dir())
    except TargetError:
        if kw["python"]:
            raise
        interpreter = sys.executable
    reporter = Reporter.for_flags(ctx.find_root().obj or {})
    target = introspect(interpreter).target
    upgrade_packages = frozenset(canonicalize_name(p) for p in kw["upgrade_packages"])
    if kw["output"] is not None:
        request = LockRequest(lines, kw["output"], requires_python, upgrade=kw["upgrade"],
                              upgrade_packages=upgrade_packages)  # fmt: skip
        lock(settings, request, target, reporter)
        return
    with tempfile.TemporaryDirectory(prefix="pipkey-compile-") as scratch:
        output = Path(scratch) / "requirements.txt"
        lock(settings, LockRequest(lines, output, requires_python), target, reporter)
        click.echo(output.read_text(encoding="utf-8"), nl=False)


COMMANDS = [compile_]
