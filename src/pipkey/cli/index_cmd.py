"""``pipkey index versions P``: what the configured indexes offer (pip's output)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click
from packaging.utils import canonicalize_name

from pipkey.cli.options import ConfigFlags, index_options
from pipkey.cli.workdir import project_dir
from pipkey.config.env_flags import env_vars


@click.group("index")
def index() -> None:
    """Ask the configured indexes (with their credentials) about a project."""


@index.command("versions")
@click.argument("project")
@click.option("--pre", is_flag=True, envvar=env_vars("pre"), help="Include pre-releases.")
@click.option("-p", "--python", metavar="PATH", envvar=env_vars("python"),
              help="Interpreter (or venv) whose tags and Python version count.")  # fmt: skip
@click.option("-f", "--find-links", "find_links", multiple=True, metavar="DIR|URL",
              help="Also look in this directory or page.")  # fmt: skip
@click.option("--no-index", is_flag=True, help="Ignore every index (use --find-links).")
@click.option("--no-input", is_flag=True, default=None, help="Never prompt for credentials.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@index_options
@click.pass_context
def versions(ctx: click.Context, /, config_flags: ConfigFlags, **kw: Any) -> None:
    """List the versions of PROJECT the target could install, newest first."""
    from pipkey.install.env import find_interpreter, introspect
    from pipkey.install.env.environment import TargetError
    from pipkey.install.report import Reporter
    from pipkey.install.versions import versions as offered

    overrides = {**config_flags.overrides, "no_input": kw["no_input"],
                 "find_links": list(kw["find_links"]), "no_index": kw["no_index"]}  # fmt: skip
    settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir())
    try:
        interpreter = find_interpreter(kw["python"], dict(os.environ), project_dir())
    except TargetError:
        if kw["python"]:
            raise
        interpreter = sys.executable  # no venv: pipkey's own Python, as pip's index command
    env = introspect(interpreter)
    reporter = Reporter.for_flags(ctx.find_root().obj or {})
    offer = offered(settings, kw["project"], env.target, reporter, pre=kw["pre"])
    installed = env.installed.get(canonicalize_name(kw["project"]))
    latest = str(offer.versions[0])
    if kw["as_json"]:
        data: dict[str, Any] = {"name": offer.name, "versions": [str(v) for v in offer.versions],
                                "latest": latest}  # fmt: skip
        if installed is not None:
            data["installed_version"] = str(installed.version)
        click.echo(json.dumps(data))
        return
    click.echo(f"{offer.name} ({latest})")
    click.echo(f"Available versions: {', '.join(str(v) for v in offer.versions)}")
    if installed is not None:
        click.echo(f"  INSTALLED: {installed.version}")
        click.echo(f"  LATEST:    {latest}")


COMMANDS = [index]
