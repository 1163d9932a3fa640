"""``pipkey uninstall / list``: commands on an environment as it is, with no index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipkey.cli.install_cmd import _reporter
from pipkey.cli.targets import environment_for, existing_target_options


@click.command("uninstall")
@click.argument("packages", nargs=-1, required=True)
@existing_target_options
@click.option(
    "-y", "--yes", is_flag=True, help="Accepted for pip compatibility; pipkey never asks."
)
@click.pass_context
def uninstall(
    ctx: click.Context,
    packages: tuple[str, ...],
    python: str | None,
    target: Path | None,
    yes: bool,
) -> None:
    """Remove installed distributions (every file their RECORD lists)."""
    reporter = _reporter(ctx)
    env = environment_for(python, target)
    from pipkey.install import commands

    commands.uninstall(packages, env, reporter)


@click.command("list")
@existing_target_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["columns", "json", "freeze"]),
    default="columns",
    show_default=True,
)
def list_(python: str | None, target: Path | None, fmt: str) -> None:
    """List installed distributions."""
    env = environment_for(python, target)
    dists = sorted(env.installed.values(), key=lambda d: d.name)
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": d.raw_name or d.name,
                        "version": str(d.version),
                        "installer": d.installer,
                    }
                    for d in dists
                ]
            )
        )
    elif fmt == "freeze":
        for d in dists:
            click.echo(f"{d.raw_name or d.name}=={d.version}")
    else:
        width = max([len(d.raw_name or d.name) for d in dists] + [7])
        click.echo(f"{'Package':<{width}}  Version")
        click.echo(f"{'-' * width}  -------")
        for d in dists:
            click.echo(f"{d.raw_name or d.name:<{width}}  {d.version}")


COMMANDS = [uninstall, list_]
